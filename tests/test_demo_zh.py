"""The Chinese demo shop (resources/demo_shop_zh): generated deterministically, the English shop
row for row under Chinese ids, names and yuan, read by our importer as the GBK Taobao export it
imitates, and every tab, run through the plugin registry, recovers the planted truths on it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import demo
from bizops_desktop.core.i18n import text, use_language

ZH = demo.ZH
ZH_DIR = demo.demo_dir(ZH)
EN_DIR = demo.demo_dir()
F = demo.ZH_PRICE_FACTOR


def _read_zh(name: str) -> pd.DataFrame:
    return pd.read_csv(ZH_DIR / name, encoding="gbk", dtype=str, keep_default_na=False)


def _read_en(name: str) -> pd.DataFrame:
    return pd.read_csv(EN_DIR / name, dtype=str, keep_default_na=False)


def _cents(col) -> np.ndarray:
    return np.rint(col.astype(float).to_numpy() * 100).astype(np.int64)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((ZH_DIR / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def en_truth() -> dict:
    return json.loads((EN_DIR / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def datasets() -> dict:
    """The Chinese shop as the app opens it, read once for the module."""
    return {d.name: d for d in demo.load_demo(lang=ZH)}


@pytest.fixture(scope="module")
def registry():
    from bizops_desktop.core.plugins import load_registry

    return load_registry()


# -- the files ---------------------------------------------------------------------------------
def test_generation_is_deterministic_and_equals_committed_files(tmp_path):
    demo.write_demo(tmp_path, lang=ZH)
    for name in demo.FILES:
        new = (tmp_path / name).read_bytes()
        assert new == (ZH_DIR / name).read_bytes(), f"{name} differs from the committed copy: regenerate it"
        assert not new.startswith((b"\xef\xbb\xbf", b"\xff\xfe")) and b"\r\n" not in new
    for name in ("orders.csv", "reviews.csv", "customers.csv", "weekly_sales.csv"):
        raw = (ZH_DIR / name).read_bytes()
        raw.decode("gbk")  # strict GBK, as Taobao's seller centre writes
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    assert sum((ZH_DIR / n).stat().st_size for n in demo.FILES) < 7_000_000  # GBK orders text is longer


def test_orders_file_is_laid_out_like_a_taobao_order_report(truth):
    lines = (ZH_DIR / "orders.csv").read_bytes().decode("gbk").split("\n")
    assert lines[0] == ",".join(f'"{c}"' for c in demo.ZH_ORDER_COLUMNS)
    # 订单编号 as an Excel text formula, every other cell in quotes
    first = lines[1].split(",")
    assert first[0].startswith('="') and first[0].endswith('"') and len(first[0]) == 19 + 3
    assert all(c.startswith('"') and c.endswith('"') for c in first[1:])
    o = _read_zh("orders.csv")
    assert list(o.columns) == list(demo.ZH_ORDER_COLUMNS)
    num = o["订单编号"].str.fullmatch(r'="(\d{19})"')
    assert num.all()
    digits = o["订单编号"].str[2:-1]
    assert digits.nunique() == truth["counts"]["orders"]
    created = pd.to_datetime(o["订单创建时间"], format="%Y-%m-%d %H:%M:%S")
    paid = pd.to_datetime(o["订单付款时间"], format="%Y-%m-%d %H:%M:%S")
    assert (paid >= created).all() and (paid.dt.normalize() == created.dt.normalize()).all()
    # order numbers rise with the time the order was placed, as Taobao's do
    per_order = pd.DataFrame({"n": digits.astype("uint64"), "t": created}).drop_duplicates("n")
    assert per_order["n"].is_monotonic_increasing and per_order["t"].is_monotonic_increasing
    assert (o["订单状态"] == "交易成功").all()
    assert set(o["是否参与活动"]) == {"是", "否"}
    assert set(o["类目"]) == set(demo.ZH_CATEGORIES.values())
    assert o["买家会员名"].nunique() == 400 and o["商家编码"].nunique() == 40


def test_the_chinese_shop_is_the_english_shop_row_for_row(truth):
    """Each table equals the English one under the id maps and x price factor, so every planted
    truth the English tests check in the raw data holds here too."""
    pid, cid = truth["product_ids"], truth["customer_ids"]
    assert len(set(pid.values())) == 40 and len(set(cid.values())) == 400
    en_o, zh_o = _read_en("orders.csv"), _read_zh("orders.csv")
    assert len(en_o) == len(zh_o) == truth["counts"]["order_lines"]
    # the same orders: a one-to-one map between English order ids and Chinese order numbers
    pairs = pd.DataFrame({"en": en_o["order_id"], "zh": zh_o["订单编号"]}).drop_duplicates()
    assert pairs["en"].is_unique and pairs["zh"].is_unique
    assert (zh_o["买家会员名"] == en_o["customer_id"].map(cid)).all()
    assert (zh_o["商家编码"] == en_o["product_id"].map(pid)).all()
    assert (zh_o["宝贝标题"] == en_o["product_id"].map({k: v[1] for k, v in demo.ZH_PRODUCTS.items()})).all()
    assert (zh_o["类目"] == en_o["category"].map(demo.ZH_CATEGORIES)).all()
    assert (zh_o["订单创建时间"].str[:10] == en_o["date"]).all()
    assert (zh_o["购买数量"] == en_o["quantity"]).all()
    np.testing.assert_array_equal(_cents(zh_o["宝贝单价"]), F * _cents(en_o["unit_price"]))
    np.testing.assert_array_equal(_cents(zh_o["实付金额"]), F * _cents(en_o["amount"]))
    assert (zh_o["是否参与活动"] == en_o["promotion"].map({"1": "是", "0": "否"})).all()

    en_r, zh_r = _read_en("reviews.csv"), _read_zh("reviews.csv")
    assert list(zh_r.columns) == list(demo.ZH_REVIEW_COLUMNS)
    assert (zh_r["买家会员名"] == en_r["customer_id"].map(cid)).all()
    assert (zh_r["商家编码"] == en_r["product_id"].map(pid)).all() and (zh_r["评分"] == en_r["rating"]).all()
    verdict = en_r["rating"].astype(int).map({5: "好评", 4: "好评", 3: "中评", 2: "差评", 1: "差评"})
    assert (zh_r["评价"] == verdict).all()

    en_c, zh_c = _read_en("customers.csv"), _read_zh("customers.csv")
    cols = demo.ZH_COLUMNS["customers"]
    assert list(zh_c.columns) == [cols[c] for c in en_c.columns]
    assert (zh_c["买家会员名"] == en_c["customer_id"].map(cid)).all()
    for en_col in ("signup_date", "orders_last_year", "days_since_last_order"):
        assert (zh_c[cols[en_col]] == en_c[en_col]).all(), en_col
    assert (zh_c["城市"] == en_c["city"].map(demo.ZH_CITIES)).all()
    assert (zh_c["客户类型"] == en_c["segment"].map(demo.ZH_SEGMENTS)).all()
    assert (zh_c["订阅短信"] == en_c["newsletter"].map({"yes": "是", "no": "否"})).all()
    assert (zh_c["是否流失"] == en_c["churned"].map({"Yes": "是", "No": "否"})).all()
    # the English spend is a rounded float sum; the Chinese one is summed in 分
    np.testing.assert_allclose(
        zh_c["近一年消费金额"].astype(float), F * en_c["spend_last_year"].astype(float), atol=F * 0.006
    )

    en_w, zh_w = _read_en("weekly_sales.csv"), _read_zh("weekly_sales.csv")
    assert list(zh_w.columns) == ["周", "商家编码", "销量", "价格", "广告费", "促销"]
    assert (zh_w["周"] == en_w["week"]).all() and (zh_w["商家编码"] == en_w["product_id"].map(pid)).all()
    assert (zh_w["销量"] == en_w["units"]).all() and (zh_w["促销"] == en_w["promotion"]).all()
    np.testing.assert_array_equal(_cents(zh_w["价格"]), F * _cents(en_w["price"]))
    np.testing.assert_array_equal(zh_w["广告费"].astype(int), F * en_w["advertising"].astype(int))


def test_truth_is_the_english_truth_in_chinese_ids_and_yuan(truth, en_truth):
    pid, cid = truth["product_ids"], truth["customer_ids"]
    assert truth["price_factor"] == F and truth["currency"] == "CNY" and truth["lang"] == ZH
    assert truth["seed"] == en_truth["seed"] and truth["counts"] == en_truth["counts"]
    assert truth["seasonality"] == en_truth["seasonality"]
    for zp, ep in zip(truth["pairs"]["items"], en_truth["pairs"]["items"]):
        assert (zp["antecedent"], zp["consequent"]) == (pid[ep["antecedent"]], pid[ep["consequent"]])
        assert zp["names"] == [demo.ZH_PRODUCTS[ep["antecedent"]][1], demo.ZH_PRODUCTS[ep["consequent"]][1]]
        for k in ("support", "confidence", "confidence_reverse", "lift", "orders_with_both"):
            assert zp[k] == ep[k]
    for en_id, ep in en_truth["demand"]["products"].items():
        zp = truth["demand"]["products"][pid[en_id]]
        assert zp["elasticity"] == ep["elasticity"]
        assert zp["weekly_units_at_base_price"] == ep["weekly_units_at_base_price"]
        assert zp["promotion_weeks"] == ep["promotion_weeks"]
        assert zp["base_price"] == pytest.approx(F * ep["base_price"], abs=1e-9)
        assert zp["unit_cost"] == pytest.approx(F * ep["unit_cost"], abs=1e-9)
        assert zp["price_levels"] == pytest.approx([F * v for v in ep["price_levels"]], abs=1e-9)
        assert [c["price"] for c in zp["price_changes"]] == pytest.approx(
            [F * c["price"] for c in ep["price_changes"]], abs=1e-9
        )
        if ep["optimal_price"] is None:
            assert zp["optimal_price"] is None
        else:
            assert zp["optimal_price"] == pytest.approx(F * ep["optimal_price"], abs=1e-3)
    ch, ech = truth["churn"], en_truth["churn"]
    assert [d["customer_id"] for d in ch["drifting_customers"]] == [
        cid[d["customer_id"]] for d in ech["drifting_customers"]
    ]
    assert ch["churned_customers"] == sorted(cid[c] for c in ech["churned_customers"])
    assert ch["snapshot_date"] == ech["snapshot_date"] and ch["churn_days"] == ech["churn_days"]
    assert truth["reviews"]["customer_groups"] == {cid[k]: v for k, v in en_truth["reviews"]["customer_groups"].items()}
    c, ec = truth["weekly_sales"]["coefficients"], en_truth["weekly_sales"]["coefficients"]
    assert c["price"] == pytest.approx(ec["price"] / F) and c["advertising"] == pytest.approx(ec["advertising"] / F)
    assert c["const"] == ec["const"] and c["promotion"] == ec["promotion"]


# -- as the app opens it -------------------------------------------------------------------------
def test_load_demo_reads_the_gbk_export_with_chinese_roles(datasets, truth):
    assert list(datasets) == [
        "orders",
        "reviews",
        "customers",
        "weekly_sales",
        "deliveries",
        "campaign_orders",
        "stock",
        "price_segments",
        "markdown_sales",
    ]
    orders = datasets["orders"]
    assert orders.import_options["encoding"].lower() in ("gbk", "gb18030")
    assert "GBK" in orders.notes[0] and "(detected)" in orders.notes[0]
    assert orders.roles == {
        "order_id": ["订单编号"],
        "customer_id": ["买家会员名"],
        "date": ["订单创建时间"],
        "product_id": ["商家编码"],
        "product_name": ["宝贝标题"],
        "quantity": ["购买数量"],
        "price": ["宝贝单价"],
        "amount": ["实付金额"],
    }
    f = orders.frame
    assert len(f) == truth["counts"]["order_lines"]
    assert f["订单编号"].nunique() == truth["counts"]["orders"]
    assert f["买家会员名"].nunique() == truth["counts"]["customers"]
    assert f["商家编码"].nunique() == truth["counts"]["products"]
    assert len(datasets["reviews"].frame) == truth["counts"]["reviews"]
    assert len(datasets["customers"].frame) == truth["counts"]["customers"]
    assert len(datasets["weekly_sales"].frame) == truth["counts"]["weekly_sales_rows"]
    # the 19-digit order numbers stay text: never a number, never 2.002281E+18
    assert not pd.api.types.is_numeric_dtype(f["订单编号"])
    assert f["订单编号"].astype(str).str.contains(r"\d{19}").all()
    assert not f["订单编号"].astype(str).str.contains("E+", regex=False).any()
    assert pd.api.types.is_datetime64_any_dtype(f["订单创建时间"])
    for col in ("购买数量", "宝贝单价", "实付金额"):
        assert pd.api.types.is_numeric_dtype(f[col]), col
    assert datasets["reviews"].has("customer_id", "product_id", "rating")
    cust = datasets["customers"]
    assert cust.col("label") == "是否流失"
    assert cust.cols("feature") == ["城市", "客户类型", "订阅短信", "近一年订单数", "近一年消费金额", "距上次下单天数"]
    weekly = datasets["weekly_sales"]
    assert weekly.col("target") == "销量" and weekly.cols("feature") == ["价格", "广告费", "促销"]
    assert weekly.col("date") == "周" and weekly.col("product_id") == "商家编码"
    assert demo.load_truth(ZH) == truth


def test_order_numbers_are_read_as_the_bare_19_digits(datasets):
    assert datasets["orders"].frame["订单编号"].str.fullmatch(r"\d{19}").all()


def test_the_language_picks_the_shop(en_truth, truth):
    with use_language("zh_CN"):
        assert demo.load_truth() == truth
        assert demo.dataset_roles()["orders"]["order_id"] == "订单编号"
    with use_language("en"):
        assert demo.load_truth() == en_truth
    assert demo.load_truth("de") == en_truth and demo.load_truth("zh") == truth


def test_missing_resources_are_generated_into_a_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "demo_dir", lambda lang="en": tmp_path / "nowhere")
    monkeypatch.setattr(demo.tempfile, "gettempdir", lambda: str(tmp_path))
    truth = demo.load_truth(ZH)
    (made,) = tmp_path.glob(f"bizops_demo_shop_zh_{demo.SEED}_*")
    assert (made / "orders.csv").read_bytes() == (ZH_DIR / "orders.csv").read_bytes()
    assert truth["lang"] == ZH


def test_command_line_writes_the_chinese_shop(tmp_path, capsys):
    assert demo.main(["--lang", ZH, "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(demo.FILES)
    assert (tmp_path / "weekly_sales.csv").read_bytes() == (ZH_DIR / "weekly_sales.csv").read_bytes()
    assert str(tmp_path) in capsys.readouterr().out


# -- every tab on it, through the registry -----------------------------------------------------
def test_basket_planted_pairs_are_the_top_rules_by_lift(registry, datasets, truth):
    pairs = truth["pairs"]["items"]
    basket = registry.analysis("basket")
    res = basket.execute(
        datasets["orders"], {"min_support": 0.002, "min_confidence": 0.01, "min_lift": 0.0, "max_len": 2}
    )
    rules = res.tables["rules"]
    n_top = 2 * len(pairs)  # each pair in both directions
    assert len(rules) > 5 * n_top
    top = rules.head(n_top)
    got = {(a[0], c[0]) for a, c in zip(top["antecedents"], top["consequents"])}
    want = {(p["antecedent"], p["consequent"]) for p in pairs} | {(p["consequent"], p["antecedent"]) for p in pairs}
    assert got == want
    assert rules["lift"].iat[n_top] < 0.5 * min(p["lift"] for p in pairs)
    for p in pairs:
        row = top[
            (top["antecedents"].map(tuple) == (p["antecedent"],))
            & (top["consequents"].map(tuple) == (p["consequent"],))
        ]
        assert row["count"].item() == p["orders_with_both"]
        assert row["support"].item() == pytest.approx(p["support"], abs=1e-6)
        assert row["confidence"].item() == pytest.approx(p["confidence"], abs=1e-6)
        assert row["lift"].item() == pytest.approx(p["lift"], abs=1e-6)
        assert list(row["antecedent_names"].item()) + list(row["consequent_names"].item()) == p["names"]
    default = basket.execute(datasets["orders"], {}).tables["rules"]
    assert {(a[0], c[0]) for a, c in zip(default["antecedents"], default["consequents"])} == want


def test_churn_drifting_customers_rank_at_the_top(registry, datasets, truth):
    ch = truth["churn"]
    drifters = {d["customer_id"] for d in ch["drifting_customers"]}
    r = registry.analysis("churn").execute(datasets["orders"], {"source": "orders", "churn_days": ch["churn_days"]})
    s = r.tables["scores"]
    # the drifters have all stopped by the scoring date: they lead the "already lost" (win back) group
    lost = s[s["group"] == "lost"]
    assert set(lost.head(len(drifters))["customer_id"]) == drifters
    assert (s[s["group"] == "active"]["days_since_last_order"] <= ch["churn_days"]).all()
    s = lost
    assert r.metrics["observation_end"] == ch["snapshot_date"]
    assert r.metrics["auc"] > 0.9
    from bizops_desktop.core.i18n import text  # the reasons are messages, rendered when shown

    assert text(s["top_reasons"].iloc[0]).startswith("no order for ")
    assert (s.head(len(drifters))["days_since_last_order"] > 90).all()


def test_churn_label_equals_the_planted_customer_table(datasets, truth):
    from bizops_desktop.core.views.customers import customer_features

    ch = truth["churn"]
    o = datasets["orders"]
    feats = customer_features(
        o.frame,
        customer="买家会员名",
        date="订单创建时间",
        amount="实付金额",
        order_id="订单编号",
        churn_days=ch["churn_days"],
    )
    cust = datasets["customers"].frame.set_index("买家会员名")
    planted = cust["是否流失"].map({"是": 1, "否": 0})
    ours = feats.frame.set_index("customer_id")["churned"]
    assert ours.reindex(planted.index).tolist() == planted.tolist()
    assert set(ours[ours == 1].index) == set(ch["churned_customers"])
    assert str(feats.observation_end.date()) == ch["snapshot_date"]
    recency = feats.frame.set_index("customer_id")["recency_days"]
    assert recency.reindex(cust.index).tolist() == cust["距上次下单天数"].tolist()


def test_churn_on_the_customer_table(registry, datasets):
    # the yes/no label 是/否 is read as churned / stayed
    r = registry.analysis("churn").execute(datasets["customers"], {"source": "customers"})
    assert r.metrics["auc"] > 0.8 and r.metrics["n"] == 400


@pytest.fixture(scope="module")
def elasticity_result(registry, datasets, truth):
    from bizops_desktop.core.dataset import Dataset

    o = datasets["orders"]
    costs = {p: v["unit_cost"] for p, v in truth["demand"]["products"].items()}
    frame = o.frame.assign(单位成本=o.frame["商家编码"].map(costs))
    ds = Dataset("orders", frame, roles=o.roles)
    return registry.analysis("pricing").execute(
        ds, {"mode": "elasticity", "controls": ["是否参与活动", "season"], "cost_column": "单位成本"}
    )


def test_pricing_planted_elasticities_within_their_intervals(elasticity_result, truth):
    t = elasticity_result.tables["elasticity"].set_index("group")
    planted = {p: v["elasticity"] for p, v in truth["demand"]["products"].items()}
    assert set(t.index) == set(planted)
    inside = [p for p, e in planted.items() if t.loc[p, "ci_low"] <= e <= t.loc[p, "ci_high"]]
    assert len(inside) >= 0.9 * len(planted), sorted(set(planted) - set(inside))
    z = np.array([(t.loc[p, "elasticity"] - e) / t.loc[p, "std_error"] for p, e in planted.items()])
    assert np.abs(z).max() < 4
    assert (t["n_periods"] >= 100).all() and (t["n_points"] >= 2).all()


def test_pricing_profit_maximising_prices_in_yuan(elasticity_result, truth):
    t = elasticity_result.tables["elasticity"].set_index("group")
    checked = 0
    for p, v in truth["demand"]["products"].items():
        e, c = t.loc[p, "elasticity"], v["unit_cost"]
        assert t.loc[p, "unit_cost"] == pytest.approx(c)
        # the prices seen are the planted yuan levels
        assert t.loc[p, "min_price"] == pytest.approx(min(v["price_levels"]), abs=0.01)
        assert t.loc[p, "max_price"] == pytest.approx(max(v["price_levels"]), abs=0.01)
        if e < -1:
            assert t.loc[p, "optimal_price"] == pytest.approx(c * e / (1 + e), rel=1e-12)
        else:
            assert np.isnan(t.loc[p, "optimal_price"])
            assert t.loc[p, "suggested_price"] == t.loc[p, "max_price"]
        lo, hi = t.loc[p, "ci_low"], t.loc[p, "ci_high"]
        if hi < -1 and v["elasticity"] < -1 and lo <= v["elasticity"] <= hi:
            a, b = c * lo / (1 + lo), c * hi / (1 + hi)
            assert a <= v["optimal_price"] <= b, p
            checked += 1
    assert checked >= 20


def test_pricing_weekly_sales_regression_recovers_the_yuan_coefficients(registry, datasets, truth):
    res = registry.analysis("pricing").execute(datasets["weekly_sales"], {"mode": "regression"})
    c = res.tables["coefficients"].set_index("term")
    planted = truth["weekly_sales"]["coefficients"]
    for term, name in (("Intercept", "const"), ("价格", "price"), ("广告费", "advertising"), ("促销", "promotion")):
        assert c.loc[term, "ci_low"] <= planted[name] <= c.loc[term, "ci_high"], term
    assert res.metrics["sigma"] == pytest.approx(truth["weekly_sales"]["noise_sd"], rel=0.15)


@pytest.fixture(scope="module")
def forecast_result(registry, datasets):
    from bizops_forecast.parallel import _one_blas_thread

    with _one_blas_thread():
        return registry.analysis("forecast").execute(datasets["orders"], {"top_products": 2, "horizon": 14})


def test_forecast_finds_the_weekly_and_yearly_seasonality(forecast_result, truth):
    seas = {s["season"]: s for s in forecast_result.extra["series"]["Total"]["seasonality"]}
    assert seas["weekly"]["found"] and seas["yearly"]["found"]
    weekly_truth = [truth["seasonality"]["weekly_factors"][d] for d in seas["weekly"]["labels"]]
    yearly_truth = [truth["seasonality"]["yearly_factor_by_month"][str(i + 1)] for i in range(12)]
    assert np.corrcoef(seas["weekly"]["profile"], weekly_truth)[0, 1] > 0.95
    assert np.corrcoef(seas["yearly"]["profile"], yearly_truth)[0, 1] > 0.9
    assert seas["weekly"]["peak"] in ("Saturday", "Sunday") and seas["weekly"]["low"] == "Monday"
    assert seas["yearly"]["peak"] == "December"
    assert forecast_result.metrics["frequency"] == "D" and forecast_result.metrics["season_length"] == 7


def test_forecast_model_beats_seasonal_naive_on_the_backtest(forecast_result):
    bt = forecast_result.tables["backtest"]
    tot = bt[bt["series"] == "Total"].set_index("method")
    chosen = tot.index[tot["chosen"]][0]
    assert chosen not in ("naive", "seasonal_naive")
    assert tot.loc[chosen, "mae"] < tot.loc["seasonal_naive", "mae"]


def test_recommendations_planted_pairs_are_each_others_most_similar_products(registry, datasets, truth):
    res = registry.analysis("recommender").execute(datasets["orders"], {"method": "item", "eval_folds": 0})
    sim = res.tables["similar_items"]
    top = sim[sim["rank"] == 1].set_index("product_id")["similar_product_id"]
    for p in truth["pairs"]["items"]:
        a, b = p["antecedent"], p["consequent"]
        assert top[a] == b and top[b] == a
    recs = res.tables["recommendations"]
    assert set(recs["product_name"]) <= {v[1] for v in demo.ZH_PRODUCTS.values()}


@pytest.mark.parametrize("method", ["user", "item"])
def test_recommendations_from_reviews_beat_the_global_mean(registry, datasets, method):
    res = registry.analysis("recommender").execute(datasets["reviews"], {"method": method})
    m = res.metrics
    assert m["data"] == "ratings"
    assert m["rmse"] < 0.8 * m["rmse_global_mean"] and m["mae"] < 0.8 * m["mae_global_mean"]
    recs = res.tables["recommendations"]
    assert recs["score"].between(1, 5).all()
    word = "similar customer" if method == "user" else "similar to "
    assert recs["because"].map(text).str.contains(word).mean() > 0.9
