"""The log file: every error a user saw as one line is written here in full (traceback and all),
so that a bug report can include it. A rotating file in the user's log folder; the window's
Help ▸ Open log folder and the CLI's internal-error line point to it.

Writing the log must never be the reason something fails: a folder that cannot be created or a
file that cannot be written turns file logging off, silently, for this run.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

APP_NAME = "BizOps Desktop"
LOG_FILE = "bizops.log"
LOG_DIR_ENV = "BIZOPS_LOG_DIR"  # tests and portable installs put the log elsewhere
MAX_BYTES = 1 << 20  # 1 MiB a file ...
BACKUPS = 4  # ... and four older ones: at most 5 MiB on disk

logger = logging.getLogger("bizops_desktop")
_handler: logging.Handler | None = None


def log_dir() -> Path:
    """The folder the log is written to (created by :func:`setup_logging`)."""
    given = os.environ.get(LOG_DIR_ENV)
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_FILE


def setup_logging() -> Path | None:
    """Start writing the log file (once per process; again after the log folder changed).
    Returns the file's path, or None when it cannot be written."""
    global _handler
    path = log_path()
    if _handler is not None:
        if getattr(_handler, "baseFilename", None) == str(path.absolute()):
            return path
        logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"))
    # A full disk or a file locked by another program must not raise into the caller.
    handler.handleError = lambda record: None  # type: ignore[method-assign]
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.propagate = False
    _handler = handler
    return path


def log_error(shown: str, exc: BaseException | None = None, *, details: str = "") -> None:
    """Record an error the user was shown as ``shown``, with the exception's traceback or the
    given details."""
    setup_logging()
    if exc is not None:
        logger.error("%s", shown, exc_info=(type(exc), exc, exc.__traceback__))
    elif details:
        logger.error("%s\n%s", shown, details.rstrip())
    else:
        logger.error("%s", shown)
