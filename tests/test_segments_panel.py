"""The Customers & campaigns tab as a user meets it: run on the demo orders with a campaign
list, see the headline and the segments, export the list with its holdout group."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import run_panel

from bizops_desktop.core.i18n import text
from bizops_segments import ANALYSIS
from bizops_segments.panel import SegmentsPanel


@pytest.fixture
def panel(open_panel):
    return open_panel(SegmentsPanel, ANALYSIS)


def test_run_shows_segments_and_exports_the_campaign_list(qtbot, panel, tmp_path):
    run_panel(qtbot, panel, "orders", {"list_segments": ["cant_lose"], "holdout_share": 0.2, "clusters": False})
    r = panel.result
    assert panel.headline.text() == text(r.headline) and "of the revenue" in panel.headline.text()
    seg = r.tables["segments"]
    assert panel.tables["segments"].model.rowCount() == len(seg)
    assert seg["customers"].sum() == 400 and seg["share_revenue"].sum() == pytest.approx(1.0)
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.pages["clusters"]))  # not asked for
    lst = r.tables["campaign_list"]
    assert set(lst["segment"]) == {"cant_lose"}
    assert (lst["group"] == "holdout").sum() == round(0.2 * len(lst))
    assert panel.export_list_button.isEnabled()
    out = panel.export_list(tmp_path / "list.csv")
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(back["customer_id"]) == sorted(lst["customer_id"])
    assert set(back["group"]) == {"contacted", "holdout"}
    assert r.actions and r.actions[0].money is not None
