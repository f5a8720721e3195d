"""The plugin host: loads plugins (entry points, then the built-in list as a fallback), asks
them for analyses and importers, and isolates faults: a plugin that fails to import, register
or answer is reported as a :class:`PluginProblem` and skipped; the app goes on."""

from __future__ import annotations

import importlib
import os
import re
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .analysis import Analysis
from .errors import first_line
from .i18n import _

if TYPE_CHECKING:
    from .importer import Importer

PROJECT = "bizops_desktop"
APP_NAME = "BizOps Desktop"
ENTRY_POINT_GROUP = "bizops_desktop.plugins"
# Registered directly too, so a checkout that was never pip-installed still has its tabs
# (datasette's DEFAULT_PLUGINS, tox's internal plugins).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "bizops_recommender",
    "bizops_basket",
    "bizops_forecast",
    "bizops_pricing",
    "bizops_churn",
    "bizops_segments",
    "bizops_routes",
    "bizops_stock",
)
# Set by tests/conftest.py: tests never pick up plugins that happen to be installed.
AUTOLOAD_ENV = "BIZOPS_DISABLE_PLUGIN_AUTOLOAD"

hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class PluginContext:
    """What the host tells every hook (its ``context`` argument). Fields are only ever added.

    app_version: the BizOps Desktop version asking.
    data_dir: a folder the plugin may keep files in (use a subfolder named after the plugin);
        it may not exist yet.
    config_dir: where the program keeps its settings; the same rule.
    """

    app_version: str
    data_dir: Path
    config_dir: Path


def default_context() -> PluginContext:
    import platformdirs

    from .. import __version__

    return PluginContext(
        app_version=__version__,
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


@dataclass
class PluginProblem:
    plugin: str
    message: str

    def __str__(self) -> str:
        return _("Plugin {plugin} was skipped: {problem}", plugin=repr(self.plugin), problem=self.message)


@dataclass
class PluginInfo:
    """A registered plugin: its name (the entry point's), its version ("" when it has none) and
    the ids of what it added."""

    name: str
    version: str = ""
    analyses: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)


@dataclass
class Registry:
    pm: pluggy.PluginManager
    analyses: dict[str, Analysis] = field(default_factory=dict)
    importers: list["Importer"] = field(default_factory=list)
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)

    def analysis(self, analysis_id: str) -> Analysis:
        from .errors import UsageError

        try:
            return self.analyses[analysis_id]
        except KeyError:
            known = ", ".join(sorted(self.analyses))
            raise UsageError(
                _("unknown analysis {name}", name=repr(analysis_id)),
                hint=_("known analyses: {names}", names=known) if known else _("no analyses are installed"),
            ) from None

    def ordered(self) -> list[Analysis]:
        return sorted(self.analyses.values(), key=lambda a: (a.order, str(a.title)))

    def describe(self) -> list[str]:
        """One line per plugin: name, version and what it adds (Help ▸ Plugins)."""
        lines = []
        for info in self.plugins.values():
            adds = [str(self.analyses[a].title) for a in info.analyses]
            adds += [_("importer {name}", name=i) for i in info.importers]
            lines.append(
                _(
                    "{plugin} {version}: {adds}",
                    plugin=info.name,
                    version=info.version or _("(no version)"),
                    adds=", ".join(adds) or _("adds nothing"),
                )
            )
        return lines


def make_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _candidates(
    entry_points: bool, builtins: bool, extra: Iterable[Any]
) -> Iterator[tuple[str, Callable[[], Any], str | None]]:
    """Every plugin to register, in order, as ``(name, load, version)``: ``load()`` imports it;
    ``version`` is None where only the loaded module can tell (its ``__version__``)."""
    if entry_points:
        from importlib.metadata import entry_points as _eps

        for ep in sorted(_eps(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            yield ep.name, ep.load, (dist.version if dist is not None else None)
    if builtins:
        from .. import __version__

        for modname in BUILTIN_PLUGINS:
            yield modname, partial(importlib.import_module, modname), __version__
    for obj in extra:
        if isinstance(obj, str):
            yield obj, partial(importlib.import_module, obj), None
        else:
            yield getattr(obj, "__name__", None) or repr(obj), partial(_same, obj), None


def _same(obj: Any) -> Any:
    return obj


def _call(impl: pluggy.HookImpl, context: PluginContext) -> Any:
    """One implementation on its own, given the arguments it asks for (it may ask for fewer)."""
    given = {"context": context}
    return impl.function(*(given[name] for name in impl.argnames))


def load_registry(
    *,
    entry_points: bool | None = None,
    builtins: bool = True,
    extra: Iterable[Any] = (),
    context: PluginContext | None = None,
) -> Registry:
    """Build the registry. ``entry_points=None`` means: yes, unless the autoload-off variable
    is set (tests). ``extra`` are plugin objects or module names registered as well. ``context``
    is what the hooks are given (default: this program's version and folders)."""
    if entry_points is None:
        entry_points = not os.environ.get(AUTOLOAD_ENV)
    context = context or default_context()
    pm = make_plugin_manager()
    reg = Registry(pm=pm)

    def problem(name: str, message: str) -> None:
        reg.problems.append(PluginProblem(name, message))

    for name, load, version in _candidates(entry_points, builtins, extra):
        if pm.has_plugin(name):
            continue
        try:
            obj = load()
        except Exception as exc:
            problem(name, _("it could not be imported ({error})", error=first_line(exc)))
            continue
        if pm.is_registered(obj):
            continue
        try:
            pm.register(obj, name=name)
        except pluggy.PluginValidationError as exc:  # e.g. a hook asking for an argument no spec has
            problem(name, _("a hook does not fit its specification ({error})", error=str(exc).strip().splitlines()[-1]))
            continue
        except Exception as exc:
            problem(name, first_line(exc))
            continue
        reg.plugins[name] = PluginInfo(name, str(version or getattr(obj, "__version__", "") or ""))

    # An implementation whose name matches no hook: unregister that plugin, report it, look again.
    while True:
        try:
            pm.check_pending()
            break
        except pluggy.PluginValidationError as exc:
            bad = getattr(exc, "plugin", None)
            name = (pm.get_name(bad) if bad is not None else None) or "?"
            problem(name, _("it implements a hook that does not exist ({error})", error=first_line(exc)))
            if bad is None:
                break
            pm.unregister(bad)
            reg.plugins.pop(name, None)

    def answers(hook: Any, failed: Callable[[str], str]) -> Iterator[tuple[str, Any]]:
        """(plugin name, item) for each item each implementation of ``hook`` returns; each is
        called on its own, in registration order, so one raising does not take the others down."""
        for impl in hook.get_hookimpls():
            try:
                items = list(_call(impl, context) or [])
            except Exception as exc:
                problem(impl.plugin_name, failed(first_line(exc)))
                continue
            for item in items:
                yield impl.plugin_name, item

    for name, a in answers(
        pm.hook.bizops_register_analyses, lambda error: _("it raised while registering analyses ({error})", error=error)
    ):
        if not isinstance(a, Analysis):
            problem(name, _("it returned {type}, not an Analysis", type=type(a).__name__))
        elif (bad := _malformed(a)) is not None:
            problem(name, bad)
        elif a.id in reg.analyses:
            problem(
                name,
                _(
                    "analysis id {id} is already taken by {plugin}",
                    id=repr(a.id),
                    plugin=repr(reg.analyses[a.id].plugin),
                ),
            )
        else:
            a.plugin, a.plugin_version = name, reg.plugins[name].version
            obj = pm.get_plugin(name)
            if (
                isinstance(obj, types.ModuleType)
                and name not in BUILTIN_PLUGINS
                and obj.__name__ not in BUILTIN_PLUGINS
            ):
                a.isolated_module = obj.__name__  # a third party's: run in a child process (core/sandbox.py)
            reg.analyses[a.id] = a
            reg.plugins[name].analyses.append(a.id)

    if pm.hook.bizops_register_importers.get_hookimpls():
        from .importer import builtin_importers

        builtin = builtin_importers()
        builtins_word = _("the built-in importers")
        taken_ids = {imp.id: builtins_word for imp in builtin}
        taken_exts = {_ext(e): builtins_word for imp in builtin for e in imp.extensions}
        for name, imp in answers(
            pm.hook.bizops_register_importers,
            lambda error: _("it raised while registering importers ({error})", error=error),
        ):
            why = _importer_problem(imp, taken_ids, taken_exts)
            if why:
                problem(name, why)
                continue
            reg.importers.append(imp)
            reg.plugins[name].importers.append(imp.id)
            taken_ids[imp.id] = repr(name)
            taken_exts.update({_ext(e): repr(name) for e in imp.extensions})
    return reg


_EXTENSION = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9_.-]*")


def _malformed(a: Analysis) -> str | None:
    """What makes a registered Analysis unusable (it would break the tab list or the form), if anything."""
    from .params import Param

    if not isinstance(a.id, str) or not a.id.isidentifier():
        return _("analysis id {id} is not a plain name (letters, digits, _)", id=repr(a.id))
    if not isinstance(a.order, int) or isinstance(a.order, bool):
        return _("analysis {id}: its order must be a whole number, not {value}", id=repr(a.id), value=repr(a.order))
    bad = [p for p in a.params if not isinstance(p, Param)]
    if bad:
        return _("analysis {id}: a parameter is a {type}, not a Param", id=repr(a.id), type=type(bad[0]).__name__)
    return None


def _ext(e: str) -> str:
    return "." + e.lower().lstrip(".")


def _importer_problem(imp: Any, taken_ids: dict[str, str], taken_exts: dict[str, str]) -> str | None:
    """Why a registered importer cannot be used, or None."""
    from .importer import Importer

    if not isinstance(imp, Importer):
        return _("it returned {type}, not an Importer", type=type(imp).__name__)
    if not isinstance(imp.id, str) or not imp.id:
        return _("it returned an importer without an id")
    exts = imp.extensions
    if isinstance(exts, str) or not isinstance(exts, (tuple, list)) or not exts:
        return _("importer {id} gives no file extensions (give a list such as ['.parquet'])", id=repr(imp.id))
    bad = [e for e in exts if not (isinstance(e, str) and _EXTENSION.fullmatch(e))]
    if bad:
        return _(
            "importer {id} has an invalid file extension {ext} (give one such as '.parquet')",
            id=repr(imp.id),
            ext=repr(bad[0]),
        )
    if not callable(imp.read):
        return _("importer {id} has no read function", id=repr(imp.id))
    if imp.id in taken_ids:
        return _("importer id {id} is already taken by {owner}", id=repr(imp.id), owner=taken_ids[imp.id])
    for e in exts:
        if _ext(e) in taken_exts:
            return _(
                "importer {id}: files ending in {ext} are already read by {owner}",
                id=repr(imp.id),
                ext=_ext(e),
                owner=taken_exts[_ext(e)],
            )
    return None
