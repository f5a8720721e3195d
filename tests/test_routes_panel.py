"""The Delivery routes tab as a shop owner meets it: run on the demo delivery day, read the
answer, pick a van, print the driver sheets (a PDF page per van, in English and in Chinese), and
the command line writing a CSV per route and the plot."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import run_panel

from bizops_desktop.core import i18n
from bizops_routes import ANALYSIS
from bizops_routes.panel import RoutesPanel, write_driver_sheets
from bizops_routes.sheets import sheet_html


@pytest.fixture
def panel(open_panel):
    return open_panel(RoutesPanel, ANALYSIS)


def test_run_shows_the_answer_each_van_and_what_is_not_served(qtbot, panel, tmp_path):
    run_panel(qtbot, panel, "deliveries", {"compare": False, "time_limit": 2})
    r = panel.result
    assert panel.headline.text() == i18n.text(r.headline) and "24 of 25 stops" in panel.headline.text()
    assert panel.vans_table.model.rowCount() == 2
    assert panel.unserved_table.model.rowCount() == 1
    assert panel.stops_table.model.rowCount() == len(r.tables["routes"])
    panel.van_combo.setCurrentIndex(1)  # van 1 alone
    assert panel.stops_table.model.rowCount() == len(r.tables["van_1"])
    # the map: one line per van from the depot back to it, and the depot
    layers = panel.map_plot.plot_view.spec.layers
    lines = [ly for ly in layers if ly.kind == "line"]
    assert len(lines) == 2 and all(ly.x[0] == ly.x[-1] == 0.0 for ly in lines)
    assert panel.sheets_button.isEnabled()
    pdfs = panel.export_driver_sheets(tmp_path)
    assert [p.name for p in pdfs] == ["van_1_driver_sheet.pdf", "van_2_driver_sheet.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


def test_driver_sheet_in_both_languages(tmp_path):
    from bizops_desktop.core import demo_routes
    from bizops_desktop.core.dataset import Dataset

    r = ANALYSIS.execute(
        Dataset("d", demo_routes.frame("zh_CN"), roles=demo_routes.roles("zh_CN")), {"compare": False, "time_limit": 1}
    )
    en = sheet_html(r, 1, "en")
    zh = sheet_html(r, 1, "zh_CN")
    assert "Van 1 — driver sheet" in en and "Signature" in en
    assert "1 号车 · 司机派送单" in zh and "签收" in zh and "仓库" in zh
    van1 = r.tables["van_1"]
    for stop in van1["stop"]:
        assert stop in zh
    for lang in ("en", "zh_CN"):
        pdfs = write_driver_sheets(r, tmp_path / lang, lang)
        assert len(pdfs) == len(r.tables["vans"]) and pdfs[0].stat().st_size > 2000


def test_cli_run_routes_writes_a_csv_per_route_and_the_plot(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bizops_desktop", "run", "routes", "--demo", "--dataset", "deliveries"]
    cmd += ["--set", "compare=false", "--set", "time_limit=1", "--out", str(out)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert {"van_1.csv", "van_2.csv", "routes.csv", "vans.csv", "unserved.csv", "map.png", "summary.json"} <= set(names)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "24 of 25 stops" in json.dumps(summary)
    first = (out / "van_1.csv").read_text(encoding="utf-8-sig").splitlines()  # BOM: Excel reads it as UTF-8
    assert first[0].startswith("van,seq,stop,arrive,window")


def test_cancel_stops_a_long_search_and_keeps_the_window_responsive(qtbot, panel):
    panel.select_dataset("deliveries")
    panel.set_params({"time_limit": 120, "compare": False})
    with qtbot.waitSignal(panel.run_ended, timeout=30000) as blocker:
        assert panel.run_analysis() is not None
        qtbot.wait(300)  # the solver is searching (its patience alone keeps it going for seconds)
        assert panel.cancel_button.isEnabled()
        panel.cancel()
    assert blocker.args == ["cancelled"]
    assert panel.result is None
