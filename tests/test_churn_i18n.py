"""Churn risk in the shop owner's words and language: the headline says how many customers are
likely to stop buying and what they spent (checked against the orders), or that the data cannot
tell; reasons, notes, plots and column titles render in Chinese, also from a project saved in
English; probabilities are shown as percent."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bizops_churn import ANALYSIS
from bizops_churn.words import Phrases
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.i18n import Message, text, use_language

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def zh_demo():
    from bizops_desktop.core.demo import load_demo

    return {d.name: d for d in load_demo(lang="zh_CN")}


@pytest.fixture(scope="module")
def en_demo():
    from bizops_desktop.core.demo import load_demo

    return {d.name: d for d in load_demo(lang="en")}


@pytest.fixture(scope="module")
def zh_orders_result(zh_demo):
    with use_language("zh_CN"):
        return ANALYSIS.execute(zh_demo["orders"], {"source": "orders"})


def _ours(messages) -> list:
    """The messages of this package (the core's own notes are translated by the core)."""
    return [m for m in messages if isinstance(m, Message) and m.domain == "bizops_churn"]


def test_the_chinese_demo_reads_in_chinese(zh_orders_result):
    r = zh_orders_result
    with use_language("zh_CN"):
        head = text(r.headline)
        assert CJK.search(head) and not LATIN_WORD.search(head), head
        lost = int((r.tables["scores"]["group"] == "lost").sum())
        assert head.startswith("没有仍活跃顾客的流失概率达到 50%") and f"另有 {lost} 位顾客已流失" in head
        notes = [text(n) for n in _ours(r.notes)]
        assert notes and all(CJK.search(n) for n in notes)
        # Reasons in words: no feature ids, no English (the Chinese shop's data is Chinese too).
        scores = r.tables["scores"]
        why = scores["top_reasons"].head(40).map(text)
        assert scores[scores["group"] == "lost"]["top_reasons"].head(40).map(text).str.contains("天没有下单").all()
        assert not why.str.contains(LATIN_WORD).any(), why[why.str.contains(LATIN_WORD)].tolist()
        for name, spec in r.plots.items():
            shown = spec.localized()
            assert CJK.search(shown.title) and not LATIN_WORD.search(shown.title.replace("AUC", "")), name
            assert all(CJK.search(str(ly.name)) for ly in shown.layers if ly.name)
        ticks = [t for _, t in r.plots["odds_ratios"].localized().x_ticks]
        assert ticks and all(CJK.search(t) and not LATIN_WORD.search(t) for t in ticks)
        titles = {c: text(spec.title) for c, spec in r.columns["scores"].items()}
        assert titles["churn_probability"] == "流失概率" and titles["top_reasons"] == "原因"


def test_every_shown_table_has_titles_and_probabilities_are_percent(zh_orders_result, zh_demo):
    customers = ANALYSIS.execute(zh_demo["customers"], {"source": "customers", "cv_folds": 5})
    for r in (zh_orders_result, customers):
        for name, frame in r.tables.items():
            assert set(frame.columns) <= set(r.columns[name]), (name, set(frame.columns) - set(r.columns[name]))
        scores = r.columns["scores"]
        assert scores["churn_probability"].kind == "percent"
        assert scores["predicted"].kind == "code" and set(scores["predicted"].values) == {"churn", "stay"}
        coef = r.columns["coefficients"]
        assert all(coef[c].details for c in ("coefficient", "odds_ratio", "std_dev"))
        # every model column has words
        assert set(r.tables["coefficients"]["feature"]) <= set(coef["feature"].values)
    assert customers.columns["scores"]["actual"].kind == "code"
    # The headline adds up what the flagged customers spent in the last year (a column of the table).
    s = customers.tables["scores"]
    flagged = s.loc[s["churn_probability"] >= customers.metrics["threshold"], "customer_id"]
    table = zh_demo["customers"].frame.set_index("买家会员名")
    assert customers.headline.values["amount"] == pytest.approx(table.loc[flagged, "近一年消费金额"].sum())
    with use_language("zh_CN"):
        head = text(customers.headline)
        assert head.startswith(
            f"400 位顾客中有 {len(flagged)} 位可能流失（流失概率 50% 及以上）；他们的近一年消费金额合计 ¥"
        ), head


def test_the_headline_money_is_what_is_at_stake_with_the_flagged_active_customers(en_demo):
    ds = en_demo["orders"]
    r = ANALYSIS.execute(ds, {"source": "orders", "threshold": 0.1})
    s, m = r.tables["scores"], r.metrics
    flagged = s[(s["group"] == "active") & (s["churn_probability"] >= 0.1)]
    assert len(flagged) > 0
    # at stake = spend in the next 90 days at the pace of the year to the cutoff x chance of leaving
    o = ds.frame
    cutoff = pd.Timestamp(m["cutoff"])
    want = 0.0
    for cid, prob in zip(flagged["customer_id"], flagged["churn_probability"]):
        mine = o[o["customer_id"] == cid]
        day = pd.to_datetime(mine["date"]).dt.normalize()
        spent = float(mine.loc[(day > cutoff - pd.Timedelta(days=365)) & (day <= cutoff), "amount"].sum())
        want += spent / min(max((cutoff - day.min()).days, 90), 365) * 90 * prob
    line = r.headline.values["line"]
    assert line.values["stake"] == pytest.approx(want)
    with use_language("en"):
        head = text(r.headline)
    assert head.startswith(
        f"{len(flagged)} active customers are likely to stop buying (chance of leaving 10% or more)"
    ), head
    assert f"${round(want):,}" in head and "next 90 days is at stake" in head
    assert "41 more customers are already lost" in head


def test_a_weak_model_says_the_data_cannot_tell():
    rng = np.random.default_rng(7)
    n = 300
    f = pd.DataFrame(
        {
            "customer": [f"c{i}" for i in range(n)],
            "visits": rng.poisson(3, n).astype(float),
            "plan": rng.choice(["a", "b"], n),
            "left": rng.choice(["yes", "no"], n, p=[0.3, 0.7]),
        }
    )
    r = ANALYSIS.execute(Dataset("noise", f, roles={"label": "left", "customer_id": "customer"}), {"cv_folds": 5})
    assert r.metrics["auc"] < 0.6
    with use_language("en"):
        assert text(r.headline).startswith("The data cannot tell who will leave")
    with use_language("zh_CN"):
        assert text(r.headline).startswith("这些数据看不出谁会流失")


def test_a_result_saved_in_english_reads_in_chinese_after_loading(tmp_path, en_demo):
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    with use_language("en"):
        r = ANALYSIS.execute(en_demo["orders"], {"source": "orders", "contact_cost": 2, "customer_value": 40})
        english = text(r.headline)
    proj = Project(datasets={}, analyses={"churn": AnalysisState("churn", "bizops_churn", 1, {}, "orders", r)})
    save_project(proj, tmp_path / "shop.bizops")
    back = load_project(tmp_path / "shop.bizops").analyses["churn"].result
    with use_language("en"):
        assert text(back.headline) == english
    with use_language("zh_CN"):
        head = text(back.headline)
        # with a contact cost the first line says how many to contact
        assert CJK.search(head) and head.startswith("联系流失风险最高的")
        assert [text(a.text) for a in back.actions] == [text(a.text) for a in r.actions] != []
        assert CJK.search(text(back.actions[0].why))
        notes = [
            text(n)
            for n in back.notes
            if (n.get("domain") if isinstance(n, dict) else getattr(n, "domain", None)) == "bizops_churn"
        ]
        assert len(notes) >= 3 and all(CJK.search(n) for n in notes)
        assert any(n.startswith("阈值") and "按成本选出" in n for n in notes)
        why = text(back.tables["scores"]["top_reasons"].iloc[0])
        assert "天没有下单" in why, why
        assert CJK.search(text(back.columns["scores"]["churn_probability"].title))
        assert CJK.search(back.plots["roc"].localized().title)
        meaning = back.tables["metrics"].set_index("metric")["meaning"].map(text)
        assert meaning["churn_rate"] == "其中 10% 已流失"


def test_reasons_say_the_spending_trend_in_words():
    with use_language("en"):
        assert text(Phrases.trend(-0.25)) == (
            "spent 40% less in the later half of their time with the shop than in the earlier half"
        )
        assert text(Phrases.trend(-1.0)) == "spent nothing in the later half of their time with the shop"
    with use_language("zh_CN"):
        assert text(Phrases.trend(-0.25)) == "后一半时间的消费比前一半少 40%"
    p = Phrases({"recency_days": "days since the last order"})
    with use_language("en"):
        assert text(p.number("recency_days", 120.0, 31.4)) == "no order for 120 days (average customer: 31)"
        assert text(p.number("frequency", 1.0, 6.0)) == "only 1 order (average customer: 6)"
        assert text(p.number("monetary", 40.0, 100.0)) == "monetary is low: $40.00 (average customer: $100.00)"


def test_customers_are_shown_by_name_when_the_data_has_names():
    rng = np.random.default_rng(3)
    n = 200
    f = pd.DataFrame(
        {
            "cid": [f"c{i:03d}" for i in range(n)],
            "name": [f"Shopper {i}" for i in range(n)],
            "complaints": rng.poisson(1.0, n).astype(float),
        }
    )
    f["left"] = np.where(rng.random(n) < 1 / (1 + np.exp(-(f["complaints"] - 1.5) * 2)), "yes", "no")
    ds = Dataset("named", f, roles={"label": "left", "customer_id": "cid", "feature": ["complaints"]})
    ds.roles["customer_name"] = ["name"]  # a column of names, when the data marks one
    r = ANALYSIS.execute(ds, {"cv_folds": 5})
    assert r.names["c007"] == "Shopper 7"
    assert r.columns["scores"]["customer_id"].kind == "customer"
