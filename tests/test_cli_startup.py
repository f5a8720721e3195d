"""What the command line costs outside the analysis stays small: starting it and loading the plugins
imports no heavy library, a basket run imports none of the libraries other analyses need, and a
finished ``run`` ends the process at once (``cli._end_now``) with every file written, its exit code
and its message intact. Each in a fresh interpreter, as a user starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "pyarrow", "scipy", "sklearn", "statsmodels", "matplotlib", "PySide6", "pyqtgraph")
OTHERS = ("scipy", "sklearn", "statsmodels", "matplotlib", "PySide6", "pyqtgraph", "duckdb", "distributed")


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "BIZOPS_DEBUG"}
    env.update(BIZOPS_LANG="en", QT_QPA_PLATFORM="offscreen")
    return env


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300, **kw
    )


def _imported(stderr: str) -> set[str]:
    """Top-level packages named in ``-X importtime``'s report."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_start_and_plugins_import_no_heavy_library():
    code = (
        "import sys\n"
        "import bizops_desktop.cli\n"
        "from bizops_desktop.core.plugins import load_registry\n"
        "reg = load_registry()\n"
        "assert 'basket' in reg.analyses and 'forecast' in reg.analyses, sorted(reg.analyses)\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = _run(["-c", code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.fixture
def baskets(tmp_path) -> Path:
    path = tmp_path / "baskets.csv"
    lines = ["order_id,product_id"]
    for k in range(300):
        for item in ("bread", "butter", "jam")[: 1 + k % 3]:
            lines.append(f"T{k:04d},{item}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_basket_run_imports_only_what_it_needs(baskets, tmp_path):
    out = tmp_path / "out"
    proc = _run(
        ["-X", "importtime", "-m", "bizops_desktop", "run", "basket", "--data", str(baskets)]
        + ["--out", str(out), "--no-plots", "--quiet"]
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = _imported(proc.stderr)
    assert "pandas" in imported  # the report is read right
    assert sorted(imported & set(OTHERS)) == []


def test_finished_run_ends_with_every_file_written(baskets, tmp_path):
    """The process that skips Python's teardown writes exactly what an in-process run writes."""
    from bizops_desktop.cli import main

    fast, slow = tmp_path / "fast", tmp_path / "slow"
    args = ["run", "basket", "--data", str(baskets), "--set", "min_support=0.1", "--quiet"]
    proc = _run(["-m", "bizops_desktop", *args, "--out", str(fast)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Basket rules: wrote" in proc.stdout  # stdout flushed before the end
    assert main([*args, "--out", str(slow), "--lang", "en"]) == 0  # in process: returns, never exits
    names = sorted(p.name for p in slow.iterdir())
    assert names == sorted(p.name for p in fast.iterdir()) and "rules.png" in names
    for name in names:
        if name != "summary.json":
            assert (fast / name).read_bytes() == (slow / name).read_bytes(), name
    fast_summary = json.loads((fast / "summary.json").read_text(encoding="utf-8"))
    slow_summary = json.loads((slow / "summary.json").read_text(encoding="utf-8"))
    fast_summary.pop("seconds", None), slow_summary.pop("seconds", None)
    assert fast_summary == slow_summary


def test_failed_run_keeps_its_exit_code_and_message(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    proc = _run(["-m", "bizops_desktop", "run", "basket", "--data", str(bad), "--out", str(tmp_path / "o")])
    assert proc.returncode == 1
    assert proc.stderr.startswith("bizops-desktop: ") and len(proc.stderr.strip().splitlines()) == 1
    proc = _run(["-m", "bizops_desktop", "run", "no_such_analysis", "--demo", "--out", str(tmp_path / "o")])
    assert proc.returncode == 2 and "unknown analysis" in proc.stderr


def test_run_as_program_settles_its_heap_and_runs_exit_handlers(baskets, tmp_path):
    """As the command line, a run freezes what it read and makes the full pass rarer; the exit
    handlers still run at the quick end. Called in process (tests, scripts), it leaves both alone."""
    import gc

    from bizops_desktop.cli import FULL_PASS_EVERY, main

    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('GC', gc.get_freeze_count() > 0, gc.get_threshold()[2]))\n"
        f"sys.argv = ['bizops-desktop', 'run', 'basket', '--data', {str(baskets)!r}, "
        f"'--out', {str(tmp_path / 'a')!r}]\n"
        "from bizops_desktop.cli import main\n"
        "raise SystemExit(main())\n"
    )
    proc = _run(["-c", code])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == f"GC True {FULL_PASS_EVERY}"
    before = gc.get_threshold(), gc.get_freeze_count()
    assert main(["run", "basket", "--data", str(baskets), "--out", str(tmp_path / "b"), "--no-plots"]) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
