"""The hooks a BizOps Desktop plugin can implement. This module is their reference.

A plugin is a module (or object) with functions decorated by ``bizops_desktop.hookimpl`` and
named like the specs below. Register it through an entry point in the ``bizops_desktop.plugins``
group of your distribution's ``pyproject.toml``::

    [project.entry-points."bizops_desktop.plugins"]
    my_plugin = "my_plugin"

Rule for changing a hook: implementations may accept fewer arguments, never require more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .analysis import Analysis
    from .importer import Importer

hookspec = pluggy.HookspecMarker("bizops_desktop")


@hookspec
def bizops_register_analyses() -> "list[Analysis]":
    """Return the analyses (tabs) this plugin provides, as :class:`~bizops_desktop.core.analysis.Analysis`
    descriptions. Give ``run`` and ``panel`` as ``"module:attr"`` strings so heavy libraries are
    imported only when the analysis runs or its tab is shown. Every result of every plugin is used.
    """


@hookspec
def bizops_register_importers() -> "list[Importer]":
    """Return extra file importers (:class:`~bizops_desktop.core.importer.Importer`) for file
    types the built-in CSV/Excel importers do not read. Every result of every plugin is used;
    for one extension the first importer registered wins (built-ins come first).
    """
