"""The hooks a BizOps Desktop plugin can implement. This module is their reference.

A plugin is a module (or object) with functions decorated by ``bizops_desktop.hookimpl`` and
named like the specs below. Register it through an entry point in the ``bizops_desktop.plugins``
group of your distribution's ``pyproject.toml``::

    [project.entry-points."bizops_desktop.plugins"]
    my_plugin = "my_plugin"

Rule for changing a hook: implementations may accept fewer arguments, never require more. Every
hook takes ``context`` (a :class:`~bizops_desktop.core.plugins.PluginContext`: the program's
version, the folders a plugin may use); an implementation that does not need it leaves it out::

    @hookimpl
    def bizops_register_analyses():          # fine
        ...

    @hookimpl
    def bizops_register_analyses(context):   # also fine
        ...

New facts for plugins go into ``PluginContext`` as new fields, so no hook needs a new argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .analysis import Analysis
    from .importer import Importer
    from .plugins import PluginContext

hookspec = pluggy.HookspecMarker("bizops_desktop")


@hookspec
def bizops_register_analyses(context: "PluginContext") -> "list[Analysis]":
    """Return the analyses (tabs) this plugin provides, as :class:`~bizops_desktop.core.analysis.Analysis`
    descriptions. Give ``run``, ``panel`` and ``migrate`` as ``"module:attr"`` strings so heavy
    libraries are imported only when the analysis runs or its tab is shown. Every result of every
    plugin is used; an id that another plugin registered first is reported and skipped.
    """
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def bizops_register_importers(context: "PluginContext") -> "list[Importer]":
    """Return extra file importers (:class:`~bizops_desktop.core.importer.Importer`) for file
    types the built-in CSV/Excel importers do not read. Every result of every plugin is used.
    An importer that is not an ``Importer``, has no valid extensions (``".parquet"`` or
    ``"parquet"``), or claims an id or extension that is already taken (built-ins come first) is
    reported and skipped.
    """
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations
