"""A third-party analysis runs in a child process (issue 15, item 6): one that hangs is stopped
by Cancel, one that calls os._exit or crashes the interpreter gives a message and the program goes
on; a normal one gives the same result as in the process. Built-ins stay in the process."""

from __future__ import annotations

import sys
import textwrap
import threading
import time

import pandas as pd
import pytest

from bizops_desktop.core import sandbox
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, DataError, UsageError
from bizops_desktop.core.plugins import load_registry
from bizops_desktop.core.progress import Progress

PLUGIN = textwrap.dedent("""
    import os, time, ctypes
    from bizops_desktop.hooks import Analysis, Param, hookimpl
    from bizops_desktop.core.analysis import Result
    from bizops_desktop.core.errors import UsageError

    def run(ds, params, progress):
        how = params["how"]
        if how == "hang":
            while True:
                time.sleep(0.05)
        if how == "exit":
            os._exit(3)
        if how == "segfault":
            ctypes.string_at(0)
        if how == "refuse":
            raise UsageError("the numbers do not add up", hint="Pick another column")
        if how == "bug":
            raise KeyError("oops")
        progress.report(0.5, "half way")
        return Result(tables={"t": ds.frame.assign(double=ds.frame["x"] * 2)}, metrics={"n": len(ds.frame)},
                      notes=["fine"])

    @hookimpl
    def bizops_register_analyses():
        hows = ("ok", "hang", "exit", "segfault", "refuse", "bug")
        return [Analysis(id="wild", title="Wild", summary="a stranger's analysis", run=run,
                         params=[Param("how", "choice", "ok", choices=hows)])]
""")


@pytest.fixture
def wild(tmp_path):
    (tmp_path / "wild_plugin.py").write_text(PLUGIN, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        reg = load_registry(entry_points=False, extra=["wild_plugin"])
        yield reg.analysis("wild")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("wild_plugin", None)


DATA = Dataset("d", pd.DataFrame({"x": [1, 2, 3]}))


def test_builtins_run_in_the_process_third_parties_in_a_child(wild):
    reg = load_registry(entry_points=False)
    assert not any(sandbox.wanted(a) for a in reg.analyses.values())
    assert sandbox.wanted(wild) and wild.isolated_module == "wild_plugin"


def test_a_normal_run_gives_the_result_and_its_progress(wild):
    seen = []
    res = wild.execute(DATA, {"how": "ok"}, Progress(lambda f, t: seen.append(t)))
    assert res.tables["t"]["double"].tolist() == [2, 4, 6] and res.metrics["n"] == 3 and res.notes == ["fine"]
    assert "half way" in seen


def test_a_hanging_run_is_stopped_by_cancel(wild):
    progress = Progress()
    threading.Timer(1.5, progress.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        wild.execute(DATA, {"how": "hang"}, progress)
    assert time.monotonic() - t0 < 15


@pytest.mark.parametrize("how", ["exit", "segfault"])
def test_a_run_that_kills_its_process_gives_a_message(wild, how):
    with pytest.raises(DataError, match="stopped unexpectedly"):
        wild.execute(DATA, {"how": how})
    # and the program (this test process) goes on
    assert wild.execute(DATA, {"how": "ok"}).metrics["n"] == 3


def test_the_plugins_own_messages_and_bugs_come_back_in_words(wild):
    with pytest.raises(UsageError, match="the numbers do not add up. Pick another column"):
        wild.execute(DATA, {"how": "refuse"})
    with pytest.raises(DataError, match="failed inside its plugin.*KeyError"):
        wild.execute(DATA, {"how": "bug"})
