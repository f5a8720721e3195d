"""The plugin host: loads plugins (entry points, then the built-in list as a fallback), asks
them for analyses and importers, and isolates faults: a plugin that fails to import, register
or answer is reported as a :class:`PluginProblem` and skipped; the app goes on."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

import pluggy

from . import hookspecs
from .analysis import Analysis

PROJECT = "bizops_desktop"
ENTRY_POINT_GROUP = "bizops_desktop.plugins"
# Registered directly too, so a checkout that was never pip-installed still has its tabs
# (datasette's DEFAULT_PLUGINS, tox's internal plugins).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "bizops_recommender",
    "bizops_basket",
    "bizops_forecast",
    "bizops_pricing",
    "bizops_churn",
)
# Set by tests/conftest.py: tests never pick up plugins that happen to be installed.
AUTOLOAD_ENV = "BIZOPS_DISABLE_PLUGIN_AUTOLOAD"

hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass
class PluginProblem:
    plugin: str
    message: str

    def __str__(self) -> str:
        return f"Plugin {self.plugin!r} was skipped: {self.message}"


@dataclass
class Registry:
    pm: pluggy.PluginManager
    analyses: dict[str, Analysis] = field(default_factory=dict)
    importers: list[Any] = field(default_factory=list)
    problems: list[PluginProblem] = field(default_factory=list)

    def analysis(self, analysis_id: str) -> Analysis:
        from .errors import UsageError

        try:
            return self.analyses[analysis_id]
        except KeyError:
            known = ", ".join(sorted(self.analyses)) or "none"
            raise UsageError(f"unknown analysis {analysis_id!r}", hint=f"known analyses: {known}") from None

    def ordered(self) -> list[Analysis]:
        return sorted(self.analyses.values(), key=lambda a: (a.order, a.title))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def make_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def load_registry(*, entry_points: bool | None = None, builtins: bool = True,
                  extra: Iterable[Any] = ()) -> Registry:
    """Build the registry. ``entry_points=None`` means: yes, unless the autoload-off variable
    is set (tests). ``extra`` are plugin objects or module names registered as well."""
    if entry_points is None:
        entry_points = not os.environ.get(AUTOLOAD_ENV)
    pm = make_plugin_manager()
    reg = Registry(pm=pm)

    def register(obj: Any, name: str) -> None:
        if pm.is_registered(obj) or pm.has_plugin(name):
            return
        try:
            pm.register(obj, name=name)
        except Exception as exc:  # a misspelled hook, a bad signature ...
            reg.problems.append(PluginProblem(name, _short(exc)))

    if entry_points:
        from importlib.metadata import entry_points as _eps

        for ep in sorted(_eps(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if pm.has_plugin(ep.name):
                continue
            try:
                obj = ep.load()
            except Exception as exc:
                reg.problems.append(PluginProblem(ep.name, "it could not be imported (" + _short(exc) + ")"))
                continue
            register(obj, ep.name)
    if builtins:
        for modname in BUILTIN_PLUGINS:
            if pm.has_plugin(modname):
                continue
            try:
                mod = importlib.import_module(modname)
            except Exception as exc:
                reg.problems.append(PluginProblem(modname, "it could not be imported (" + _short(exc) + ")"))
                continue
            register(mod, modname)
    for obj in extra:
        if isinstance(obj, str):
            try:
                mod = importlib.import_module(obj)
            except Exception as exc:
                reg.problems.append(PluginProblem(obj, "it could not be imported (" + _short(exc) + ")"))
                continue
            register(mod, obj)
        else:
            register(obj, getattr(obj, "__name__", None) or repr(obj))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        # An implementation whose name matches no hook: unregister that plugin, report it.
        bad = getattr(exc, "plugin", None)
        name = pm.get_name(bad) if bad is not None else "?"
        reg.problems.append(PluginProblem(name or "?", "it implements a hook that does not exist (" + _short(exc) + ")"))
        if bad is not None:
            pm.unregister(bad)

    # Call each implementation on its own so one raising does not take the others down.
    for impl in pm.hook.bizops_register_analyses.get_hookimpls():  # registration order
        name = impl.plugin_name
        try:
            items = impl.function() or []
        except Exception as exc:
            reg.problems.append(PluginProblem(name, "it raised while registering (" + _short(exc) + ")"))
            continue
        for a in items:
            if not isinstance(a, Analysis):
                reg.problems.append(PluginProblem(name, f"it returned {type(a).__name__}, not an Analysis"))
                continue
            if a.id in reg.analyses:
                reg.problems.append(PluginProblem(name, f"analysis id {a.id!r} is already taken by {reg.analyses[a.id].plugin!r}"))
                continue
            a.plugin = name
            reg.analyses[a.id] = a
    for impl in pm.hook.bizops_register_importers.get_hookimpls():
        try:
            reg.importers.extend(impl.function() or [])
        except Exception as exc:
            reg.problems.append(PluginProblem(impl.plugin_name, "it raised while registering importers (" + _short(exc) + ")"))
    return reg


def plugin_dirs() -> list[str]:
    """Where the built-in plugin packages live in a source checkout (``plugins/``)."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    d = os.path.join(here, "plugins")
    return [d] if os.path.isdir(d) else []


def ensure_builtin_path() -> None:
    """Make ``plugins/`` importable when running from a checkout that was not pip-installed."""
    for d in plugin_dirs():
        if d not in sys.path:
            sys.path.append(d)
