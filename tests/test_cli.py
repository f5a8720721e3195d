"""The command line: exit codes 0/1/2, one-line messages naming what is at fault, never a
traceback, and the same results as the tabs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bizops_desktop.cli import main

DATA = Path(__file__).parent / "data"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def orders_csv(tmp_path) -> Path:
    rows = []
    for o in range(60):
        items = ["coffee", "filter"] if o % 2 == 0 else ["tea"]
        if o % 3 == 0:
            items.append("mug")
        for it in items:
            rows.append(
                {
                    "order_id": f"O{o:03d}",
                    "customer_id": f"C{o % 13}",
                    "date": f"2024-01-{1 + o % 28:02d}",
                    "product_id": it,
                    "quantity": 1,
                    "unit_price": 5.0,
                }
            )
    p = tmp_path / "orders.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def test_run_writes_tables_summary_and_plots(capsys, orders_csv, tmp_path):
    out = tmp_path / "out"
    rc, stdout, err = run_cli(
        capsys, "run", "basket", "--data", str(orders_csv), "--set", "min_support=0.1", "--out", str(out)
    )
    assert rc == 0, err
    rules = pd.read_csv(out / "rules.csv")
    top = rules.sort_values("lift", ascending=False).iloc[0]
    assert sorted(json.loads(top["antecedents"]) + json.loads(top["consequents"])) == ["coffee", "filter"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["orders"] == 60
    assert list(out.glob("*.png")), "plots are written as PNG"
    assert "wrote" in stdout


@pytest.mark.parametrize(
    "args,words",
    [
        (["run", "nope", "--data", "x.csv", "--out", "o"], "unknown analysis 'nope'"),
        (["run", "basket", "--data", "x.csv"], "--out"),
        (["run", "basket", "--out", "o"], "one of the arguments"),
        (["run", "basket", "--data", "x.csv", "--set", "min_support=2", "--out", "o"], "min_support"),
        (["run", "basket", "--data", "x.csv", "--set", "nosuch=1", "--out", "o"], "unknown parameter 'nosuch'"),
        (["run", "basket", "--data", "x.csv", "--set", "min_support", "--out", "o"], "NAME=VALUE"),
        (["frobnicate", "--wat"], "unrecognized arguments"),
    ],
)
def test_bad_usage_exits_2_with_one_line(capsys, args, words):
    rc, _, err = run_cli(capsys, *args)
    assert rc == 2
    assert words in one_line(err)


def test_missing_file_exits_1_naming_it(capsys, tmp_path):
    rc, _, err = run_cli(capsys, "run", "basket", "--data", str(tmp_path / "nothere.csv"), "--out", str(tmp_path / "o"))
    assert rc == 1
    assert "nothere.csv" in one_line(err)


def test_empty_file_exits_1(capsys, tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    rc, _, err = run_cli(capsys, "run", "basket", "--data", str(p), "--out", str(tmp_path / "o"))
    assert rc == 1
    assert "empty.csv" in one_line(err)


def test_missing_role_names_it(capsys, tmp_path):
    p = tmp_path / "series.csv"
    pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}).to_csv(p, index=False)
    rc, _, err = run_cli(capsys, "run", "churn", "--data", str(p), "--out", str(tmp_path / "o"))
    assert rc == 1
    line = one_line(err)
    assert "Churn risk needs" in line and "series.csv" in line


def test_role_pointing_at_a_missing_column(capsys, orders_csv, tmp_path):
    rc, _, err = run_cli(
        capsys, "run", "basket", "--data", str(orders_csv), "--role", "product_id=SKU", "--out", str(tmp_path / "o")
    )
    assert rc == 1
    assert "no column 'SKU'" in one_line(err)
    rc, _, err = run_cli(
        capsys, "run", "basket", "--data", str(orders_csv), "--role", "colour=x", "--out", str(tmp_path / "o")
    )
    assert rc == 2 and "unknown role" in one_line(err)


def test_project_that_is_not_ours_exits_1(capsys, tmp_path):
    p = tmp_path / "x.bizops"
    p.write_text("hello, I am a text file")
    rc, _, err = run_cli(capsys, "run", "basket", "--project", str(p), "--out", str(tmp_path / "o"))
    assert rc == 1
    assert "x.bizops" in one_line(err)


def test_real_process_exit_codes_and_no_traceback(tmp_path):
    """Through the installed entry point's module, as a user would run it."""
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "bizops_desktop",
            "run",
            "basket",
            "--data",
            str(tmp_path / "missing.csv"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "missing.csv" in bad.stderr
    usage = subprocess.run([sys.executable, "-m", "bizops_desktop", "run"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    zh = subprocess.run(
        [
            sys.executable,
            "-m",
            "bizops_desktop",
            "run",
            "basket",
            "--data",
            "missing.csv",
            "--out",
            "o",
            "--lang",
            "zh_CN",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
        cwd=tmp_path,
    )
    assert zh.returncode == 1 and "Traceback" not in zh.stderr
    assert len(zh.stderr.strip().splitlines()) == 1 and "文件不存在" in zh.stderr


def test_one_basket_per_line_file(capsys, tmp_path):
    """A plain list file (no header, no quotes, lines of different lengths) gives the rules that
    counting by hand gives."""
    lines = []
    for i in range(100):
        basket = ["coffee", "filter"] if i % 2 == 0 else ["tea"]
        basket += ["mug", "cake", "milk"][: i % 4]
        lines.append(",".join(basket))
    p = tmp_path / "baskets.csv"
    p.write_text("\n".join(lines) + "\n")
    rc, _, err = run_cli(
        capsys,
        "run",
        "basket",
        "--data",
        str(p),
        "--set",
        "min_support=0.2",
        "--set",
        "min_confidence=0.9",
        "--out",
        str(tmp_path / "o"),
        "--no-plots",
    )
    assert rc == 0, err
    rules = pd.read_csv(tmp_path / "o" / "rules.csv")
    pairs = {
        (tuple(json.loads(a)), tuple(json.loads(c))): conf
        for a, c, conf in zip(rules["antecedents"], rules["consequents"], rules["confidence"])
    }
    assert pairs[(("coffee",), ("filter",))] == 1.0 and pairs[(("filter",), ("coffee",))] == 1.0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["orders"] == 100


# -- in Chinese: --lang zh_CN, or the system's LANG ---------------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(
    r"\b(the|is|are|not|needs?|unknown|arguments?|required|see|file|does|exist|"
    r"unrecognized|must|look|like|one|of)\b"
)


def chinese_line(err: str) -> str:
    line = one_line(err)
    assert line.startswith("bizops-desktop: ") and CJK.search(line), line
    # only names the user typed or the program's own words may stay in Latin letters
    assert not ENGLISH.search(line.replace("bizops-desktop --help", "")), line
    return line


@pytest.mark.parametrize(
    "args,code,words",
    [
        (["run", "basket", "--data", "missing.csv", "--out", "o"], 1, "missing.csv"),
        (["run", "nope", "--data", "x.csv", "--out", "o"], 2, "'nope'"),
        (["run", "basket", "--data", "x.csv"], 2, "--out"),  # argparse: required
        (["run", "basket", "--out", "o"], 2, "--data"),  # argparse: one of
        (["frobnicate", "--wat"], 2, "--wat"),  # argparse: unrecognized
        (["run", "basket", "--data"], 2, "--data"),  # argparse: expected one
        (["run", "basket", "--data", "x.csv", "--set", "min_support=2", "--out", "o"], 2, "min_support"),
        (["run", "basket", "--data", "x.csv", "--set", "min_support", "--out", "o"], 2, "NAME=VALUE"),
    ],
)
def test_errors_are_one_chinese_line_with_lang(capsys, args, code, words):
    rc, _, err = run_cli(capsys, *args, "--lang", "zh_CN")
    assert rc == code
    assert words in chinese_line(err)


def test_errors_follow_the_system_language(capsys, monkeypatch, tmp_path):
    for var in ("BIZOPS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.chdir(tmp_path)  # a path of plain names: no English words but the program's
    rc, _, err = run_cli(capsys, "run", "basket", "--data", "missing.csv", "--out", "o")
    assert rc == 1 and "missing.csv" in chinese_line(err)
    rc, _, err = run_cli(capsys, "run", "nope", "--demo", "--out", "o")
    assert rc == 2 and "nope" in chinese_line(err)


def test_a_missing_role_in_chinese_names_the_role_and_the_file(capsys, tmp_path):
    p = tmp_path / "series.csv"
    pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}).to_csv(p, index=False)
    rc, _, err = run_cli(capsys, "run", "churn", "--data", str(p), "--out", str(tmp_path / "o"), "--lang", "zh_CN")
    line = one_line(err)
    assert rc == 1 and "series.csv" in line and "label" in line and CJK.search(line)
    assert "或" in line  # the alternatives, as a Chinese list


def test_help_and_the_list_of_analyses_in_chinese(capsys):
    assert main(["run", "--help", "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "选项" in out and "显示这条帮助信息并退出" in out
    assert "usage:" not in out and "show this help" not in out
    assert main(["analyses", "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert "basket：" in out and "--set min_support" in out and "默认" in out
    assert "default" not in out and "LazyText" not in out


def test_argparse_is_left_as_it_was(capsys):
    """The translation of argparse's messages lasts only while the command line is parsed."""
    import argparse

    before = argparse._
    main(["run", "nope", "--demo", "--out", "o", "--lang", "zh_CN"])
    assert argparse._ is before
