"""Sales series: one number per period (day, week or month) per product and in total, from an
orders table (date + quantity or amount) or a ready time series (date + value). Missing periods
are filled with zero sales and several rows of one period are summed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import chunked
from ..errors import DataError
from ..i18n import M, Mn, _
from ..importer.convert import read_dates
from .periods import guess_freq, normalise_freq, period_range, period_start

if TYPE_CHECKING:
    from ..dataset import Dataset

TOTAL = "Total"  # the id of the total series (data: a column name of ``values``)
# How the sales were added up, when the frequency was guessed.
_GUESSED_FREQ_NOTES = {
    "D": lambda: M("Sales were added up daily (frequency guessed from the dates)."),
    "W": lambda: M("Sales were added up weekly (frequency guessed from the dates)."),
    "M": lambda: M("Sales were added up monthly (frequency guessed from the dates)."),
}
# Roles that can hold the number to add up, in order of preference: units sold tell the owner
# what to stock, so quantity wins over money.
VALUE_ROLES = ("quantity", "amount", "target")


@dataclass
class SalesSeries:
    """Wide table of series: ``values`` has one column per series (``Total`` first), indexed by
    period start. ``labels`` maps a series name to what the user sees (id and product name)."""

    freq: str
    values: pd.DataFrame
    value_name: str
    labels: dict[str, str] = field(default_factory=dict)
    notes: list = field(default_factory=list)  # Messages

    @property
    def index(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.values.index)

    @property
    def names(self) -> list[str]:
        return [str(c) for c in self.values.columns]

    def series(self, name: str) -> np.ndarray:
        return self.values[name].to_numpy(dtype=float)


def _period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    if freq == "D":
        return start
    if freq == "W":
        return start + pd.Timedelta(days=6)
    return start + pd.offsets.MonthEnd(0)


def no_date_note(n: int, col) -> object:
    """The note for rows left out for want of a date (in memory and out of core alike)."""
    return Mn(
        "{n} row without a readable date in column '{col}' was left out.",
        "{n} rows without a readable date in column '{col}' were left out.",
        n,
        col=str(col),
    )


def no_number_note(n: int, col) -> object:
    return Mn(
        "{n} row without a number in column '{col}' was left out.",
        "{n} rows without a number in column '{col}' were left out.",
        n,
        col=str(col),
    )


def build_series(
    frame: pd.DataFrame,
    date: str,
    value: str,
    series_col: str | None = None,
    *,
    freq: str | None = None,
    top: int | None = None,
    total: bool = True,
    name_col: str | None = None,
    drop_partial_last: bool = True,
    where: str = "data",
) -> SalesSeries:
    """Aggregate ``value`` by period (and by ``series_col`` when given).

    freq: D/W/M or None to guess from the dates. top: keep the N series with the largest sum
    (the total is always over every row). A last period that the data covers only in part
    (orders up to the 10th of a month, aggregated monthly) is dropped, because its low sum would
    read as a collapse in sales; the notes say so.
    """
    notes: list = []
    for c in (date, value, series_col, name_col):
        if c is not None and c not in frame.columns:
            raise DataError(
                _("column {name} is not in the table", name=repr(c)), where=where, hint=_("Check the column roles")
            )
    dates = frame[date]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = read_dates(dates)  # as the importer reads dates (a frame that skipped it)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    values = pd.to_numeric(frame[value], errors="coerce")
    ok = dates.notna() & values.notna()
    n_bad_date = int(dates.isna().sum())
    n_bad_value = int((dates.notna() & values.isna()).sum())
    if n_bad_date:
        notes.append(no_date_note(n_bad_date, date))
    if n_bad_value:
        notes.append(no_number_note(n_bad_value, value))
    if not ok.any():
        raise DataError(
            _("no row has both a date in {date} and a number in {value}", date=repr(date), value=repr(value)),
            where=where,
            hint=_("Check that the date and value columns are the right ones"),
        )
    work = pd.DataFrame({"date": dates[ok].to_numpy(), "value": values[ok].to_numpy(dtype=float)})
    series_labels = None
    if series_col is not None:
        # the product of each row as a code into its label ("(none)" when blank); the labels are
        # numbered in sorted order, as grouping by the text would order them
        raw_codes, raw_uniques = chunked.factorize(frame.loc[ok, series_col], sort=False)
        text = pd.Series([*raw_uniques.tolist(), None], dtype=object).astype("string").fillna("(none)")
        label_codes, series_labels = pd.factorize(text, sort=True)
        row_series = label_codes[raw_codes]  # a blank's code -1 takes the last entry, "(none)"
        work["series"] = row_series

    natural = guess_freq(work["date"])
    f = normalise_freq(freq) or natural
    if freq is None or normalise_freq(freq) is None:
        notes.append(_GUESSED_FREQ_NOTES[f]())
    work["period"] = period_start(work["date"], f)
    first, last = work["period"].min(), work["period"].max()
    periods = period_range(first, last, f)

    # A ready series has every date on a period start; only finer data can end mid-period.
    finer = bool((work["date"] != work["period"]).any())
    if drop_partial_last and finer and f != "D" and len(periods) > 1:
        last_date = pd.Timestamp(work["date"].max()).normalize()
        if last_date < _period_end(last, f):
            work = work[work["period"] < last]
            periods = periods[:-1]
            notes.append(
                M(
                    "The last period ({start:date}) was dropped: the data ends on {end:date}, before that "
                    "period is over, so its sales are incomplete.",
                    start=last.date(),
                    end=last_date.date(),
                )
            )

    # Duplicate dates are summed; periods with no rows become zero sales.
    tot = work.groupby("period")["value"].sum().reindex(periods, fill_value=0.0)
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    if series_col is not None:
        per = work.groupby(["series", "period"])["value"].sum().unstack("series", fill_value=0.0)
        per.columns = pd.Index(np.asarray(series_labels, dtype=object)[per.columns.to_numpy()], dtype="string")
        per = per.reindex(periods, fill_value=0.0)
        order = per.sum(axis=0).sort_values(ascending=False, kind="stable")
        keep = list(order.index)
        if top is not None and len(keep) > top:
            notes.append(
                Mn(
                    "Forecasting the {top} best-selling of {n} product (top_products); the total covers all of them.",
                    "Forecasting the {top} best-selling of {n} products (top_products); the total covers all of them.",
                    len(keep),
                    top=top,
                )
            )
            keep = keep[:top]
        names = {}
        if name_col is not None:
            # each product's name on its last line that has one
            name_values = frame.loc[ok, name_col].to_numpy(dtype=object)
            named = ~pd.isna(name_values) & (raw_codes >= 0)
            codes = row_series[named][::-1]
            named_codes, at = chunked.unique(codes, return_index=True)
            last_names = pd.Series(name_values[named][::-1][at], dtype=object).astype("string")
            names = dict(zip(np.asarray(series_labels, dtype=object)[named_codes].tolist(), last_names.tolist()))
        total_name = TOTAL if TOTAL not in keep else "Total (all products)"
        if total:
            columns[total_name] = tot
            labels[total_name] = _("Total (all products)")
        for s in keep:
            columns[str(s)] = per[s]
            labels[str(s)] = f"{s} · {names[s]}" if s in names and str(names[s]) != str(s) else str(s)
    else:
        columns[TOTAL] = tot
        labels[TOTAL] = TOTAL
    out = pd.DataFrame(columns, index=periods)
    out.index.name = "period"
    return SalesSeries(freq=f, values=out.astype(float), value_name=value, labels=labels, notes=notes)


_FORECASTING_NOTES = {
    "quantity": lambda col: M("Forecasting the quantity sold (column '{col}').", col=col),
    "amount": lambda col: M("Forecasting the sales in money (column '{col}').", col=col),
    "target": lambda col: M("Forecasting the target (column '{col}').", col=col),
}


def series_view(ds: "Dataset", *, freq: str | None = None, top: int | None = None, total: bool = True) -> SalesSeries:
    """The sales series of a dataset: date + quantity (or amount, or target) per period, per
    product when a product column is mapped."""
    if getattr(ds, "big", None) is not None:  # a file bigger than memory: computed out of core
        from . import outofcore

        return outofcore.series_view(ds, freq=freq, top=top, total=total)
    date = ds.col("date") if ds.has("date") else None
    if date is None:
        raise DataError(
            _("a sales forecast needs a date column"),
            where=ds.name,
            hint=_("Open Column roles and mark the column holding the order date as Date"),
        )
    value_role = next((r for r in VALUE_ROLES if ds.has(r)), None)
    value_col = ds.col(value_role) if value_role is not None else None
    if value_role is None or value_col is None:
        raise DataError(
            _(
                "a sales forecast needs a column with the number sold (quantity), the line total "
                "(amount) or the series value (target)"
            ),
            where=ds.name,
            hint=_("Open Column roles and mark the column to forecast as Quantity, Line total or Target"),
        )
    series_col = ds.col("product_id") if ds.has("product_id") else None
    name_col = ds.col("product_name") if ds.has("product_name") else None
    out = build_series(
        ds.frame,
        date,
        value_col,
        series_col,
        freq=freq,
        top=top,
        total=total,
        name_col=name_col,
        where=ds.name,
    )
    out.notes.insert(0, _FORECASTING_NOTES[value_role](str(value_col)))
    return out
