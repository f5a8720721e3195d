"""What the command line writes for people and scripts: every analysis on the demo shop, CSVs
without float noise, titles on request, in the language asked for."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from bizops_desktop import cli

NOISE = re.compile(r"\d\.\d{9,}")  # 1.8699999999999999, 0.24310264996089523


@pytest.mark.parametrize("analysis", ["basket", "forecast", "pricing", "churn", "recommender"])
def test_every_analysis_writes_csvs_without_float_noise(analysis, tmp_path, capsys):
    out = tmp_path / analysis
    assert cli.main(["run", analysis, "--demo", "--out", str(out), "--no-plots", "--quiet"]) == 0
    csvs = list(out.glob("*.csv"))
    assert csvs
    for p in csvs:
        text = p.read_text(encoding="utf-8-sig")
        assert not NOISE.search(text), f"{p.name}: {NOISE.search(text).group()}"
    json.loads((out / "summary.json").read_text(encoding="utf-8"))  # strict JSON


def test_titles_and_language_of_the_export(tmp_path, capsys):
    ids, titled = tmp_path / "ids", tmp_path / "titled"
    assert cli.main(["run", "basket", "--demo", "--out", str(ids), "--no-plots", "--quiet"]) == 0
    assert (
        cli.main(
            ["run", "basket", "--demo", "--out", str(titled), "--no-plots", "--quiet", "--titles", "--lang", "zh_CN"]
        )
        == 0
    )
    plain = pd.read_csv(ids / "rules.csv")
    chinese = pd.read_csv(titled / "rules.csv")
    assert "lift" in plain.columns  # stable ids for scripts
    assert all(re.search(r"[\u4e00-\u9fff]", str(c)) for c in chinese.columns)  # titles in Chinese
    summary = json.loads((titled / "summary.json").read_text(encoding="utf-8"))
    assert re.search(r"[\u4e00-\u9fff]", summary["headline"])
