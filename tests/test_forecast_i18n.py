"""The Forecast tab in the shop's words and in Chinese: the headline answers "how much will sell"
with a likely range and says so plainly when nothing beats repeating last week; methods are named
in words everywhere (form, tables, sentences, plots); weekday and month names come from the
locale; a result saved in English reads in Chinese after loading, without recomputing; the
models' parameters are a dict cell that the export writes as rounded JSON."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import bizops_forecast
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.display import cell_text, title
from bizops_desktop.core.export import write_result
from bizops_desktop.core.i18n import format_number, text, use_language
from bizops_forecast.engine import SIMPLICITY
from bizops_forecast.i18n import calendar_name
from bizops_forecast.words import METHOD_IDS, method_name

A = bizops_forecast.ANALYSIS
CJK = re.compile(r"[\u4e00-\u9fff]")
PARAMS = {"top_products": 2, "horizon": 14}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from bizops_forecast.parallel import _one_blas_thread as limit

    with limit():
        yield


@pytest.fixture(scope="module")
def en_result():
    from bizops_desktop.core.demo import load_demo

    orders = next(d for d in load_demo(lang="en") if d.name.startswith("orders"))
    return A.execute(orders, PARAMS)


@pytest.fixture(scope="module")
def zh_result():
    from bizops_desktop.core.demo import load_demo

    with use_language("zh_CN"):
        orders = next(d for d in load_demo(lang="zh_CN") if d.name.startswith("orders"))
        return A.execute(orders, PARAMS)


# English words of ours that must not be left in the Chinese text (product names are data)
ENGLISH = re.compile(
    r"\b(forecast|sales|units|likely|method|pattern|weekly|yearly|highest|lowest|repeating|"
    r"naive|seasonal|the|next|days|Saturday|Monday|December)\b",
    re.I,
)


def _ours(result) -> list:
    """The notes this package wrote (the shared sales view adds its own)."""
    return [
        n
        for n in result.notes
        if (n.get("domain") if isinstance(n, dict) else getattr(n, "domain", None)) == "bizops_forecast"
    ]


def test_the_headline_is_the_next_periods_total_with_its_likely_range(en_result):
    r = en_result
    e = r.extra["series"]["Total"]
    total = sum(e["forecast"])
    low, high = sum(e["lower"]["80"]), sum(e["upper"]["80"])
    line = text(r.headline)
    assert line.startswith("All products, next 14 days: about ")
    m = re.search(r"about ([\d,]+) units \(likely ([\d,]+)–([\d,]+)\)", line)
    assert m, line
    got = [float(g.replace(",", "")) for g in m.groups()]
    assert got[0] == pytest.approx(total, rel=0.01)
    assert got[1] == pytest.approx(low, rel=0.01) and got[2] == pytest.approx(high, rel=0.01)
    assert got[1] < got[0] < got[2]
    # the chosen method's reason in words first, its MASE under details
    why = text(e["reason"])
    assert "forecast the last 14 days best: typically off by" in why and "MASE" not in why
    assert "MASE" in text(e["reason_details"])
    assert "holt_winters" not in why and "seasonal_naive" not in why


def test_the_headline_says_so_when_nothing_beats_last_week():
    # an exact weekly pattern: nothing forecasts it better than repeating last week
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    week = np.array([30.0, 25, 27, 29, 35, 60, 55])
    ds = Dataset(
        "s", pd.DataFrame({"day": days, "units": np.tile(week, 10)}), roles={"date": "day", "quantity": "units"}
    )
    r = A.execute(ds, {"horizon": 7})
    assert r.extra["series"]["Total"]["method"] == "seasonal_naive"
    line = text(r.headline)
    assert f"about {format_number(week.sum())} units" in line
    assert "No method forecast past sales better than simply repeating the same day last week" in line
    with use_language("zh_CN"):
        assert "上周同一天" in text(r.headline) and "照搬" in text(r.headline)


def test_methods_have_words_in_the_form_tables_sentences_and_plots(en_result):
    p = A.param("method")
    assert set(p.choice_labels) == set(p.choices)
    assert p.choice_label("seasonal_naive") == "Seasonal naive (same period last season)"
    with use_language("zh_CN"):
        assert p.choice_label("holt_winters") == "Holt-Winters 季节模型"
        assert A.param("freq").choice_label("W") == "按周"
    spec = en_result.columns["forecast"]["method"]
    assert spec.kind == "code" and set(METHOD_IDS) == set(SIMPLICITY) <= set(spec.values)
    assert cell_text("seasonal_naive", spec) == "Seasonal naive (same day last week)"
    assert cell_text("holt_winters_mul", spec) == "Holt-Winters (multiplicative seasonality)"
    with use_language("zh_CN"):
        assert cell_text("seasonal_naive", spec) == "季节性朴素法（上周同期）"
        assert cell_text("holt_winters_mul", spec) == "Holt-Winters 乘法季节模型"
    with use_language("zh_CN"):
        for m in METHOD_IDS:
            assert CJK.search(text(method_name(m, "W", 52))), m
    # the plots name methods and layers in words too
    spec = en_result.plots["forecast"].localized("en")
    names = [ly.name for ly in spec.layers if ly.name]
    method = text(method_name(en_result.extra["series"]["Total"]["method"], "D", 7))
    assert names[0] == "Actual sales" and f"Forecast: {method}" in names and "Likely range (80%)" in names
    ticks = [t for _, t in en_result.plots["methods"].localized("zh_CN").x_ticks]
    assert "季节朴素" in ticks and "seasonal_naive" not in ticks


def test_every_shown_table_has_titles_and_statistics_are_details(en_result):
    r = en_result
    for name, frame in r.tables.items():
        assert set(frame.columns) <= set(r.columns[name]), name
    fc = r.columns["forecast"]
    assert title("lower_80", fc["lower_80"]) == "Low estimate (80%)"
    assert title("upper_95", fc["upper_95"]) == "High estimate (95%)"
    with use_language("zh_CN"):
        assert title("lower_80", fc["lower_80"]) == "预测下限（80%）"
        assert title("forecast", fc["forecast"]) == "预测销量（件）"
    assert not any(c.details for c in fc.values())
    for col in ("mase", "smape", "mae"):
        assert r.columns["backtest"][col].details
    for col in ("aic", "loglik", "parameters"):
        assert r.columns["models"][col].details
    assert fc["series"].kind == "product" and r.names["Total"] == "All products"
    pid = r.extra["order"][1]
    assert r.names[pid] and r.names[pid] != pid
    assert cell_text(pid, fc["series"], r.names) == r.names[pid]
    # sentences name the product, not its id
    assert r.names[pid] in text(r.extra["series"][pid]["headline"])
    assert pid not in text(r.extra["series"][pid]["headline"])


def test_seasonality_in_words_with_the_locales_day_and_month_names(en_result):
    e = en_result.extra["series"]["Total"]
    weekly = next(s for s in e["seasonality_words"] if "eekly" in s["msgid"])
    assert "sales are highest on Saturday and lowest on Monday" in text(weekly)
    with use_language("zh_CN"):
        assert "星期六销量最高" in text(weekly) and "星期一最低" in text(weekly)
        assert text(calendar_name("December")) == "十二月"
        assert text(calendar_name("2024-01-05")) == "1月5日"
    assert text(calendar_name("2024-01-05"), "en") == "Jan 5"


def test_the_chinese_shop_reads_in_chinese(zh_result):
    r = zh_result
    with use_language("zh_CN"):
        line = text(r.headline)
        assert line.startswith("全部商品未来14天：预计约") and "件（大概率在" in line
        assert not ENGLISH.search(line), line
        for n in _ours(r):
            t = text(n)
            assert CJK.search(t), t
            left = ENGLISH.sub("", re.sub(r"Holt-Winters|ARIMA|SARIMA|MAPE|MASE|sMAPE|Holt", "", t))
            assert not re.search(r"[A-Za-z]{4,}", left), t
        for name in r.extra["order"]:
            e = r.extra["series"][name]
            for msg in (e["headline"], e["reason"], *e["seasonality_words"]):
                assert CJK.search(text(msg)) and not ENGLISH.search(text(msg)), text(msg)
        assert CJK.search(text(r.plots["forecast"].localized().title))
        why = r.tables["models"]["why"].iloc[0]
        assert CJK.search(cell_text(why, r.columns["models"]["why"]))
    pid = r.extra["order"][1]
    assert CJK.search(r.names[pid])  # the Chinese shop's product names, shown by name


def test_a_result_saved_in_english_reads_in_chinese_after_loading(en_result, tmp_path):
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    orders = next(d for d in load_demo(lang="en") if d.name.startswith("orders"))
    params = A.resolve(PARAMS)
    proj = Project(
        datasets={"orders": orders},
        analyses={"forecast": AnalysisState("forecast", "bizops_forecast", 1, params, "orders", en_result)},
    )
    save_project(proj, tmp_path / "p.bizops")
    back = load_project(tmp_path / "p.bizops").analyses["forecast"].result
    assert text(back.headline, "en") == text(en_result.headline, "en")
    with use_language("zh_CN"):
        assert text(back.headline).startswith("全部商品未来14天：预计约")
        notes = [text(n) for n in back.notes]
        assert any("有明显的每周规律：星期六销量最高" in n for n in notes)
        assert any("Holt-Winters" in n and "预测最准" in n for n in notes)
        assert title("lower_95", back.columns["forecast"]["lower_95"]) == "预测下限（95%）"
        assert cell_text(back.tables["forecast"]["method"].iloc[0], back.columns["forecast"]["method"]).startswith(
            ("Holt-Winters", "季节性", "朴素法", "移动平均", "简单指数", "ARIMA")
        )
        assert CJK.search(cell_text(back.tables["models"]["why"].iloc[0], back.columns["models"]["why"]))
        assert text(back.plots["forecast"].localized().title) == "销量预测：全部商品"
        e = back.extra["series"]["Total"]
        seasons = " ".join(text(s) for s in e["seasonality_words"])
        assert "星期六销量最高" in seasons and "十二月销量最高" in seasons


def test_model_parameters_are_a_dict_the_export_writes_as_rounded_json(en_result, tmp_path):
    models = en_result.tables["models"]
    params = models.loc[0, "parameters"]
    assert isinstance(params, dict) and params
    write_result(en_result, tmp_path)
    cell = pd.read_csv(tmp_path / "models.csv", encoding="utf-8-sig")["parameters"].iloc[0]
    written = json.loads(cell)
    assert written.keys() == params.keys()
    for k, v in params.items():
        if isinstance(v, float):  # rounded to its meaning: 6 significant digits at most, no float noise
            assert written[k] == pytest.approx(v, rel=1e-5, abs=1e-8)
            assert len(repr(written[k]).replace("-", "").replace(".", "").lstrip("0")) <= 6
    why = pd.read_csv(tmp_path / "models.csv", encoding="utf-8-sig")["why"].iloc[0]
    assert why == cell_text(models.loc[0, "why"], en_result.columns["models"]["why"])
