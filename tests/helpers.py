"""Helpers the tests import (``from helpers import run_panel, DEMO_DIR``): plain functions and
paths. Fixtures stay in conftest.py; nothing here is collected as a test."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
DEMO_DIR = ROOT / "resources" / "demo_shop"


def run_panel(qtbot, panel, dataset=None, params=None, timeout=60000) -> list[str]:
    """Pick the dataset, set params, press Run and wait; returns the progress texts seen.
    Fails with the panel's message unless the run ends as done."""
    if dataset:
        panel.select_dataset(dataset)
    if params:
        panel.set_params(params)
    texts: list[str] = []

    def watch(job):
        job.progress.connect(lambda _f, t: texts.append(t))

    panel.host.jobs.job_started.connect(watch)
    try:
        with qtbot.waitSignal(panel.run_ended, timeout=timeout) as blocker:
            assert panel.run_analysis() is not None, panel.message.text()
    finally:
        panel.host.jobs.job_started.disconnect(watch)
    assert blocker.args == ["done"], panel.message.text()
    return texts
