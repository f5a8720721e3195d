"""Jobs and the window (issue 15, item 7): a result that arrives after its tab was restored from a
project does not overwrite it; a failed save on closing keeps the window open with its message."""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.i18n import M
from bizops_desktop.qt.host import Host
from bizops_desktop.qt.panel import AnalysisPanel


def test_a_late_result_does_not_overwrite_a_restored_one(qtbot):
    import pandas as pd

    gate = threading.Event()

    def slow(ds, params, progress):
        gate.wait(10)
        return Result(notes=[M("{text}", text="late")])

    a = Analysis(id="slow", title="Slow", summary="s", run=slow)
    host = Host()
    host.set_datasets([Dataset("d", pd.DataFrame({"x": [1]}))])
    panel = AnalysisPanel(a, host)
    qtbot.addWidget(panel)
    job = panel.run_analysis()
    assert job is not None
    restored = Result(notes=[M("{text}", text="restored")])
    panel.restore({}, "d", restored)  # opening a project while the run goes on
    gate.set()
    assert job.wait(10)
    qtbot.wait(200)  # the late result's signal is delivered
    assert panel.result is restored and panel.job is None
    host.jobs.shutdown(5000)


def test_closing_after_a_failed_save_keeps_the_window_and_says_why(qtbot, tmp_path, monkeypatch):
    from bizops_desktop.qt.main_window import MainWindow

    w = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=True)
    qtbot.addWidget(w)
    import pandas as pd

    w.host.add_dataset(Dataset("d", pd.DataFrame({"x": [1]})))
    w.dirty = True
    w.project_path = tmp_path / "no_such_folder" / "p.bizops"  # the save fails: no folder
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    errors = []
    w.failed.connect(errors.append)
    w.show()
    assert not w.close()  # the close is refused ...
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert w.isVisible() and "folder" in errors[0]  # ... and the reason is shown
    w.dirty = False
    w.close()
