"""Starting the window: the QApplication, the main window, the first file or the demo shop."""

from __future__ import annotations

import sys
from pathlib import Path

ORG = "BizOps"
APP = "BizOps Desktop"


def make_app():
    from PySide6.QtWidgets import QApplication

    from .plots import configure

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    configure()
    return app


def run_app(file: str | None = None, demo: bool = False) -> int:
    app = make_app()
    from .main_window import MainWindow

    w = MainWindow()
    w.show()
    if demo:
        w.open_demo()
    elif file:
        p = Path(file)
        if not p.exists():
            w.show_error(f"{file}: there is no such file. Check the name and folder.")
        else:
            w.open_path(p)
    return app.exec()
