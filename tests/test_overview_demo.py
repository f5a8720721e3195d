"""The Overview on the demo shop: Run all turns the planted truths into this week's actions (a pair
to bundle, customers to contact, a price to change, a product to restock), in money order, and
Open shows each one's row in its tab."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings

from bizops_desktop.core import i18n
from bizops_desktop.core.demo import load_demo, load_truth
from bizops_desktop.core.overview import Entry, actions_table, gathered, run_all
from bizops_desktop.core.plugins import load_registry


@pytest.fixture(scope="module")
def ran():
    registry = load_registry()
    datasets = load_demo(lang="en")
    outcomes = run_all(registry.ordered(), datasets)
    return registry, datasets, outcomes


def test_every_tab_runs_on_the_demo_shop(ran):
    _registry, _datasets, outcomes = ran
    assert {o.analysis: o.problem for o in outcomes if o.problem} == {}


def test_the_planted_truths_are_this_weeks_actions_in_money_order(ran):
    registry, _datasets, outcomes = ran
    truth = load_truth("en")
    entries = [Entry(o.analysis, registry.analyses[o.analysis].title, o.result) for o in outcomes]
    rows = gathered(entries)
    kinds = {}
    for entry, action in rows:
        kinds.setdefault(action.kind, []).append((entry.analysis, action))
    assert {"bundle", "contact", "price", "restock"} <= set(kinds)
    # a planted pair to bundle
    pairs = {(p["antecedent"], p["consequent"]) for p in truth["pairs"]["items"]}
    bundled = {(json.loads(a.key["a"])[0], json.loads(a.key["b"])[0]) for _t, a in kinds["bundle"]}
    assert bundled and bundled <= pairs | {(b, a) for a, b in pairs}
    # customers to contact: the planted fading customers, still reachable, are among them
    fading = {f["customer_id"] for f in truth["churn"]["fading_customers"]}
    contacted = {next(iter(a.key.values())) for t, a in kinds["contact"] if t == "churn"}
    assert contacted & fading, (contacted, fading)
    # a product to restock soon: the stock sheet's planted about-to-run-out product
    restock = {a.key.get("product_id") or a.key.get("product") for t, a in kinds["restock"] if t == "stock"}
    assert truth["stock"]["run_out"] in restock
    # a price to change, on a product whose price the demo moved
    assert all(a.key["product"] in truth["demand"]["products"] for t, a in kinds["price"] if t == "pricing")
    # money order: every action with a sum before those without, the largest first
    money = [a.money for _e, a in rows]
    with_sum = [m for m in money if m is not None]
    assert with_sum == sorted(with_sum, reverse=True)
    assert money[: len(with_sum)] == with_sum
    frame, _columns, headline = actions_table(entries)
    assert len(frame) == len(rows)
    assert i18n.format_money(sum(with_sum), decimals=0) in i18n.text(headline)


def test_open_shows_a_bundle_in_the_basket_tab(qtbot, tmp_path, ran):
    from bizops_desktop.qt.main_window import MainWindow

    registry, datasets, outcomes = ran
    w = MainWindow(
        registry=registry, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False
    )
    qtbot.addWidget(w)
    try:
        w.host.set_datasets(datasets)
        w._run_all_inputs = {d.name: w.host.input_of(d.name) for d in datasets}
        w.apply_outcomes(outcomes)
        shown = w.overview.table.frame()
        row = next(i for i, t in enumerate(shown["tab"]) if t == "basket")
        w.overview.table.select_source_row(row)
        w.overview._open_selected()
        panel = w.panels["basket"]
        assert w.tabs.currentWidget() is w._slots["basket"]
        _entry, action = w.overview._rows[row]
        table = panel.pairs_table
        pos = table.selected_source_row()
        assert pos is not None
        picked = table.model.source_frame().iloc[pos]
        assert [str(x) for x in picked["a"]] == json.loads(action.key["a"])
        assert [str(x) for x in picked["b"]] == json.loads(action.key["b"])
    finally:
        w.host.jobs.shutdown(5000)
