"""The window imports its tabs' analysis modules in a background thread once it is up (the Pricing
tab's scipy.stats took 1.3 s on the GUI thread when the tab was first opened): each module is
imported by that thread, not by the GUI thread; an isolated plugin's module is never imported in
the window's process; a module that fails to import does not stop the others."""

from __future__ import annotations

import sys
import threading

import pluggy
from PySide6.QtCore import QSettings

from bizops_desktop.core.analysis import Analysis
from bizops_desktop.core.plugins import Registry
from bizops_desktop.qt import main_window, warmup

RECORDING = """
import threading
IMPORTED_BY = threading.current_thread().name
def run(dataset, params, progress):
    return None
"""


def registry(**analyses) -> Registry:
    reg = Registry(pm=pluggy.PluginManager("bizops"))
    for i, (aid, kw) in enumerate(analyses.items()):
        reg.analyses[aid] = Analysis(id=aid, title=aid, summary="", order=i, **kw)
    return reg


def test_the_analysis_modules_are_imported_by_the_warm_up_thread(tmp_path, monkeypatch):
    (tmp_path / "warm_broken_mod.py").write_text("raise ImportError('no such library')\n")
    (tmp_path / "warm_ok_mod.py").write_text(RECORDING)
    (tmp_path / "warm_isolated_mod.py").write_text(RECORDING)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("warm_broken_mod", "warm_ok_mod", "warm_isolated_mod"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    reg = registry(
        broken={"run": "warm_broken_mod:run"},
        ok={"run": "warm_ok_mod:run"},
        again={"run": "warm_ok_mod:run"},  # two tabs of one module: imported once
        isolated={"run": "warm_isolated_mod:run", "isolated_module": "warm_isolated_mod"},
        inline={"run": lambda dataset, params, progress: None},
    )
    assert warmup.modules_to_import(reg) == ["warm_broken_mod", "warm_ok_mod"]
    thread = warmup.start(reg)
    assert thread.daemon and thread is not threading.main_thread()
    thread.join(30)
    assert not thread.is_alive()
    # the broken one first did not stop the next; that one ran its top level in the warm-up thread
    assert "warm_broken_mod" not in sys.modules
    assert sys.modules["warm_ok_mod"].IMPORTED_BY == thread.name == "bizops-warm-up"
    assert "warm_isolated_mod" not in sys.modules


def test_the_built_in_tabs_are_warmed_up_and_the_window_starts_it(qtbot, tmp_path, monkeypatch):
    from bizops_desktop.core.plugins import load_registry

    reg = load_registry()
    names = warmup.modules_to_import(reg)
    # every built-in analysis module, e.g. pricing's (it imports scipy.stats)
    assert "bizops_pricing.analysis" in names and len(names) == len(reg.analyses)
    started = []
    monkeypatch.setattr(warmup, "start", lambda r: started.append(r) or "thread")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = main_window.MainWindow(registry=reg, settings=settings, interactive=True)
    qtbot.addWidget(w)
    assert started == [reg] and w.warm_up == "thread"
    quiet = main_window.MainWindow(registry=reg, settings=settings, interactive=False)
    qtbot.addWidget(quiet)
    assert started == [reg] and quiet.warm_up is None
