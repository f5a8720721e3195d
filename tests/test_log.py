"""The log file: every error a user saw as one line is in it in full; writing it never fails a run."""

from __future__ import annotations

import pytest

from bizops_desktop import cli
from bizops_desktop.core import log


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    d = tmp_path / "logs"
    monkeypatch.setenv(log.LOG_DIR_ENV, str(d))
    yield d
    if log._handler is not None:  # leave no handler on a folder that is about to vanish
        log.logger.removeHandler(log._handler)
        log._handler.close()
        log._handler = None


def _log_text(d) -> str:
    for h in log.logger.handlers:
        h.flush()
    return (d / log.LOG_FILE).read_text(encoding="utf-8")


def test_cli_internal_error_is_one_line_on_stderr_and_full_in_the_log(log_dir, monkeypatch, capsys):
    def broken():
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(cli, "cmd_analyses", broken)
    assert cli.main(["analyses"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "ValueError: boom" in err and str(log_dir / log.LOG_FILE) in err
    text = _log_text(log_dir)
    assert "Traceback (most recent call last)" in text
    assert "in broken" in text and "second line" in text


def test_cli_user_error_is_logged_with_its_message(log_dir, capsys):
    assert cli.main(["run", "no_such_analysis", "--demo", "--out", str(log_dir / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown analysis" in err
    assert err.split(": ", 1)[1] in _log_text(log_dir)


def test_failed_job_is_logged_with_its_traceback(log_dir, qtbot):
    from bizops_desktop.qt.jobs import JobRunner

    runner = JobRunner()

    def work(progress):
        raise KeyError("no such column")

    job = runner.create("failing", work)
    with qtbot.waitSignal(job.failed, timeout=5000) as sig:
        runner.start(job)
    message, details = sig.args
    assert "KeyError" in message and "Help ▸ Open log folder" in message
    text = _log_text(log_dir)
    assert message in text and "in work" in text and "KeyError: 'no such column'" in text
    runner.shutdown()


def test_unwritable_log_folder_turns_file_logging_off(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(log.LOG_DIR_ENV, str(blocker / "logs"))
    assert log.setup_logging() is None
    log.log_error("still fine")  # must not raise


def test_log_rotates_and_keeps_a_bounded_number_of_files(log_dir, monkeypatch):
    monkeypatch.setattr(log, "MAX_BYTES", 2000)
    log.setup_logging()
    for i in range(400):
        log.logger.error("line %d %s", i, "x" * 50)
    files = sorted(p.name for p in log_dir.iterdir())
    assert files[0] == log.LOG_FILE
    assert len(files) == 1 + log.BACKUPS
    assert all((log_dir / f).stat().st_size <= 2200 for f in files)


def test_help_open_log_folder_opens_the_log_folder(log_dir, qtbot, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from bizops_desktop.qt.main_window import MainWindow

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    w = MainWindow()
    qtbot.addWidget(w)
    assert "log folder" in w.act_log_folder.text()
    w.act_log_folder.trigger()
    assert opened == [str(log_dir)]
    assert log_dir.is_dir()


def test_a_message_seen_in_chinese_is_logged_as_seen(log_dir):
    from bizops_desktop.core import i18n
    from bizops_desktop.qt.jobs import describe_error

    with i18n.use_language("zh_CN"):
        message, _details = describe_error(KeyError("无此列"))
    text = _log_text(log_dir)
    assert message.startswith("程序内部出错了（KeyError: '无此列'）") and message in text
