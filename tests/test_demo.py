"""The demo shop: generated deterministically, equal to the committed files, and every planted truth
in truth.json is visible in the raw data by an independent, plain check (counts, numpy, statsmodels)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from bizops_desktop.core import demo

DEMO = demo.demo_dir()


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((DEMO / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return pd.read_csv(DEMO / "orders.csv", parse_dates=["date"])


@pytest.fixture(scope="module")
def weekly_panel(orders) -> pd.DataFrame:
    o = orders.assign(week=orders["date"] - pd.to_timedelta(orders["date"].dt.dayofweek, unit="D"))
    wk = (
        o.groupby(["product_id", "week"])
        .agg(units=("quantity", "sum"), revenue=("amount", "sum"), promo=("promotion", "max"))
        .reset_index()
    )
    wk["price"] = wk["revenue"] / wk["units"]
    return wk


def test_generation_is_deterministic_and_equals_committed_files(tmp_path):
    demo.write_demo(tmp_path)
    for name in demo.FILES:
        new = (tmp_path / name).read_bytes()
        assert new == (DEMO / name).read_bytes(), f"{name} differs from the committed copy: regenerate it"
        assert not new.startswith(b"\xef\xbb\xbf") and b"\r\n" not in new
    total = sum((DEMO / n).stat().st_size for n in demo.FILES)
    # one table per tab that needs its own (campaign, stock, deliveries, price plans): 4 MB at most
    assert total < 4_000_000


def test_orders_table_shape(orders, truth):
    assert list(orders.columns) == [
        "order_id",
        "customer_id",
        "date",
        "product_id",
        "product_name",
        "category",
        "quantity",
        "unit_price",
        "amount",
        "promotion",
    ]
    assert 15_000 <= len(orders) <= 32_000
    assert orders["date"].min() == pd.Timestamp(truth["start"])
    assert orders["date"].max() == pd.Timestamp(truth["end"])
    assert orders["customer_id"].nunique() == truth["counts"]["customers"] == 400
    assert orders["product_id"].nunique() == 40
    np.testing.assert_allclose(orders["amount"], (orders["quantity"] * orders["unit_price"]).round(2), atol=1e-9)
    per_order = orders.groupby("order_id")
    assert per_order.size().between(1, 5).all()
    assert not orders.duplicated(["order_id", "product_id"]).any()
    assert (per_order["date"].nunique() == 1).all() and (per_order["customer_id"].nunique() == 1).all()
    assert set(orders["promotion"]) == {0, 1}


def test_planted_pairs_are_the_top_pairs_by_lift(orders, truth):
    baskets = orders.groupby("order_id")["product_id"].apply(set)
    n = len(baskets)
    items = sorted(orders["product_id"].unique())
    onehot = np.array([[i in b for i in items] for b in baskets], dtype=float)
    support = onehot.mean(axis=0)
    both = onehot.T @ onehot / n
    found = []
    for i, j in itertools.combinations(range(len(items)), 2):
        if both[i, j] >= 0.01:
            found.append((both[i, j] / (support[i] * support[j]), items[i], items[j]))
    found.sort(reverse=True)
    planted = {frozenset((p["antecedent"], p["consequent"])) for p in truth["pairs"]["items"]}
    assert 3 <= len(planted) <= 4
    assert {frozenset(f[1:]) for f in found[: len(planted)]} == planted
    for p in truth["pairs"]["items"]:
        i, j = items.index(p["antecedent"]), items.index(p["consequent"])
        lift = both[i, j] / (support[i] * support[j])
        assert lift > 3 and both[i, j] >= 0.02
        assert both[i, j] / support[i] > 0.5 and both[i, j] / support[j] > 0.5
        assert lift == pytest.approx(p["lift"], rel=1e-5)
        assert both[i, j] == pytest.approx(p["support"], rel=1e-5)
    # everything else at support >= 1% is far weaker
    rest = [f[0] for f in found[len(planted) :]]
    assert not rest or max(rest) < 2


def test_prices_move_between_known_levels_on_mondays(orders, truth):
    prods = truth["demand"]["products"]
    elast = np.array([p["elasticity"] for p in prods.values()])
    assert elast.min() >= -3.0 and elast.max() <= -0.4
    assert (elast < -1).sum() >= 10 and 3 <= ((elast > -1) & (elast < 0)).sum() <= 12
    for pid, g in orders.groupby("product_id"):
        p = prods[pid]
        levels = sorted(g["unit_price"].unique())
        assert 4 <= len(levels) <= 6 and levels == pytest.approx(p["price_levels"])
        assert min(levels) >= 0.7 * p["base_price"] and max(levels) <= 1.3 * p["base_price"] + 0.005
        # the price of each day is the one set by the latest change
        changes = pd.Series(
            [c["price"] for c in p["price_changes"]], index=pd.to_datetime([c["date"] for c in p["price_changes"]])
        )
        assert (changes.index.dayofweek == 0).all()
        expected = changes.reindex(g["date"], method="ffill").to_numpy()
        np.testing.assert_allclose(g["unit_price"].to_numpy(), expected)
        promo_weeks = pd.to_datetime(p["promotion_weeks"])
        week = g["date"] - pd.to_timedelta(g["date"].dt.dayofweek, unit="D")
        assert (g["promotion"].to_numpy() == week.isin(promo_weeks).to_numpy()).all()
        if p["elasticity"] < -1:
            e = p["elasticity"]
            assert p["optimal_price"] == pytest.approx(p["unit_cost"] * e / (1 + e), abs=1e-4)
        else:
            assert p["optimal_price"] is None


def test_loglog_fit_recovers_every_elasticity(weekly_panel, truth):
    import statsmodels.api as sm

    prods = truth["demand"]["products"]
    assert weekly_panel.groupby("product_id").size().eq(104).all()  # every product sells every week
    promo_effects = []
    for pid, g in weekly_panel.groupby("product_id"):
        e = prods[pid]["elasticity"]
        fit = sm.OLS(np.log(g["units"].to_numpy()), sm.add_constant(np.log(g["price"].to_numpy()))).fit()
        lo, hi = fit.conf_int()[1]
        assert lo <= e <= hi, f"{pid}: true {e}, fit {fit.params[1]:.3f} [{lo:.3f}, {hi:.3f}]"
        assert fit.bse[1] < 0.3
        # with the promotion flag as a control too (what the pricing tab offers)
        x = np.column_stack([np.log(g["price"].to_numpy()), g["promo"].to_numpy()])
        fit2 = sm.OLS(np.log(g["units"].to_numpy()), sm.add_constant(x)).fit()
        lo, hi = fit2.conf_int()[1]
        assert lo <= e <= hi, f"{pid} with promotion control: true {e}, fit {fit2.params[1]:.3f}"
        promo_effects.append(fit2.params[2])
    # the promotion uplift, averaged over the 40 per-product fits
    assert np.mean(promo_effects) == pytest.approx(np.log(truth["demand"]["promotion_uplift"]), abs=0.05)


def test_units_follow_the_demand_model(orders, truth):
    """Units sold per product and quarter match the expected units computed from truth.json alone."""
    dem = truth["demand"]
    seas = truth["seasonality"]
    days = pd.date_range(truth["start"], truth["end"], freq="D")
    weekday = np.array([seas["weekly_factors"][d] for d in days.day_name()])
    yearly = demo.yearly_factor(days.values.astype("datetime64[D]"))
    sold = orders.groupby(["product_id", "date"])["quantity"].sum()
    for pid, p in dem["products"].items():
        changes = pd.Series(
            [c["price"] for c in p["price_changes"]], index=pd.to_datetime([c["date"] for c in p["price_changes"]])
        )
        price = changes.reindex(days, method="ffill").to_numpy()
        week = days - pd.to_timedelta(days.dayofweek, unit="D")
        promo = week.isin(pd.to_datetime(p["promotion_weeks"]))
        mu = (
            p["weekly_units_at_base_price"]
            / 7
            * (price / p["base_price"]) ** p["elasticity"]
            * weekday
            * yearly
            * np.where(promo, dem["promotion_uplift"], 1.0)
        )
        actual = sold.loc[pid].reindex(days, fill_value=0).to_numpy()
        q_exp = pd.Series(mu, index=days).groupby(days.quarter + 10 * days.year).sum()
        q_act = pd.Series(actual, index=days).groupby(days.quarter + 10 * days.year).sum()
        # day noise has log sd 0.25: a quarter's total is within about 10% of its expectation
        assert np.all(np.abs(q_act / q_exp - 1) < 0.2), pid
        assert abs(actual.sum() / mu.sum() - 1) < 0.08, pid


def test_weekly_and_yearly_seasonality(orders, truth):
    daily = orders.groupby("date")["quantity"].sum()
    daily = daily.reindex(pd.date_range(truth["start"], truth["end"]), fill_value=0)
    by_dow = daily.groupby(daily.index.dayofweek).mean()
    weekend = by_dow[[5, 6]].mean() / by_dow[[0, 1, 2, 3, 4]].mean()
    assert weekend == pytest.approx(truth["seasonality"]["weekend_vs_weekday_ratio"], rel=0.08)
    assert 1.3 < weekend < 1.6 and by_dow.idxmin() == 0
    nov_dec = daily[daily.index.month >= 11].mean() / daily[daily.index.month < 11].mean()
    assert nov_dec == pytest.approx(truth["seasonality"]["nov_dec_vs_rest_ratio"], rel=0.1)
    assert nov_dec > 1.4
    summer = daily[daily.index.month.isin([7, 8])].mean() / daily.mean()
    assert summer < 0.9


def test_drifting_customers_fade_and_rank_first_by_recency(orders, truth):
    ch = truth["churn"]
    drifters = {d["customer_id"]: d for d in ch["drifting_customers"]}
    n_cust = orders["customer_id"].nunique()
    assert 0.08 * n_cust <= len(drifters) <= 0.12 * n_cust
    end = orders["date"].max()
    last = orders.groupby("customer_id")["date"].max()
    rate_before, rate_fading = [], []
    for cid, d in drifters.items():
        stop = pd.Timestamp(d["stop_date"])
        assert 120 <= (end - stop).days <= 240
        assert last[cid] <= stop
        mine = orders[orders["customer_id"] == cid].drop_duplicates("order_id")
        fade = pd.Timestamp(d["fade_start"])
        n_before = ((mine["date"] < fade) & (mine["date"] >= fade - pd.Timedelta(days=180))).sum()
        n_fading = ((mine["date"] >= fade) & (mine["date"] < stop)).sum()
        rate_before.append(n_before / 180)
        rate_fading.append(n_fading / max((stop - fade).days, 1))
    # the buying rate falls while fading: about 0.4x on average (rate x (1 - t)^1.5)
    rate_before, rate_fading = np.array(rate_before), np.array(rate_fading)
    assert rate_fading.sum() < 0.6 * rate_before.sum()
    assert (rate_fading < rate_before).mean() >= 0.75
    # features from before the label window only: recency at cutoff - 90 days
    t0 = end - pd.Timedelta(days=ch["churn_days"])
    assert t0 == pd.Timestamp(ch["snapshot_date"])
    recency = (t0 - orders[orders["date"] <= t0].groupby("customer_id")["date"].max()).dt.days
    top_decile = set(recency.sort_values(ascending=False).index[: n_cust // 10])
    assert len(top_decile & set(drifters)) >= 0.8 * len(drifters)
    # steady customers keep buying: almost all of them order in the label window
    in_window = set(orders.loc[orders["date"] > t0, "customer_id"])
    steady = set(orders["customer_id"]) - set(drifters)
    assert len(steady - in_window) <= 0.03 * len(steady)
    assert sorted(steady - in_window) == ch["churned_not_drifting"]
    assert sorted(set(orders["customer_id"]) - in_window) == ch["churned_customers"]


def test_customers_table_uses_only_data_before_the_snapshot(orders, truth):
    cust = pd.read_csv(DEMO / "customers.csv")
    snap = pd.Timestamp(truth["churn"]["snapshot_date"])
    assert len(cust) == 400 and cust["customer_id"].is_unique
    assert set(cust["churned"]) == {"Yes", "No"} and set(cust["newsletter"]) == {"yes", "no"}
    assert sorted(cust.loc[cust["churned"] == "Yes", "customer_id"]) == truth["churn"]["churned_customers"]
    before = orders[orders["date"] <= snap]
    last = before.groupby("customer_id")["date"].max()
    days = (snap - last).dt.days.reindex(cust["customer_id"]).to_numpy()
    np.testing.assert_array_equal(cust["days_since_last_order"].to_numpy(), days)
    year = before[before["date"] > snap - pd.Timedelta(days=365)]
    n_orders = year.groupby("customer_id")["order_id"].nunique().reindex(cust["customer_id"], fill_value=0)
    np.testing.assert_array_equal(cust["orders_last_year"].to_numpy(), n_orders.to_numpy())
    spend = year.groupby("customer_id")["amount"].sum().reindex(cust["customer_id"], fill_value=0)
    np.testing.assert_allclose(cust["spend_last_year"].to_numpy(), spend.to_numpy(), atol=0.006)
    first = orders.groupby("customer_id")["date"].min().reindex(cust["customer_id"])
    assert (pd.to_datetime(cust["signup_date"]).to_numpy() <= first.to_numpy()).all()


def test_reviews_show_taste_groups_and_reward_collaborative_filtering(orders, truth):
    from surprise import Dataset as SDataset
    from surprise import KNNBaseline, Reader
    from surprise.model_selection import train_test_split

    rev = pd.read_csv(DEMO / "reviews.csv")
    assert 5000 <= len(rev) <= 8000
    assert set(rev["rating"]) <= {1, 2, 3, 4, 5} and rev["rating"].nunique() == 5
    assert not rev.duplicated(["customer_id", "product_id"]).any()
    bought = set(zip(orders["customer_id"], orders["product_id"]))
    assert set(zip(rev["customer_id"], rev["product_id"])) <= bought
    cg = rev["customer_id"].map(truth["reviews"]["customer_groups"])
    pg = rev["product_id"].map(truth["reviews"]["product_groups"])
    means = rev.groupby([cg, pg])["rating"].mean().unstack()
    aff = np.array(truth["reviews"]["affinity"])
    assert (means.to_numpy()[aff > 0] > 4.0).all()
    assert (means.to_numpy()[aff < 0] < 2.5).all()
    assert (np.abs(means.to_numpy()[aff == 0] - 3.3) < 0.4).all()

    data = SDataset.load_from_df(rev[["customer_id", "product_id", "rating"]], Reader(rating_scale=(1, 5)))
    train, test = train_test_split(data, test_size=0.2, random_state=0)
    algo = KNNBaseline(sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False)
    algo.fit(train)
    truth_r = np.array([r for _, _, r in test])
    pred = np.array([algo.predict(u, i).est for u, i, _ in test])
    rmse_cf = float(np.sqrt(np.mean((pred - truth_r) ** 2)))
    rmse_mean = float(np.sqrt(np.mean((train.global_mean - truth_r) ** 2)))
    assert rmse_cf < 0.8 * rmse_mean


def test_weekly_sales_regression_recovers_coefficients(truth):
    import statsmodels.api as sm

    ws = pd.read_csv(DEMO / "weekly_sales.csv", parse_dates=["week"])
    assert list(ws.columns) == ["week", "product_id", "units", "price", "advertising", "promotion"]
    assert (ws["week"].dt.dayofweek == 0).all() and (ws["units"] >= 0).all()
    fit = sm.OLS(ws["units"], sm.add_constant(ws[["price", "advertising", "promotion"]])).fit()
    coef = truth["weekly_sales"]["coefficients"]
    ci = fit.conf_int()
    for term, name in (
        ("const", "const"),
        ("price", "price"),
        ("advertising", "advertising"),
        ("promotion", "promotion"),
    ):
        assert ci.loc[term, 0] <= coef[name] <= ci.loc[term, 1], term
    assert np.sqrt(fit.scale) == pytest.approx(truth["weekly_sales"]["noise_sd"], rel=0.15)


def test_load_demo_sets_roles(truth):
    from bizops_desktop.core.progress import Progress

    seen = []
    datasets = demo.load_demo(Progress(lambda f, t: seen.append(f)))
    assert [d.name for d in datasets] == [
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
    orders, reviews, customers, weekly = datasets[:4]
    assert orders.roles == {
        "order_id": ["order_id"],
        "customer_id": ["customer_id"],
        "date": ["date"],
        "product_id": ["product_id"],
        "product_name": ["product_name"],
        "quantity": ["quantity"],
        "price": ["unit_price"],
        "amount": ["amount"],
    }
    assert pd.api.types.is_datetime64_any_dtype(orders.frame["date"])
    assert len(orders.frame) == truth["counts"]["order_lines"]
    assert reviews.has("customer_id", "product_id", "rating")
    assert customers.col("label") == "churned"
    assert customers.cols("feature") == [
        "city",
        "segment",
        "newsletter",
        "orders_last_year",
        "spend_last_year",
        "days_since_last_order",
    ]
    assert weekly.col("target") == "units" and weekly.cols("feature") == ["price", "advertising", "promotion"]
    assert weekly.col("date") == "week" and weekly.col("product_id") == "product_id"
    assert seen and max(seen) == pytest.approx(1.0)
    assert demo.load_truth() == truth


def test_missing_resources_are_generated_into_a_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "demo_dir", lambda: tmp_path / "nowhere")
    monkeypatch.setattr(demo.tempfile, "gettempdir", lambda: str(tmp_path))
    truth = demo.load_truth()
    (made,) = tmp_path.glob(f"bizops_demo_shop_{demo.SEED}_*")
    assert all((made / f).is_file() for f in demo.FILES)
    assert (made / "orders.csv").read_bytes() == (DEMO / "orders.csv").read_bytes()
    assert truth["seed"] == demo.SEED


def test_command_line_writes_the_files(tmp_path, capsys):
    assert demo.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(demo.FILES)
    assert str(tmp_path) in capsys.readouterr().out
