"""Stock planning on the demo shops (English and Chinese): the planted truths of the stock sheet
(resources/demo_shop*/truth.json, key "stock") are found; the CLI writes the order proposal."""

from __future__ import annotations

import json

import pytest

from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.progress import Progress
from bizops_stock import ANALYSIS


@pytest.fixture(scope="module", params=["en", "zh_CN"])
def shop(request):
    lang = request.param
    ds = {d.name: d for d in load_demo(lang=lang)}["orders"]
    truth = load_truth(lang)["stock"]
    params = {"forecast_method": "ses", "seasonal": [truth["seasonal"]]}
    return ANALYSIS.execute(ds, params, Progress()), truth


def test_planted_run_out_is_ordered_now_and_at_risk(shop):
    r, truth = shop
    orders = r.tables["orders"].set_index("product")
    row = orders.loc[truth["run_out"]]
    assert row["order_by"] == truth["today"] and row["order_qty"] > 0
    assert row["stockout_risk"] >= 0.5 and truth["run_out"] in r.metrics["at_risk"]
    # the first restock action is the product about to run out, with its sales at risk
    first = [a for a in r.actions if a.kind == "restock"][0]
    assert first.key == {"product": truth["run_out"]} and first.money > 0


def test_planted_overstock_is_listed_with_money_tied_up(shop):
    r, truth = shop
    over = r.tables["overstock"]
    assert over["product"].iloc[0] == truth["overstocked"]
    assert over["months_of_cover"].iloc[0] > 6 and over["excess_value"].iloc[0] > 0
    md = [a for a in r.actions if a.kind == "markdown"]
    assert md and md[0].key == {"product": truth["overstocked"]}


def test_planted_intermittent_seller_gets_a_croston_method(shop):
    r, truth = shop
    row = r.tables["orders"].set_index("product").loc[truth["intermittent"]]
    assert row["pattern"] in ("intermittent", "lumpy")
    assert row["adi"] == pytest.approx(truth["intermittent_adi"], rel=0.05)
    assert row["method"] in ("sba", "tsb")


def test_planted_seasonal_product_gets_the_newsvendor(shop):
    r, truth = shop
    row = r.tables["orders"].set_index("product").loc[truth["seasonal"]]
    assert row["policy"] == "newsvendor"


def test_headline_answers_first(shop):
    from bizops_desktop.core.i18n import text

    r, _truth = shop
    head = text(r.headline)
    n = r.metrics["orders_this_week"]
    assert head.startswith(f"Order {n} product") and "at risk of running out" in head
    assert r.metrics["replay"]["products"] > 0


def test_cli_writes_the_order_proposal(tmp_path):
    from bizops_desktop.cli import main

    code = main(["run", "stock", "--demo", "--set", "forecast_method=ses", "--out", str(tmp_path)])
    assert code == 0
    assert (tmp_path / "orders.csv").is_file() and (tmp_path / "overstock.csv").is_file()
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["metrics"]["orders_this_week"] >= 1 if "metrics" in summary else True


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_this_weeks_overview_lists_the_product_about_to_run_out(lang):
    """Run all (as the Overview and the report do) on the demo shop: the stock sheet is another
    open table, found by its stock-on-hand column; the planted product about to run out is the
    stock tab's first action in the ranked list, with its sales at risk."""
    from bizops_desktop.core.i18n import text
    from bizops_desktop.core.overview import Entry, actions_table, run_all

    truth = load_truth(lang)["stock"]
    tables = load_demo(lang=lang)
    out = run_all([ANALYSIS], tables, saved={"stock": ({"forecast_method": "ses"}, None)})
    assert out[0].dataset == "orders" and out[0].problem is None
    frame, _cols, _head = actions_table([Entry("stock", ANALYSIS.title, out[0].result)])
    restock = frame[frame["tab"] == "stock"]
    first = out[0].result.actions[0]
    assert first.kind == "restock" and first.key == {"product": truth["run_out"]}
    row = restock[restock["action"].map(lambda a: truth["names"][truth["run_out"]] in text(a, lang))]
    assert len(row) == 1 and row["money"].iloc[0] == pytest.approx(first.money)
