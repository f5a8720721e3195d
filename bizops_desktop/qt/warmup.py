"""The libraries the tabs need, imported in the background once the window is up.

A tab is built when it is first shown, and building it imports its analysis module and what that
imports: scipy.stats alone takes 1.3 s to import (the Pricing tab), scipy.sparse 0.3 s
(Recommendations). Imported on the GUI thread, that was the window's longest stall when a tab was
first opened, and two to three times longer while a job was running. Here the analysis modules
(Qt-free by rule, so safe to import off the GUI thread) are imported by a daemon thread right after
the window starts; building a tab then only builds its widgets. A third-party plugin whose runs are
isolated in a child process is never imported here. A module that fails to import is skipped: the
tab says so when it is built, as before."""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bizops_desktop.core.plugins import Registry

log = logging.getLogger(__name__)


def modules_to_import(registry: "Registry") -> list[str]:
    """The analysis modules of the registry's tabs, in tab order, once each (not the isolated ones)."""
    names: list[str] = []
    for a in registry.ordered():
        if a.isolated_module or not isinstance(a.run, str) or ":" not in a.run:
            continue
        name = a.run.split(":", 1)[0]
        if name and name not in names:
            names.append(name)
    return names


def start(registry: "Registry") -> threading.Thread:
    """Import the registry's analysis modules in a daemon thread; returns the thread (started)."""
    names = modules_to_import(registry)

    def work() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - reported when its tab is built
                log.debug("warm-up: %s did not import: %s", name, exc)

    thread = threading.Thread(target=work, name="bizops-warm-up", daemon=True)
    thread.start()
    return thread
