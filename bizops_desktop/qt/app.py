"""Starting the window: the QApplication, its language, the main window, the first file or the
demo shop."""

from __future__ import annotations

import sys
from pathlib import Path

ORG = "BizOps"
APP = "BizOps Desktop"


def make_app(settings=None, lang: str | None = None):
    """The QApplication, with the program's language in effect before any window is built:
    ``lang`` if given, else ``BIZOPS_LANG``, else the choice saved in ``settings`` (default: the
    user's QSettings), else the system's."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from .language import apply_language
    from .plots import configure

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    configure()
    apply_language(lang, settings if settings is not None else QSettings())
    return app


def run_app(file: str | None = None, demo: bool = False, lang: str | None = None) -> int:
    app = make_app(lang=lang)
    from bizops_desktop.core.i18n import _
    from bizops_desktop.core.log import setup_logging

    from .main_window import MainWindow

    setup_logging()
    w = MainWindow()
    install_excepthook(w)
    w.show()
    from .language import font_warning

    warning = font_warning()
    if warning:
        w.banner.show_message(warning, "warning")
    if demo:
        w.open_demo()
    elif file:
        p = Path(file)
        if not p.exists():
            w.show_error(_("{file}: there is no such file. Check the name and folder.", file=file))
        else:
            w.open_path(p)
    return app.exec()


def install_excepthook(window) -> None:
    """A bug in a slot on the GUI thread reaches the user as the window's one-line message, and
    the log in full; never as a traceback on a terminal the user may not have."""
    from .jobs import describe_error

    def hook(etype, exc, tb):
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, exc, tb)
            return
        try:
            window.show_error(*describe_error(exc.with_traceback(tb)))
        except Exception:  # the window itself is broken: fall back to the log only
            from bizops_desktop.core.log import log_error

            log_error("error while showing an error", exc)

    sys.excepthook = hook
