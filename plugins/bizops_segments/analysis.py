"""Customers & campaigns: RFM segments (both schemes), customer lifetime value (BG/NBD +
Gamma-Gamma), segment profiles with actions and their month-over-month moves, customer groups
found by a Gaussian mixture, a campaign list with a random holdout, and whether a campaign or a shop-wide
promotion worked (A/B with power, difference in differences, interrupted time series).

Choices, for the record:
- RFM inputs come from the shared customer features view (orders = distinct order numbers, or
  order days without them); the lifetime-value models count purchase days (several orders on one
  day are one purchase), as lifetimes and BTYD do, in weeks;
- money at stake over the next 28 days (Action.money): for a segment to reward, upsell or remind,
  its customers' expected spend in 28 days (BG/NBD x Gamma-Gamma); for one to win back, the spend
  its customers made per 28 days in the past times their chance of having left (1 - P(alive));
- the campaign list's holdout is drawn with the seed from the customers of the chosen segments at
  the day before the campaign start, so the same parameters give the same list again (the project
  keeps parameters and list).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bizops_desktop.core.actions import HORIZON_DAYS, Action
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.display import Column
from bizops_desktop.core.errors import DataError, UsageError
from bizops_desktop.core.plotspec import Layer, PlotSpec, dates_to_seconds
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.views.customers import _as_days, customer_features_from_dataset
from bizops_desktop.core.views.prices import flag_values

from . import campaign as camp
from . import clusters as clus
from . import clv, rfm
from .i18n import M, Mn, _, _l
from .words import ACTION_WORDS, FEATURE_TITLES, GROUPS, PLAYBOOK, SEGMENT_NAMES, TRAIT_WORDS

MIN_CUSTOMERS = 10
MIGRATION_DAYS = 30  # "since the previous period": segments a month before the cutoff
HORIZONS = {"clv_3m": 13.0, "clv_6m": 26.0, "clv_12m": 52.0}  # weeks
WEEKS_28 = HORIZON_DAYS / 7.0
GOOD = {"champions", "loyal", "potential_loyalists", "important_value", "important_keep", "important_develop"}
SLIPPING = {"at_risk", "cant_lose", "hibernating", "lost", "important_retain", "general_retain"}
GROUP_COLUMN_NAMES = ("campaign_group", "group", "campaign", "test_group", "营销分组", "分组", "活动分组", "实验分组")
CONTACTED_WORDS = {"contacted", "treatment", "test", "sent", "yes", "1", "true", "已触达", "实验组", "触达", "是"}
HOLDOUT_WORDS = {"holdout", "control", "not contacted", "no", "0", "false", "对照组", "未触达", "留存组", "否"}
CLUSTER_FEATURES = ["recency_days", "frequency", "monetary", "tenure_days", "avg_order_value", "products"]
# Columns found by their header when no role says it (there is no category or discount role)
CATEGORY_COLUMN_NAMES = ("category", "product_category", "categories", "类目", "商品类目", "品类", "分类", "商品分类")
DISCOUNT_COLUMN_NAMES = (
    "discount",
    "discounted",
    "on_discount",
    "promotion",
    "on_promotion",
    "promo",
    "优惠",
    "折扣",
    "是否优惠",
    "促销",
    "是否促销",
    "是否参与活动",
)
TOP_CATEGORY_MOSTLY = 0.5  # "mostly X" from half of the group's spend on X; below, "X above all"


def _seg_msg(seg: str):
    return M(SEGMENT_NAMES[seg].msgid)


def _named_column(ds: Dataset, params: dict, param: str, names: tuple[str, ...], what) -> str | None:
    """The column the parameter names, else the first column whose header is one of ``names``."""
    name = params.get(param)
    if name:
        if name not in ds.frame.columns:
            raise DataError(
                _("column {name} ({what}) is not in the table", name=repr(name), what=what),
                where=str(name),
                hint=_("Give the name of a column of the table, or leave it automatic"),
            )
        return str(name)
    low = {str(c).strip().lower(): c for c in ds.frame.columns}
    for n in names:
        if n in low:
            return str(low[n])
    return None


def _lines(ds: Dataset, params: dict | None = None) -> pd.DataFrame:
    """customer, day, spend (and product, category, discounted 0/1) per order line, as the
    customer features view reads them."""
    params = params or {}
    cat = _named_column(ds, params, "category_column", CATEGORY_COLUMN_NAMES, _("the product category"))
    disc = _named_column(ds, params, "discount_column", DISCOUNT_COLUMN_NAMES, _("bought on discount"))
    if ds.big is not None:  # a file bigger than memory: its lines summed per customer, day, category, discount
        return _big_lines(ds, params, cat, disc)
    f = ds.frame
    c = ds.col("customer_id")
    day = _as_days(f[ds.col("date")], str(ds.col("date")))
    if ds.has("amount"):
        spend = pd.to_numeric(f[ds.col("amount")], errors="coerce")
    elif ds.has("quantity", "price"):
        spend = pd.to_numeric(f[ds.col("quantity")], errors="coerce") * pd.to_numeric(
            f[ds.col("price")], errors="coerce"
        )
    elif ds.has("quantity"):
        spend = pd.to_numeric(f[ds.col("quantity")], errors="coerce")
    else:
        spend = pd.Series(1.0, index=f.index)
    out = pd.DataFrame({"customer_id": f[c], "day": day, "spend": spend.fillna(0.0)})
    if ds.has("product_id"):
        out["product"] = f[ds.col("product_id")]
    return _marks(out, f[cat] if cat is not None else None, f[disc] if disc is not None else None, cat, disc, params)


def _marks(out: pd.DataFrame, category, discount, cat, disc, params: dict) -> pd.DataFrame:
    """The lines with their category (trimmed, blank as missing) and discount mark (0..1), those
    without a customer or a day left out."""
    if cat is not None:
        out["category"] = category.astype("string").str.strip().replace("", pd.NA)
    if disc is not None:
        try:
            out["discounted"] = flag_values(discount, disc).fillna(0.0)
        except DataError:
            if params.get("discount_column"):
                raise
            disc = None  # a column of that name that is no yes/no or amount: not a discount mark
    out.attrs["category_column"], out.attrs["discount_column"] = cat, disc
    return out[out["customer_id"].notna() & out["day"].notna()]


def _big_lines(ds: Dataset, params: dict, cat: str | None, disc: str | None) -> pd.DataFrame:
    """``_lines`` for a big Dataset: DuckDB adds up every line per customer, day, category and
    discount mark (what the analysis reads of them: sums of spend, distinct categories, who bought
    when); the products each customer bought are counted out of core too (segment_customers). The
    raw category and discount values are read as in memory (the discount column with the type the
    importer gave its first lines)."""
    from bizops_desktop.core.views.reduced import customer_day_lines

    g = customer_day_lines(ds, cat, disc)
    out = g[["customer_id", "day", "spend"]].copy()
    discount = None
    if disc is not None:
        discount = g["discount"]
        kind = ds.frame[disc]
        if pd.api.types.is_bool_dtype(kind):
            discount = discount.astype("string").str.strip().str.lower().map({"true": True, "false": False})
        elif pd.api.types.is_numeric_dtype(kind):
            discount = pd.to_numeric(discount, errors="coerce")
    return _marks(out, g["category"] if cat is not None else None, discount, cat, disc, params)


def _date(value, name: str) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "auto", "none")):
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError):
        raise UsageError(
            _("parameter {name} got {value} but needs a date as YYYY-MM-DD", name=name, value=repr(value))
        ) from None


def segment_customers(ds: Dataset, cutoff, lines: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Any]:
    """Customer features at ``cutoff`` with RFM scores and both segment labels, and products bought."""
    feats = customer_features_from_dataset(ds, cutoff=cutoff)
    f = rfm.score(feats.frame)
    lines = _lines(ds) if lines is None else lines
    upto = lines[lines["day"] <= feats.cutoff]
    if ds.big is not None and ds.has("product_id"):  # counted on every line of a big file
        from bizops_desktop.core.views.reduced import products_per_customer

        f["products"] = f["customer_id"].map(products_per_customer(ds, feats.cutoff)).fillna(0).to_numpy()
    elif "product" in lines.columns:
        f["products"] = f["customer_id"].map(upto.groupby("customer_id")["product"].nunique()).fillna(0).to_numpy()
    else:
        f["products"] = 1.0
    if "category" in lines.columns:
        f["categories"] = f["customer_id"].map(upto.groupby("customer_id")["category"].nunique()).fillna(0).to_numpy()
    if "discounted" in lines.columns:  # share of the customer's spend bought on discount
        spent = upto.groupby("customer_id")["spend"].sum()
        on_discount = (upto["spend"] * upto["discounted"]).groupby(upto["customer_id"]).sum()
        share = (on_discount / spent.where(spent > 0)).fillna(0.0)
        f["discount_share"] = f["customer_id"].map(share).fillna(0.0).to_numpy()
    return f, feats


def campaign_list(
    customers: pd.DataFrame, segments: list[str], scheme_col: str, holdout_share: float, seed: int
) -> pd.DataFrame:
    """The customers of ``segments`` with a random holdout of ``holdout_share`` (at least one on
    each side when there are two customers)."""
    pick = customers[customers[scheme_col].isin(segments)][["customer_id", scheme_col]].copy()
    pick = pick.sort_values("customer_id", kind="mergesort").reset_index(drop=True)
    n = len(pick)
    n_hold = int(round(n * holdout_share))
    if n >= 2 and holdout_share > 0:
        n_hold = min(max(n_hold, 1), n - 1)
    rng = np.random.default_rng(seed)
    hold = np.zeros(n, dtype=bool)
    hold[rng.choice(n, size=n_hold, replace=False)] = True
    pick["group"] = np.where(hold, "holdout", "contacted")
    return pick.rename(columns={scheme_col: "segment"})


def _scheme(params: dict) -> str:
    from bizops_desktop.core.i18n import get_language

    s = params.get("scheme", "auto")
    if s == "auto":
        return "cn8" if get_language() == "zh_CN" else "named"
    return s


def run(dataset: Dataset, params: dict[str, Any], progress: Progress | None = None) -> Result:
    progress = progress or Progress()
    notes: list[Any] = []
    metrics: dict[str, Any] = {}
    if not dataset.has("customer_id", "date"):
        raise DataError(
            _("Customers & campaigns needs order lines with a customer and a date"),
            where=dataset.name,
            hint=_("Open Column roles and pick the customer and date columns"),
        )
    progress.report(0.0, _("Scoring customers"))
    lines = _lines(dataset, params)
    cust, feats = segment_customers(dataset, params.get("cutoff"), lines)
    notes += feats.notes
    cut = feats.cutoff
    money = feats.spend_unit == "money"
    if len(cust) < MIN_CUSTOMERS:
        raise DataError(
            _(
                "only {n:int} customers; segments need at least {least:int}",
                n=len(cust),
                least=MIN_CUSTOMERS,
            ),
            hint=_("Use a longer order history"),
        )
    scheme = _scheme(params)
    seg_col = "segment" if scheme == "named" else "segment_cn8"
    metrics.update(cutoff=str(cut.date()), customers=len(cust), scheme=scheme, frequency_bins="1 | 2 | 3-4 | 5-9 | 10+")
    notes.append(
        M(
            "RFM scores: recency and spend 1-5 by fifths of the customers; orders scored by fixed "
            "counts: 1 order = 1, 2 = 2, 3-4 = 3, 5-9 = 4, 10 or more = 5."
        )
    )
    if scheme == "cn8":
        notes.append(
            M(
                "The 8 groups compare each customer with the average: {days:num} days since the last "
                "order, {orders:num} orders, {spend:money} spent.",
                days=float(cust["recency_days"].mean()),
                orders=float(cust["frequency"].mean()),
                spend=float(cust["monetary"].mean()),
            )
        )

    # --- lifetime value ---------------------------------------------------------------------
    progress.report(0.15, _("Fitting the lifetime-value models"))
    summ = clv.summary_from_lines(lines["customer_id"], lines["day"], lines["spend"], cut)
    summ = summ.reindex(cust["customer_id"].to_numpy())
    x, tx, T, mx = (summ[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "m_x"))
    clv_ok = int((x > 0).sum()) >= 5 and len(cust) >= 20
    if clv_ok:
        bg = clv.fit_bgnbd(x, tx, T)
        cust["p_alive"] = clv.probability_alive(bg, x, tx, T)
        per_purchase = np.nan_to_num(mx, nan=0.0)
        gg_ok = money and int(((x > 0) & (mx > 0)).sum()) >= 10
        if gg_ok:
            gg = clv.fit_gamma_gamma(x, mx)
            if gg.params["q"] > 1:
                per_purchase = clv.expected_spend_per_purchase(gg, x, mx)
                metrics["gamma_gamma"] = {k: round(v, 6) for k, v in gg.params.items()}
            else:
                gg_ok = False
        if not gg_ok:  # the customer's own average, else the shop's
            first = cust["avg_order_value"].to_numpy(dtype=float)
            per_purchase = np.where(x > 0, per_purchase, first)
        for col, weeks in HORIZONS.items():
            cust[col] = clv.expected_purchases(bg, weeks, x, tx, T) * per_purchase
        cust["purchases_12m"] = clv.expected_purchases(bg, 52.0, x, tx, T)
        cust["value_28d"] = clv.expected_purchases(bg, WEEKS_28, x, tx, T) * per_purchase
        metrics["bgnbd"] = {k: round(v, 6) for k, v in bg.params.items()}
    else:
        notes.append(M("Too few repeat customers to fit the lifetime-value models; the value columns are left out."))
        cust["p_alive"] = np.nan
        cust["value_28d"] = 0.0
    pace = cust["monetary"].to_numpy(float) / np.maximum(cust["tenure_days"].to_numpy(float), HORIZON_DAYS)
    cust["at_stake"] = pace * HORIZON_DAYS * (1 - np.nan_to_num(cust["p_alive"].to_numpy(float), nan=0.0))

    # --- clusters -----------------------------------------------------------------------------
    clustering = None
    if params.get("clusters", True):
        progress.report(0.35, _("Finding customer groups"))
        features = CLUSTER_FEATURES + [c for c in ("categories", "discount_share") if c in cust.columns]
        clustering = clus.cluster(cust, features, seed=int(params.get("seed", 0)), progress=progress.sub(0.35, 0.65))
        cust["cluster"] = clustering.labels + 1
        notes.append(
            M(
                "{k:int} customer groups: the number with the lowest BIC among 1 to {top:int} groups (a "
                "Gaussian mixture on log-scaled, standardised orders, spend, recency, tenure, basket "
                "size and products bought).",
                k=clustering.k,
                top=max(clustering.bics),
            )
        )
        if "categories" in cust.columns:
            metrics["category_column"] = lines.attrs.get("category_column")
            notes.append(
                M(
                    "The groups also weigh how many product categories each customer bought (column "
                    "{column}), and each group is named with the category it spends most on.",
                    column=str(lines.attrs.get("category_column")),
                )
            )
        if "discount_share" in cust.columns:
            metrics["discount_column"] = lines.attrs.get("discount_column")
            notes.append(
                M(
                    "The groups also weigh the share of each customer's spend bought on discount (column {column}).",
                    column=str(lines.attrs.get("discount_column")),
                )
            )
        else:
            notes.append(
                M(
                    "The orders say nothing about discounts (no column such as discount or promotion), so "
                    "the groups leave the share bought on discount out."
                )
            )

    # --- profiles, migration ------------------------------------------------------------------
    progress.report(0.7, _("Profiling segments"))
    profiles = _profiles(cust, seg_col, clv_ok)
    migration = _migration(dataset, cut, seg_col, lines, cust)
    tables: dict[str, pd.DataFrame] = {"segments": profiles, "customers": _customer_table(cust, clv_ok)}
    if len(migration):
        tables["migration"] = migration
    if clustering is not None:
        tables["clusters"] = _cluster_table(cust, clustering, lines, seg_col)
        metrics["clusters"] = clustering.k
        metrics["bic"] = {str(k): round(v, 2) for k, v in clustering.bics.items()}
    plots = {"segments": _segments_plot(profiles, seg_col)}
    actions = _segment_actions(profiles)
    headline = _segments_headline(profiles, migration, money)

    # --- campaign list ------------------------------------------------------------------------
    segments_wanted = [str(s).strip() for s in (params.get("list_segments") or []) if str(s).strip()]
    start = _date(params.get("campaign_start"), "campaign_start")
    known = set(rfm.NAMED) | set(rfm.CN8)
    bad = [s for s in segments_wanted if s not in known]
    if bad:
        raise UsageError(
            _("unknown segment {names} in list_segments", names=", ".join(bad)),
            hint=_("Use the segment ids of the segments table: {ids}", ids=", ".join(sorted(known))),
        )
    holdout_share = float(params.get("holdout_share", 0.1))
    seed = int(params.get("seed", 0))
    if segments_wanted:
        list_col = "segment" if segments_wanted[0] in rfm.NAMED else "segment_cn8"
        base = cust
        if start is not None and start <= cut:  # the list as it was drawn the day before the start
            base, _f = segment_customers(dataset, start - pd.Timedelta(days=1), lines)
        lift = params.get("holdout_lift")
        if lift:
            p0 = _base_conversion(base, lines, start or cut, int(params.get("campaign_days", 28)))
            n_hold = camp.holdout_for_power(len(base[base[list_col].isin(segments_wanted)]), p0, float(lift))
            if n_hold is None:
                notes.append(
                    M(
                        "No holdout size detects a lift of {lift:percent} with 80% power among these "
                        "customers; the holdout is half of them.",
                        lift=float(lift),
                    )
                )
                holdout_share = 0.5
            else:
                n_all = len(base[base[list_col].isin(segments_wanted)])
                holdout_share = n_hold / n_all
                notes.append(
                    M(
                        "Holdout of {n:int} customers: enough to detect a lift of {lift:percent} in "
                        "buying (from {p0:percent}) with 80% power at the 5% level.",
                        n=n_hold,
                        lift=float(lift),
                        p0=p0,
                    )
                )
        lst = campaign_list(base, segments_wanted, list_col, holdout_share, seed)
        tables["campaign_list"] = lst
        metrics["campaign_list"] = {
            "customers": len(lst),
            "holdout": int((lst["group"] == "holdout").sum()),
            "segments": segments_wanted,
            "seed": seed,
        }

    # --- campaign evaluation ------------------------------------------------------------------
    if start is not None:
        progress.report(0.8, _("Measuring the campaign"))
        groups = _groups(dataset, params, tables.get("campaign_list"))
        ev = _evaluate_campaign(lines, groups, start, int(params.get("campaign_days", 28)), params, notes)
        tables.update(ev["tables"])
        metrics["campaign"] = ev["metrics"]
        plots["campaign"] = ev["plot"]
        headline = ev["headline"]
        actions.insert(0, ev["action"])
    promo = _date(params.get("promotion_start"), "promotion_start")
    if promo is not None:
        progress.report(0.9, _("Measuring the promotion"))
        ev = _evaluate_promotion(lines, promo, int(params.get("promotion_days", 14)), money)
        tables["promotion"] = ev["table"]
        metrics["promotion"] = ev["metrics"]
        plots["promotion"] = ev["plot"]
        notes.append(ev["caveat"])
        if start is None:
            headline = ev["headline"]
        actions.append(ev["action"])
    progress.report(1.0, _("Done"))
    names = _customer_names(dataset)
    return Result(
        tables=tables,
        metrics=metrics,
        plots=plots,
        notes=notes,
        headline=headline,
        columns=_columns(money),
        names=names,
        actions=actions[:6],
    )


def _customer_names(ds: Dataset) -> dict[str, str]:
    if not ds.has("customer_id", "customer_name"):
        return {}
    pairs = ds.frame[[ds.col("customer_id"), ds.col("customer_name")]].dropna().drop_duplicates(ds.col("customer_id"))
    return {str(k): str(v) for k, v in zip(pairs.iloc[:, 0], pairs.iloc[:, 1]) if str(v) != str(k)}


def _profiles(cust: pd.DataFrame, seg_col: str, clv_ok: bool) -> pd.DataFrame:
    total_rev = float(cust["monetary"].sum()) or 1.0
    g = cust.groupby(seg_col, sort=False)
    rows = []
    for seg, sub in g:
        what, kind = PLAYBOOK[str(seg)]
        stake = float(sub["at_stake"].sum()) if what == "win_back" else float(sub["value_28d"].sum())
        rows.append(
            {
                "segment": str(seg),
                "money_28d": stake if what != "nothing" else 0.0,
                "action": what,
                "customers": len(sub),
                "share_customers": len(sub) / len(cust),
                "share_revenue": float(sub["monetary"].sum()) / total_rev,
                "clv_12m": float(sub["clv_12m"].mean()) if clv_ok else np.nan,
                "avg_order_value": float(sub["monetary"].sum() / max(sub["frequency"].sum(), 1)),
                "median_recency_days": float(sub["recency_days"].median()),
                "median_orders": float(sub["frequency"].median()),
                "median_spend": float(sub["monetary"].median()),
            }
        )
    out = pd.DataFrame(rows)
    order = list(rfm.NAMED) + list(rfm.CN8)
    out["_o"] = out["segment"].map({s: i for i, s in enumerate(order)})
    return out.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _migration(ds, cut, seg_col, lines, now) -> pd.DataFrame:
    prev_cut = cut - pd.Timedelta(days=MIGRATION_DAYS)
    if lines["day"].min() > prev_cut:
        return pd.DataFrame(columns=["from_segment", "to_segment", "customers"])
    try:
        before, _f = segment_customers(ds, prev_cut, lines)
    except (DataError, UsageError):
        return pd.DataFrame(columns=["from_segment", "to_segment", "customers"])
    m = before[["customer_id", seg_col]].merge(
        now[["customer_id", seg_col]], on="customer_id", suffixes=("_from", "_to")
    )
    moved = m[m[f"{seg_col}_from"] != m[f"{seg_col}_to"]]
    t = moved.groupby([f"{seg_col}_from", f"{seg_col}_to"]).size().reset_index(name="customers")
    t.columns = ["from_segment", "to_segment", "customers"]
    return t.sort_values(["customers", "from_segment"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def _customer_table(cust: pd.DataFrame, clv_ok: bool) -> pd.DataFrame:
    cols = ["customer_id", "segment", "segment_cn8", "rfm", "r_score", "f_score", "m_score"]
    cols += ["recency_days", "frequency", "monetary", "avg_order_value", "products"]
    cols += [c for c in ("categories", "discount_share") if c in cust.columns] + ["at_stake"]
    if clv_ok:
        cols += ["p_alive", "purchases_12m", "clv_3m", "clv_6m", "clv_12m"]
    if "cluster" in cust.columns:
        cols.append("cluster")
    return cust[cols].sort_values("monetary", ascending=False, kind="mergesort").reset_index(drop=True)


def _describe(z_row: pd.Series, top_category: tuple[str, float, str] | None = None):
    """The group in words: where it stands out most, and the category it spends most on."""
    tr = clus.traits(z_row)
    words = [M(TRAIT_WORDS[t].msgid) for t in tr if t in TRAIT_WORDS]
    if not words:
        line = M("average customers")
    elif len(words) == 1:
        line = words[0]
    elif len(words) == 2:
        line = M("{first} and {second}", first=words[0], second=words[1])
    else:
        line = M("{first}, {second} and {third}", first=words[0], second=words[1], third=words[2])
    if top_category is None:
        return line
    name, share, how = top_category
    if how == "mostly":
        return M("{traits}, mostly {category}", traits=line, category=name)
    if how == "more":
        return M(
            "{traits}; more {category} than other customers ({share:percent} of their spend)",
            traits=line,
            category=name,
            share=share,
        )
    return M("{traits}; {category} above all ({share:percent} of their spend)", traits=line, category=name, share=share)


def _top_categories(cust: pd.DataFrame, lines: pd.DataFrame | None) -> dict[int, tuple[str, float, str]]:
    """group -> (category, its share of the group's spend, how to say it): "mostly" the category
    with half of the group's spend or more; else "more" the one the group buys most above the
    shop's share (1.2 times or more, at least 10% of the group's spend), which tells groups apart
    where every group buys most of the same best seller; else "top", the one it spends most on."""
    if lines is None or "category" not in lines.columns:
        return {}
    group = cust.set_index("customer_id")["cluster"]
    w = (
        lines[lines["category"].notna()]
        .assign(cluster=lambda d: d["customer_id"].map(group))
        .dropna(subset=["cluster"])
    )
    if not len(w):
        return {}
    shop = w.groupby("category")["spend"].sum()
    shop = shop / (float(shop.sum()) or 1.0)
    spend = w.groupby(["cluster", "category"])["spend"].sum()
    out = {}
    for k, sub in spend.groupby(level=0):
        total = float(sub.sum())
        if total <= 0:
            continue
        share = sub.droplevel(0) / total
        top = str(share.idxmax())
        if share[top] >= TOP_CATEGORY_MOSTLY:
            out[int(k)] = (top, float(share[top]), "mostly")
            continue
        lift = (share / shop.reindex(share.index)).where(share >= 0.1)
        if lift.notna().any() and float(lift.max()) >= 1.2:
            cat = str(lift.idxmax())
            out[int(k)] = (cat, float(share[cat]), "more")
        else:
            out[int(k)] = (top, float(share[top]), "top")
    return out


def _cluster_table(
    cust: pd.DataFrame, c: clus.Clustering, lines: pd.DataFrame | None = None, seg_col: str = "segment"
) -> pd.DataFrame:
    rows = []
    total_rev = float(cust["monetary"].sum()) or 1.0
    tops = _top_categories(cust, lines)
    for k in range(c.k):
        sub = cust[cust["cluster"] == k + 1]
        rows.append(
            {
                "cluster": k + 1,
                "description": _describe(c.z.loc[k], tops.get(k + 1)).to_dict(),
                "customers": len(sub),
                "share_customers": len(sub) / len(cust),
                "share_revenue": float(sub["monetary"].sum()) / total_rev,
                "median_recency_days": float(sub["recency_days"].median()),
                "median_orders": float(sub["frequency"].median()),
                "median_spend": float(sub["monetary"].median()),
                "avg_order_value": float(sub["monetary"].sum() / max(sub["frequency"].sum(), 1)),
                "main_segment": str(sub[seg_col].mode().iloc[0]) if len(sub) else "",  # in the tab's scheme
            }
        )
    return pd.DataFrame(rows)


def _segments_plot(profiles: pd.DataFrame, seg_col: str) -> PlotSpec:
    x = np.arange(len(profiles), dtype=float)
    return PlotSpec(
        x_range=[-0.6, len(profiles) - 0.4],  # the outer bars whole, not cut at their middle
        title=M("Share of customers and of revenue per segment"),
        x_label="",
        y_label=M("share"),
        y_format="percent",
        layers=[
            Layer("bar", x=x - 0.2, y=profiles["share_customers"], name=M("customers"), color="#1f77b4", width=0.38),
            Layer("bar", x=x + 0.2, y=profiles["share_revenue"], name=M("revenue"), color="#ff7f0e", width=0.38),
        ],
        x_ticks=[[float(i), _seg_msg(s)] for i, s in zip(x, profiles["segment"])],
    )


def _segment_actions(profiles: pd.DataFrame) -> list[Action]:
    out = []
    for row in profiles.itertuples(index=False):
        what, kind = PLAYBOOK[row.segment]
        if what == "nothing" or row.customers == 0:
            continue
        text = M(ACTION_WORDS[what].msgid)
        out.append(
            Action(
                kind=kind,
                text=M(
                    "{segment} ({n:int} customers): {what}", segment=_seg_msg(row.segment), n=row.customers, what=text
                ),
                why=(
                    M("their spend expected to be lost in the next 4 weeks")
                    if what == "win_back"
                    else M("their spend expected in the next 4 weeks")
                ),
                money=float(row.money_28d),
                table="segments",
                key={"segment": row.segment},
            )
        )
    out.sort(key=lambda a: -(a.money or 0.0))
    return out[:4]


def _segments_headline(profiles: pd.DataFrame, migration: pd.DataFrame, money: bool):
    """The decision first, in money: whom to win back and what their next 4 weeks are worth, else
    what the best segment is expected to spend; then who brings the revenue, then the worst move."""
    top = profiles.sort_values("share_revenue", ascending=False).iloc[0]
    slipping = profiles[(profiles["action"] == "win_back") & (profiles["customers"] > 0)]
    share_line = M(
        "{segment}: {n:int} customers ({share:percent}) bring {revenue:percent} of the revenue.",
        segment=_seg_msg(top["segment"]),
        n=int(top["customers"]),
        share=float(top["share_customers"]),
        revenue=float(top["share_revenue"]),
    )
    line = share_line
    if money and len(slipping) and float(slipping["money_28d"].sum()) > 0:
        worst = slipping.sort_values("money_28d", ascending=False).iloc[0]
        win_back = (
            Mn(
                "Win back the {n} customer in {segment}: {stake:money0} of their spend in the next 4 weeks "
                "is at stake.",
                "Win back the {n} customers in {segment}: {stake:money0} of their spend in the next 4 weeks "
                "is at stake.",
                int(worst["customers"]),
                segment=_seg_msg(worst["segment"]),
                stake=float(worst["money_28d"]),
            )
            if len(slipping) == 1
            else Mn(
                "Win back {n} customer slipping away ({segment} first): {stake:money0} of their spend in "
                "the next 4 weeks is at stake.",
                "Win back the {n} customers slipping away ({segment} first): {stake:money0} of their spend "
                "in the next 4 weeks is at stake.",
                int(slipping["customers"].sum()),
                segment=_seg_msg(worst["segment"]),
                stake=float(slipping["money_28d"].sum()),
            )
        )
        line = M("{line} {moved}", line=win_back, moved=share_line)
    elif money and float(top["money_28d"]) > 0:
        line = M(
            "{segment}: {n:int} customers ({share:percent}) bring {revenue:percent} of the revenue and are "
            "expected to spend {value:money0} in the next 4 weeks; keep them close.",
            segment=_seg_msg(top["segment"]),
            n=int(top["customers"]),
            share=float(top["share_customers"]),
            revenue=float(top["share_revenue"]),
            value=float(top["money_28d"]),
        )
    bad = migration[migration["from_segment"].isin(GOOD) & migration["to_segment"].isin(SLIPPING)]
    if len(bad):
        b = bad.iloc[0]
        line = M(
            "{line} {moved}",
            line=line,
            moved=Mn(
                "Since last month {n} customer went from {a} to {b}.",
                "Since last month {n} customers went from {a} to {b}.",
                int(b["customers"]),
                a=_seg_msg(b["from_segment"]),
                b=_seg_msg(b["to_segment"]),
            ),
        )
    return line


def _base_conversion(base: pd.DataFrame, lines: pd.DataFrame, at: pd.Timestamp, days: int) -> float:
    """The share of these customers who bought in the ``days`` before ``at`` (the conversion to
    expect without a campaign), at least 1%."""
    w = lines[(lines["day"] < at) & (lines["day"] >= at - pd.Timedelta(days=days))]
    bought = base["customer_id"].isin(set(w["customer_id"])).mean() if len(base) else 0.0
    return float(min(max(bought, 0.01), 0.99))


def _group_column(ds: Dataset, params: dict) -> str | None:
    name = params.get("group_column")
    if name:
        if name not in ds.frame.columns:
            raise DataError(
                _("column {name} (the campaign groups) is not in the table", name=repr(name)),
                where=str(name),
                hint=_("Give the name of the column that says who got the campaign"),
            )
        return str(name)
    low = {str(c).strip().lower(): c for c in ds.frame.columns}
    for n in GROUP_COLUMN_NAMES:
        if n in low:
            return str(low[n])
    return None


def _groups(ds: Dataset, params: dict, lst: pd.DataFrame | None) -> pd.Series:
    """customer id -> contacted / holdout."""
    col = _group_column(ds, params)
    if col is not None and ds.big is not None:
        from bizops_desktop.core.views.reduced import first_group

        return first_group(ds, col, CONTACTED_WORDS, HOLDOUT_WORDS)
    if col is not None:
        v = ds.frame[col].astype(str).str.strip().str.lower()
        word = np.where(v.isin(CONTACTED_WORDS), "contacted", np.where(v.isin(HOLDOUT_WORDS), "holdout", ""))
        g = pd.Series(word, index=ds.frame.index)
        per = pd.DataFrame({"c": ds.frame[ds.col("customer_id")], "g": g})
        per = per[per["g"] != ""].drop_duplicates("c")
        return per.set_index("c")["g"]
    if lst is not None and len(lst):
        return lst.set_index("customer_id")["group"]
    raise UsageError(
        _("measuring a campaign needs to know who got it"),
        hint=_(
            "Mark it in a column (campaign_group: contacted / holdout), or give the segments of the "
            "campaign list (list_segments) with its holdout share and seed"
        ),
    )


def _evaluate_campaign(lines, groups: pd.Series, start, days: int, params: dict, notes: list) -> dict:
    end = start + pd.Timedelta(days=days)
    pre_start = start - pd.Timedelta(days=days)
    ids_c = groups.index[groups == "contacted"]
    ids_h = groups.index[groups == "holdout"]
    if len(ids_c) < 2 or len(ids_h) < 2:
        raise DataError(
            _("a campaign needs at least 2 contacted and 2 held-out customers"),
            hint=_("Check the campaign groups"),
        )
    post = lines[(lines["day"] >= start) & (lines["day"] < end)]
    pre = lines[(lines["day"] >= pre_start) & (lines["day"] < start)]
    spend_post = post.groupby("customer_id")["spend"].sum()
    spend_pre = pre.groupby("customer_id")["spend"].sum()
    bought = set(post["customer_id"])

    def arr(s, ids):
        return s.reindex(ids).fillna(0.0).to_numpy(float)

    conv = camp.two_proportions(
        int(pd.Index(ids_c).isin(list(bought)).sum()),
        len(ids_c),
        int(pd.Index(ids_h).isin(list(bought)).sum()),
        len(ids_h),
    )
    p_c = float(pd.Index(ids_c).isin(list(bought)).mean())
    p_h = float(pd.Index(ids_h).isin(list(bought)).mean())
    spend = camp.mean_difference(arr(spend_post, ids_c), arr(spend_post, ids_h))
    weeks = days / 7.0
    change_c = (arr(spend_post, ids_c) - arr(spend_pre, ids_c)) / weeks
    change_h = (arr(spend_post, ids_h) - arr(spend_pre, ids_h)) / weeks
    did = camp.diff_in_diff(change_c, change_h)
    lift = float(params.get("holdout_lift") or 0.05)
    power = camp.power_two_proportions(p_h, lift, len(ids_c), len(ids_h))
    n = len(ids_c)
    extra, lo, hi = spend.value * n, spend.low * n, spend.high * n
    cost = float(params.get("contact_cost") or 0.0) * n
    metrics = {
        "start": str(start.date()),
        "days": days,
        "contacted": n,
        "holdout": len(ids_h),
        "conversion_contacted": p_c,
        "conversion_holdout": p_h,
        "conversion_lift": conv.as_dict(),
        "spend_per_customer": spend.as_dict(),
        "extra_spend": {"value": extra, "low": lo, "high": hi},
        "diff_in_diff_weekly": did.as_dict(),
        "power": power,
        "power_lift": lift,
        "cost": cost,
    }
    table = pd.DataFrame(
        [
            ("conversion_lift", conv.value, conv.low, conv.high, conv.p_value),
            ("spend_per_customer", spend.value, spend.low, spend.high, spend.p_value),
            ("extra_spend", extra, lo, hi, spend.p_value),
            ("diff_in_diff_weekly", did.value, did.low, did.high, did.p_value),
        ],
        columns=["measure", "estimate", "low", "high", "p_value"],
    )
    # the figures as they read: a share as a percentage, money as money (one column holds both)
    table.insert(
        1,
        "reads",
        [
            (
                M("{v:percent} (likely {lo:percent} to {hi:percent})", v=v, lo=a, hi=b)
                if m == "conversion_lift"
                else M("{v:money} (likely {lo:money} to {hi:money})", v=v, lo=a, hi=b)
            ).to_dict()
            for m, v, a, b in zip(table["measure"], table["estimate"], table["low"], table["high"])
        ],
    )
    sure = spend.low > 0 or conv.low > 0
    if sure and cost:
        headline = Mn(
            "The campaign brought about {extra:money0} extra spend (likely {low:money0}–{high:money0}) "
            "from {n} contacted customer; it cost {cost:money0}.",
            "The campaign brought about {extra:money0} extra spend (likely {low:money0}–{high:money0}) "
            "from {n} contacted customers; it cost {cost:money0}.",
            n,
            extra=extra,
            low=lo,
            high=hi,
            cost=cost,
        )
    elif sure:
        headline = Mn(
            "The campaign brought about {extra:money0} extra spend (likely {low:money0}–{high:money0}) "
            "from {n} contacted customer.",
            "The campaign brought about {extra:money0} extra spend (likely {low:money0}–{high:money0}) "
            "from {n} contacted customers.",
            n,
            extra=extra,
            low=lo,
            high=hi,
        )
    else:
        headline = M(
            "The campaign's effect is not clear: {extra:money0} extra spend, but anywhere from "
            "{low:money0} to {high:money0} (the holdout could not tell; the test had {power:percent} "
            "power to find a {lift:percent} lift in buying).",
            extra=extra,
            low=lo,
            high=hi,
            power=power,
            lift=lift,
        )
    notes.append(
        M(
            "Campaign: {pc:percent} of the contacted customers bought in the {days:int} days from "
            "{start:date}, against {ph:percent} of the holdout (difference {d:percent}, likely "
            "{lo:percent} to {hi:percent}, p = {p:.3f}). Difference in differences on weekly spend "
            "against the {days:int} days before: {did:money} per customer and week (likely {dlo:money} "
            "to {dhi:money}). The holdout was chosen at random, so the difference is the campaign's "
            "doing; the difference in differences also removes what the groups differed by before.",
            pc=p_c,
            ph=p_h,
            days=days,
            start=str(start.date()),
            d=conv.value,
            lo=conv.low,
            hi=conv.high,
            p=conv.p_value,
            did=did.value,
            dlo=did.low,
            dhi=did.high,
        )
    )
    # weekly spend per customer of the two groups around the start
    wk = lines[(lines["day"] >= start - pd.Timedelta(days=8 * 7)) & (lines["day"] < end)].copy()
    wk["week"] = start + pd.to_timedelta(((wk["day"] - start).dt.days // 7) * 7, unit="D")
    layers = [Layer("vline", x=dates_to_seconds([start]), color="#999999")]
    for gname, ids, colour in (("contacted", ids_c, "#d62728"), ("holdout", ids_h, "#1f77b4")):
        sub = wk[wk["customer_id"].isin(set(ids))]
        s = sub.groupby("week")["spend"].sum() / len(ids)
        layers.append(
            Layer(
                "line",
                x=dates_to_seconds(s.index),
                y=s.to_numpy(float),
                name=M(GROUPS[gname].msgid),
                color=colour,
                width=2,
            )
        )
    plot = PlotSpec(
        title=M("Weekly spend per customer: contacted vs holdout"),
        x_label=M("week"),
        y_label=M("spend per customer"),
        x_is_date=True,
        layers=layers,
    )
    action = Action(
        kind="other",
        text=M("Repeat the campaign: it paid")
        if sure and extra > cost
        else M("Rethink the campaign before repeating it"),
        why=headline,
        money=extra * HORIZON_DAYS / days if sure else None,
        table="campaign",
    )
    return {"tables": {"campaign": table}, "metrics": metrics, "plot": plot, "headline": headline, "action": action}


def _evaluate_promotion(lines, start, days: int, money: bool) -> dict:
    daily = lines.groupby("day")["spend"].sum()
    if daily.index.min() > start - pd.Timedelta(days=28):
        raise DataError(
            _("the promotion starts less than 4 weeks after the first order: nothing to compare with"),
            hint=_("Use a longer history before the promotion"),
        )
    eff = camp.interrupted_time_series(daily, start, days)
    e = eff.effect
    m = {
        "start": str(start.date()),
        "days": days,
        "effect": e.as_dict(),
        "expected": eff.expected_total,
        "actual": eff.actual_total,
        "pre_days": eff.pre_days,
        "r2": eff.r2,
    }
    sure = e.low > 0
    headline = (
        M(
            "The shop-wide promotion from {start:date} brought about {extra:money0} extra sales "
            "(likely {low:money0}–{high:money0}) over {days:int} days, against the sales expected "
            "from the {pre:int} days before.",
            start=str(start.date()),
            extra=e.value,
            low=e.low,
            high=e.high,
            days=days,
            pre=eff.pre_days,
        )
        if sure
        else M(
            "The shop-wide promotion from {start:date} shows no clear effect: {extra:money0} "
            "(likely {low:money0} to {high:money0}) against the sales expected from before.",
            start=str(start.date()),
            extra=e.value,
            low=e.low,
            high=e.high,
        )
    )
    caveat = M(
        "The promotion is measured against a forecast from the {pre:int} days before it (trend and "
        "day of week): anything else that changed at the same time (a holiday, a competitor, the "
        "weather) counts as the promotion's doing, and sales pulled forward from the weeks after "
        "are not subtracted.",
        pre=eff.pre_days,
    )
    f = eff.frame
    post = f[f["low"].notna()]
    plot = PlotSpec(
        title=M("Sales per day: actual vs expected without the promotion"),
        x_label=M("day"),
        y_label=M("sales"),
        x_is_date=True,
        layers=[
            Layer(
                "band",
                x=dates_to_seconds(post["day"]),
                y=post["low"],
                y2=post["high"],
                name=M("95% range"),
                color="#1f77b4",
                alpha=0.2,
            ),
            Layer(
                "line", x=dates_to_seconds(f["day"]), y=f["expected"], name=M("expected"), color="#1f77b4", dashed=True
            ),
            Layer("line", x=dates_to_seconds(f["day"]), y=f["actual"], name=M("actual"), color="#d62728", width=2),
        ],
    )
    action = Action(
        kind="price",
        text=M("Run the promotion again") if sure else M("Do not repeat the promotion as it was"),
        why=headline,
        money=e.value * HORIZON_DAYS / days if sure else None,
        table="promotion",
    )
    table = f.copy()
    return {"table": table, "metrics": m, "plot": plot, "headline": headline, "caveat": caveat, "action": action}


def _columns(money: bool) -> dict[str, dict[str, Column]]:
    mk = "money" if money else "num"
    seg = Column(_l("Segment"), "code", values=SEGMENT_NAMES)
    return {
        "segments": {
            "segment": seg,
            "customers": Column(_l("Customers"), "int"),
            "share_customers": Column(_l("Share of customers"), "percent"),
            "share_revenue": Column(_l("Share of revenue"), "percent"),
            "median_recency_days": Column(_l("Median days since last order"), "num"),
            "median_orders": Column(_l("Median orders"), "num"),
            "median_spend": Column(_l("Median spend"), mk),
            "avg_order_value": Column(_l("Average order value"), mk),
            "clv_12m": Column(_l("Expected value, next 12 months (per customer)"), mk),
            "action": Column(_l("What to do"), "code", values=ACTION_WORDS),
            "money_28d": Column(_l("At stake, next 4 weeks"), mk),
        },
        "customers": {
            "customer_id": Column(_l("Customer"), "customer"),
            "segment": seg,
            "segment_cn8": Column(_l("8-class segment"), "code", values=SEGMENT_NAMES),
            "rfm": Column(_l("RFM score"), "text"),
            "r_score": Column(_l("R"), "int", details=True),
            "f_score": Column(_l("F"), "int", details=True),
            "m_score": Column(_l("M"), "int", details=True),
            "recency_days": Column(FEATURE_TITLES["recency_days"], "int"),
            "frequency": Column(FEATURE_TITLES["frequency"], "int"),
            "monetary": Column(FEATURE_TITLES["monetary"], mk),
            "avg_order_value": Column(FEATURE_TITLES["avg_order_value"], mk),
            "products": Column(FEATURE_TITLES["products"], "int"),
            "categories": Column(FEATURE_TITLES["categories"], "int"),
            "discount_share": Column(FEATURE_TITLES["discount_share"], "percent"),
            "at_stake": Column(_l("Spend at risk, next 4 weeks"), mk),
            "p_alive": Column(_l("Chance still a customer"), "percent"),
            "purchases_12m": Column(_l("Expected purchases, next 12 months"), "num"),
            "clv_3m": Column(_l("Expected value, 3 months"), mk),
            "clv_6m": Column(_l("Expected value, 6 months"), mk),
            "clv_12m": Column(_l("Expected value, 12 months"), mk),
            "cluster": Column(_l("Group"), "int"),
        },
        "migration": {
            "from_segment": Column(_l("Last month"), "code", values=SEGMENT_NAMES),
            "to_segment": Column(_l("Now"), "code", values=SEGMENT_NAMES),
            "customers": Column(_l("Customers"), "int"),
        },
        "clusters": {
            "cluster": Column(_l("Group"), "int"),
            "description": Column(_l("In words"), "text"),
            "customers": Column(_l("Customers"), "int"),
            "share_customers": Column(_l("Share of customers"), "percent"),
            "share_revenue": Column(_l("Share of revenue"), "percent"),
            "median_recency_days": Column(_l("Median days since last order"), "num"),
            "median_orders": Column(_l("Median orders"), "num"),
            "median_spend": Column(_l("Median spend"), mk),
            "avg_order_value": Column(_l("Average order value"), mk),
            "main_segment": Column(_l("Most common segment"), "code", values=SEGMENT_NAMES),
        },
        "campaign_list": {
            "customer_id": Column(_l("Customer"), "customer"),
            "segment": seg,
            "group": Column(_l("Group"), "code", values=GROUPS),
        },
        "campaign": {
            "measure": Column(
                _l("Measure"),
                "code",
                values={
                    "conversion_lift": _l("Extra share who bought"),
                    "spend_per_customer": _l("Extra spend per contacted customer"),
                    "extra_spend": _l("Extra spend, all contacted customers"),
                    "diff_in_diff_weekly": _l("Difference in differences, weekly spend per customer"),
                },
            ),
            "reads": Column(_l("Estimate"), "text"),
            "estimate": Column(_l("Estimate (number)"), "num", details=True),
            "low": Column(_l("Likely from"), "num", details=True),
            "high": Column(_l("Likely to"), "num", details=True),
            "p_value": Column(_l("p-value"), "num", details=True),
        },
        "promotion": {
            "day": Column(_l("Day"), "date"),
            "actual": Column(_l("Actual sales"), mk),
            "expected": Column(_l("Expected without the promotion"), mk),
            "low": Column(_l("Expected, low end"), mk, details=True),
            "high": Column(_l("Expected, high end"), mk, details=True),
        },
    }
