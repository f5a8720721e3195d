"""Picture of the window as a user sees it, for reviews and the docs:

QT_QPA_PLATFORM=offscreen python -m bizops_desktop.qt.screenshot shot.png --demo --tab basket --run
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main(argv=None) -> int:
    from bizops_desktop.core.i18n import _

    ap = argparse.ArgumentParser(prog="python -m bizops_desktop.qt.screenshot")
    ap.add_argument("out")
    ap.add_argument("--demo", action="store_true", help=_("open the demo shop (in the language of the window)"))
    ap.add_argument("--data", help=_("a data file to open instead of the demo"))
    ap.add_argument("--project", help=_("a project to open"))
    ap.add_argument("--tab", help=_("analysis id of the tab to show (overview: the This week tab)"))
    ap.add_argument("--dataset", help=_("dataset to pick in the tab"))
    ap.add_argument("--set", action="append", default=[], help=_("PARAM=VALUE for the tab"))
    ap.add_argument("--run", action="store_true", help=_("press Run and wait for the result"))
    ap.add_argument("--size", default="1500x900", help=_("window size in pixels, WIDTHxHEIGHT"))
    a = ap.parse_args(argv)
    from PySide6.QtCore import QSettings

    from bizops_desktop.core.params import parse_assignments

    from .app import make_app
    from .main_window import MainWindow

    # a throwaway settings file: the picture does not depend on (or change) the user's settings;
    # the language is BIZOPS_LANG's, else the system's
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    app = make_app(settings)
    w = MainWindow(settings=settings, interactive=False)
    width, height = (int(x) for x in a.size.split("x"))
    w.resize(width, height)
    w.show()

    def wait(job, timeout=600):
        t0 = time.time()
        while job is not None and not job.delivered and time.time() - t0 < timeout:
            app.processEvents()
            time.sleep(0.01)

    if a.project:
        wait(w.open_project(a.project))
    elif a.data:
        wait(w.open_data(a.data, ask=False))
    elif a.demo:
        wait(w.open_demo())
    if a.tab == "overview":
        w.tabs.setCurrentWidget(w.overview_slot)
        if a.run:
            ended: list = []
            w.overview.run_ended.connect(ended.append)
            w.overview.run_all()
            t0 = time.time()
            while not ended and time.time() - t0 < 900:
                app.processEvents()
                time.sleep(0.01)
    elif a.tab:
        panel = w.panel(a.tab)
        w.tabs.setCurrentWidget(panel.parentWidget())
        if a.dataset:
            panel.select_dataset(a.dataset)
        if a.set:
            panel.set_params(
                {**panel.params(), **{k: panel.analysis.param(k).parse(v) for k, v in parse_assignments(a.set).items()}}
            )
        if a.run:
            ended = []
            panel.run_ended.connect(ended.append)
            if panel.run_analysis() is None:
                print("not started:", panel.message.text())
            t0 = time.time()
            while not ended and panel.running and time.time() - t0 < 600:
                app.processEvents()
                time.sleep(0.01)
    for _i in range(20):
        app.processEvents()
        time.sleep(0.01)
    w.grab().save(a.out)
    print(a.out)
    w.host.jobs.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
