"""Shared test set-up: headless Qt, no plugins picked up from the machine, data paths."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never load plugins that happen to be installed; built-ins are registered directly.
os.environ["BIZOPS_DISABLE_PLUGIN_AUTOLOAD"] = "1"
# Tests read English unless they ask for another language (the machine's LANG must not matter).
os.environ["BIZOPS_LANG"] = "en"
# The log file goes to a throwaway folder, never into the user's own log folder.
if not os.environ.get("BIZOPS_LOG_DIR"):
    import tempfile

    os.environ["BIZOPS_LOG_DIR"] = tempfile.mkdtemp(prefix="bizops-test-log-")

from helpers import DATA  # noqa: E402  (the environment above is set before anything imports the app)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _english_again():
    """A test that switched the language (a window switch, cli.main --lang) leaves none behind."""
    yield
    from bizops_desktop.core import i18n

    i18n.set_language(None)
    i18n.set_currency(None)


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    """Fail a test that leaves Python threads running (a job that never ended)."""
    before = set(threading.enumerate())
    yield
    import time

    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
        if not extra:
            return
        time.sleep(0.05)
    pytest.fail(f"test left threads running: {[t.name for t in extra]}")


@pytest.fixture(scope="session")
def _demo_datasets():
    from bizops_desktop.core.demo import load_demo

    return load_demo()


@pytest.fixture
def demo_datasets(_demo_datasets):
    """The demo shop's tables, read once per session; each test gets its own Dataset objects
    (roles may be edited), sharing the read-only frames."""
    import copy

    out = []
    for ds in _demo_datasets:
        c = copy.copy(ds)
        c.roles = {r: list(cols) for r, cols in ds.roles.items()}
        c.notes = list(ds.notes)
        out.append(c)
    return out


@pytest.fixture
def open_panel(qtbot, demo_datasets):
    """``open_panel(PanelClass, analysis, datasets=None, show=False)``: a tab on its own host
    (the demo shop by default), cleaned up after the test."""
    from bizops_desktop.qt.host import Host

    hosts = []

    def make(panel_cls, analysis, datasets=None, show=False):
        host = Host()
        host.set_datasets(demo_datasets if datasets is None else datasets)
        p = panel_cls(analysis, host)
        qtbot.addWidget(p)
        if show:
            p.resize(1300, 900)
            p.show()
            qtbot.waitExposed(p)
        hosts.append(host)
        return p

    yield make
    for host in hosts:
        host.jobs.shutdown(5000)


@pytest.fixture(autouse=True)
def _collect_on_the_test_thread():
    """Once the job runner has moved cyclic collection to the GUI thread's timer, tests that spin
    no event loop would never collect: do it between tests, on this (the GUI) thread."""
    yield
    from bizops_desktop.qt import gui_gc

    if gui_gc._installed is not None:
        gui_gc._installed.check()  # the same threshold rule as the GUI timer
