"""The job runner: progress reaches the GUI thread, Cancel is honoured quickly, errors become
readable messages, and shutting down cancels running work."""

from __future__ import annotations

import threading
import time

import pytest

from bizops_desktop.core.errors import DataError
from bizops_desktop.qt.jobs import JobRunner


@pytest.fixture(autouse=True)
def _program_language_english():
    """Job errors are worded on the worker thread, in the program's language: start each test in
    English whatever an earlier test (a CLI run with --lang) left set."""
    from bizops_desktop.core import i18n

    i18n.set_language(None)
    yield


@pytest.fixture
def runner(qtbot):
    r = JobRunner()
    yield r
    r.shutdown(5000)


def test_result_and_progress_arrive_on_the_gui_thread(qtbot, runner):
    gui = threading.get_ident()
    seen = []

    def work(n, progress):
        for i in range(n):
            progress.report((i + 1) / n, f"step {i + 1}")
            time.sleep(0.002)
        return sum(range(n)), threading.get_ident()

    job = runner.create("sum", work, 50)
    job.progress.connect(lambda f, t: seen.append((f, t, threading.get_ident() == gui)))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        runner.start(job)
    (total, worker_thread) = blocker.args[0]
    assert total == sum(range(50))
    assert worker_thread != gui  # the work ran elsewhere
    assert seen and all(on_gui for _, _, on_gui in seen)
    assert seen[-1][:2] == (1.0, "step 50")
    assert job.state == "done"


def test_cancel_is_honoured_within_a_second(qtbot, runner):
    started = threading.Event()

    def forever(progress):
        started.set()
        while True:
            progress.check()
            time.sleep(0.01)

    job = runner.create("forever", forever)
    runner.start(job)
    assert started.wait(5)
    t0 = time.monotonic()
    with qtbot.waitSignal(job.cancelled, timeout=2000):
        job.cancel()
    assert time.monotonic() - t0 < 1.0
    assert job.state == "cancelled"


def test_expected_error_is_a_plain_message_without_details(qtbot, runner):
    def bad(progress):
        raise DataError("column 'qty' has text in it", where="orders.csv", hint="Fix the column")

    job = runner.create("bad", bad)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        runner.start(job)
    message, details = blocker.args
    assert message == "orders.csv: column 'qty' has text in it. Fix the column."
    assert details == ""


def test_unexpected_error_says_so_and_keeps_the_traceback_in_details(qtbot, runner):
    def buggy(progress):
        return {}["missing"]

    job = runner.create("buggy", buggy)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        runner.start(job)
    message, details = blocker.args
    assert "Something went wrong" in message and "KeyError" in message and "Traceback" not in message
    assert "Traceback" in details


def test_shutdown_cancels_running_jobs(qtbot):
    r = JobRunner()
    started = threading.Event()

    def slow(progress):
        started.set()
        for _ in range(10_000):
            progress.check()
            time.sleep(0.01)

    job = r.submit("slow", slow)
    assert started.wait(5)
    assert r.shutdown(3000)
    assert job.wait(1)
    assert job.state == "cancelled"


def test_garbage_cycles_are_collected_on_the_gui_thread_not_in_a_job(qtbot, runner):
    """A cycle holding a Qt object, freed while a job allocates heavily, is destroyed on the GUI
    thread (collecting it on the worker thread deadlocked or crashed the window)."""
    import gc

    from PySide6.QtCore import QObject

    assert not gc.isenabled()
    gui = threading.get_ident()
    freed_on = []

    class Node:
        def __del__(self):
            freed_on.append(threading.get_ident())

    node = Node()
    node.me, node.qt = node, QObject()
    del node

    def allocate(progress):
        # kept (returned), so the allocation count stays far past gc's first threshold
        return [[[] for _ in range(10)] for _ in range(50_000)]

    job = runner.create("allocate", allocate)
    with qtbot.waitSignal(job.succeeded, timeout=10000):
        runner.start(job)
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on == [gui]


def test_errors_are_told_in_the_language_of_the_program(qtbot, runner):
    from bizops_desktop.core import i18n
    from bizops_desktop.qt.jobs import describe_error

    with i18n.use_language("zh_CN"):
        try:
            {}["x"]
        except KeyError as exc:
            msg, details = describe_error(exc)
        assert "程序内部出错了" in msg and "KeyError: 'x'" in msg and "帮助 ▸ 打开日志文件夹" in msg
        assert "Traceback" in details and "Something" not in msg
        assert "内存" in describe_error(MemoryError())[0]
    # a job's error is worded on its worker thread, in the language the program speaks
    i18n.set_language("zh_CN")
    try:
        job = runner.create("buggy", lambda progress: {}["missing"])
        with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
            runner.start(job)
        assert blocker.args[0].startswith("程序内部出错了（KeyError: 'missing'）")
    finally:
        i18n.set_language(None)  # the tests' language again (BIZOPS_LANG)
