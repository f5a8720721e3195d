"""Columns as read -> columns an analysis can use: readable names, and text that holds dates or
numbers turned into real dates and numbers. Columns named like identifiers stay text; which
names those are comes from the one header vocabulary in :mod:`bizops_desktop.core.roles`.
``read_dates`` is the one date parser: the views call it on frames that skipped the importer."""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING

from ..i18n import M, Mn, _
from ..progress import Progress
from ..roles import header_says_date, header_says_day, header_says_id
from .notes import MAX_LISTED, bad_dates_note, evenly, rows_note

if TYPE_CHECKING:
    import pandas as pd

    from .options import ImportOptions

CURRENCY = re.compile(r"[¥￥$€£\s\u00a0]|RMB|CNY|USD|EUR|GBP|元")
# Units written after a quantity in Chinese exports: 2件, 3个, 1份
UNITS = re.compile(r"(?<=\d)\s*(件|个|份|套|盒|瓶|包|pcs|pc)$")


def tidy_columns(frame, no_header: bool, notes: list):
    """Name columns the user can read: strip stray spaces, name unnamed ones, drop a trailing
    empty column that a delimiter at the end of every line creates."""
    names = []
    drop = []
    for j, c in enumerate(frame.columns):
        if no_header:
            names.append(f"column {j + 1}")
            continue
        name = str(c).strip() if not isinstance(c, str) else c.strip()
        if not name or re.fullmatch(r"Unnamed: \d+", name):
            if frame.iloc[:, j].isna().all():
                drop.append(j)
            name = f"column {j + 1}"
        names.append(name)
    # Two columns with one name would make roles ambiguous: number the repeats.
    seen: dict[str, int] = {}
    for j, n in enumerate(names):
        if n in seen:
            seen[n] += 1
            names[j] = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
    frame.columns = names
    if drop:
        dropped = [names[j] for j in drop]
        frame = frame.drop(columns=dropped)
        notes.append(
            Mn("Dropped {n} empty column without a name", "Dropped {n} empty columns without a name", len(drop))
        )
    return frame


def convert_columns(frame, opts: ImportOptions, progress: Progress, first_row: int, unit: str) -> list:
    """Turn text that holds dates or numbers into real dates and numbers, in place. Returns notes.

    A column that is mostly numbers (at least 80%) with a few words in it becomes a number
    column: the cells that are not numbers are left empty, and a note names the column, how many
    cells, their first line numbers and their values, so nothing is dropped silently. (Keeping
    the original text beside the numbers would give every analysis two columns to choose from.)
    Columns named like identifiers (order, customer, product, SKU, 编号...) always stay text."""
    from pandas.api import types as pt

    notes: list = []
    ncols = len(frame.columns)
    for j, col in enumerate(list(frame.columns)):
        progress.report(j / max(ncols, 1), _("Reading dates and numbers..."))
        s = frame[col]
        date_header = header_says_date(col)
        id_header = header_says_id(col)

        if pt.is_numeric_dtype(s) and not pt.is_bool_dtype(s):
            if not opts.parse_dates or not (date_header or (pt.is_integer_dtype(s) and not id_header)):
                continue
            found = _number_dates(s, date_header, header_says_day(col))
            if found:
                parsed, bad, how = found
                frame[col] = parsed
                notes.append(_NUMBER_DATES_NOTES[how](col))
                if bad:
                    notes.append(bad_dates_note(col, bad, parsed.isna() & s.notna(), first_row, unit))
            continue

        if not (pt.is_object_dtype(s) or pt.is_string_dtype(s)):
            continue
        s, protected = unwrap_excel_text(s, col, notes)
        if protected:
            frame[col] = s
        # Decide on an evenly spread sample; look at the whole column only to convert it.
        sample = evenly(s).dropna()
        if len(sample) < 50:
            sample = evenly(s.dropna())
            if sample.empty:
                continue
        str_sample = sample.astype(str).str.strip()

        # Dates: a date-like header, or most values shaped like dates.
        if opts.parse_dates:
            shaped = str_sample.str.match(DATE_PREFILTER).mean()
            is_python_dates = sample.map(lambda x: hasattr(x, "year") and hasattr(x, "month")).mean()
            if is_python_dates >= 0.5 or (date_header and shaped >= 0.5) or (shaped >= 0.9 and not id_header):
                notna = s.notna()
                n_values = int(notna.sum())
                parsed, bad, read_how = _parse_dates(s)
                if n_values and (n_values - bad) / n_values >= (0.5 if date_header else 0.9):
                    frame[col] = parsed
                    if read_how:
                        notes.append(_DATES_NOTES[read_how](col))
                    if bad:
                        notes.append(bad_dates_note(col, bad, parsed.isna() & notna, first_row, unit))
                    continue

        # Numbers kept as text by the reader: currency signs, thousands separators, a few words.
        # Not when the header names an id, nor when the file's writer protected the values as text.
        if id_header or protected:
            continue
        decimal = opts.decimal or "."
        percent = bool(str_sample.str.endswith("%").mean() >= 0.8)
        num_sample = parse_numbers(sample, decimal, opts.thousands, percent)
        rate = float(num_sample.notna().mean()) if len(sample) else 0.0
        if rate < 0.8:
            continue
        nums = parse_numbers(s, decimal, opts.thousands, percent)
        notna = s.notna()
        n_values = int(notna.sum())
        bad_mask = notna & nums.isna()
        bad = int(bad_mask.sum())
        if bad and bad > 0.2 * n_values:
            continue
        frame[col] = nums if percent else maybe_int(nums)
        if percent:
            notes.append(M("Read the percentages in column {col} as fractions (12.5% is 0.125)", col=str(col)))
        if bad:
            bad_vals = s[bad_mask]
            shown = []
            for v in bad_vals.unique()[:MAX_LISTED]:
                shown.append(repr(str(v)))
            notes.append(
                Mn(
                    "{n} value in column {col} is not a number and was left empty ({rows}: {values})",
                    "{n} values in column {col} are not numbers and were left empty ({rows}: {values})",
                    bad,
                    col=str(col),
                    rows=rows_note(bad_mask, first_row, unit),
                    values=", ".join(shown),
                )
            )
    progress.report(1.0)
    return notes


# Excel's ways of keeping a long number as text, as shop exports write them: Taobao's order report
# wraps every order number in a text formula (="2002281389525338520"); a cell typed as '0123 keeps
# its apostrophe when the sheet is saved as CSV by some programs.
_FORMULA_TEXT = r'="(.*)"'
_APOSTROPHE_ID = r"'\d[\w\-]*"


def unwrap_excel_text(s, col, notes: list):
    """(values, protected): a text column's values without Excel's ="…" wrapper, and without the
    leading apostrophe of id-like text ('0123) when most of the column is written so; protected
    is True when any value was, and a note says how many. Such values stay text (they may still
    be dates), as their writer meant. Looks at an evenly spread sample first, so a plain column
    costs little."""
    sample = evenly(s).dropna()
    if sample.empty:
        return s, False
    shown = sample.astype(str)
    wrapped = bool(shown.str.startswith('="').any())
    apostrophes = float(shown.str.fullmatch(_APOSTROPHE_ID).mean()) >= 0.5
    if not wrapped and not apostrophes:
        return s, False
    text = s.astype("string")
    out = s.copy()
    changed = False
    if wrapped:
        hit = text.str.fullmatch(_FORMULA_TEXT).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            out[hit] = text[hit].str.slice(2, -1).to_numpy(dtype=object)
            changed = True
            notes.append(
                Mn(
                    'Took {n} value in column {col} out of Excel\'s ="…" text wrapper',
                    'Took {n} values in column {col} out of Excel\'s ="…" text wrapper',
                    int(hit.sum()),
                    col=str(col),
                )
            )
            text = out.astype("string")
    if apostrophes:
        hit = text.str.fullmatch(_APOSTROPHE_ID).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            out[hit] = text[hit].str.slice(1).to_numpy(dtype=object)
            changed = True
            notes.append(
                Mn(
                    "Removed the leading apostrophe Excel writes before text from {n} value in column {col}",
                    "Removed the leading apostrophe Excel writes before text from {n} values in column {col}",
                    int(hit.sum()),
                    col=str(col),
                )
            )
    return (out, True) if changed else (s, False)


# How a column's dates were read (the codes _parse_dates and _number_dates return), as notes.
_NUMBER_DATES_NOTES = {
    "yyyymmdd": lambda col: M("Read column {col} as dates written as numbers (YYYYMMDD)", col=str(col)),
    "excel": lambda col: M("Read column {col} as dates written as Excel day numbers", col=str(col)),
}
_DATES_NOTES = {
    "yyyymmdd": lambda col: M("Read the dates in column {col} as YYYYMMDD numbers", col=str(col)),
    "years": lambda col: M("Read the dates in column {col} as years (1 January of each)", col=str(col)),
    "excel": lambda col: M("Read the dates in column {col} as Excel day numbers", col=str(col)),
    "day_month": lambda col: M(
        "Read the dates in column {col} as day/month/year (the values also fit month/day/year; check a few)",
        col=str(col),
    ),
    "month_day": lambda col: M(
        "Read the dates in column {col} as month/day/year (the values also fit day/month/year; check a few)",
        col=str(col),
    ),
}


def maybe_int(nums):
    import numpy as np

    v = nums.to_numpy()
    if len(v) and not np.isnan(v).any() and np.all(v == np.floor(v)) and np.abs(v).max() < 2**53:
        return nums.astype("int64")
    return nums


DATE_PREFILTER = re.compile(
    r"^\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{8}(\D|$)"
    r"|\d{4}[-/.年]\d{1,2}月?\s*$"  # a month: 2024-03, 2024年3月
    r"|\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|[A-Za-z]{3}-\d{1,2}-\d{2,4})"
)  # 5-Mar-2024, Mar 5, 2024, Mar-05-24 (eBay)


def looks_like_date_text(value: str) -> bool:
    return bool(DATE_PREFILTER.match(value))


_TIME_SUFFIXES = ("", " %H:%M:%S", " %H:%M", "T%H:%M:%S")
_DATE_BASES = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y.%m.%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%b-%d-%y",  # eBay's Mar-05-24
    "%b-%d-%Y",
)
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月")
_DATE_FORMATS = ("ISO8601",) + tuple(b + s for b in _DATE_BASES for s in _TIME_SUFFIXES) + _MONTH_FORMATS


def _to_datetime(values, fmt: str):
    import pandas as pd
    from pandas.api import types as pt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = pd.to_datetime(values, format=fmt, errors="coerce")
            if not pt.is_datetime64_any_dtype(out):
                raise ValueError("mixed time zones")
        except (ValueError, TypeError, OverflowError):
            # Mixed UTC offsets: read them all as UTC.
            try:
                out = pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
            except (ValueError, TypeError, OverflowError):
                return pd.Series(pd.NaT, index=getattr(values, "index", None), dtype="datetime64[ns]")
    if getattr(out.dtype, "tz", None) is not None:
        # One zone: keep the shop's wall-clock time. Several: UTC (already converted).
        out = out.dt.tz_localize(None) if hasattr(out, "dt") else out.tz_localize(None)
    return out


def _twin_format(fmt: str) -> str | None:
    """The month/day swapped format of a day/month one (and back); None for unambiguous ones."""
    if fmt.startswith(("%d/", "%d-", "%m/", "%m-")):
        return fmt.replace("%d", "%X").replace("%m", "%d").replace("%X", "%m")
    return None


def _parse_dates(series) -> tuple["pd.Series", int, str | None]:
    """(parsed, unparseable count, how they were read worth a note: a key of _DATES_NOTES, or None)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    how: str | None  # a key of _DATES_NOTES, or None
    s = series
    if pt.is_datetime64_any_dtype(s):
        if getattr(s.dtype, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s, 0, None
    notna = s.notna()
    if pt.is_bool_dtype(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), int(notna.sum()), None
    if pt.is_numeric_dtype(s):
        vals = pd.to_numeric(s, errors="coerce")
        v = vals[notna]
        integral = bool(len(v)) and bool((v == np.floor(v)).all())
        if integral and len(v) and v.between(10000101, 99991231).mean() >= 0.5:
            parsed = pd.to_datetime(vals.astype("Int64").astype(str), format="%Y%m%d", errors="coerce")
            how = "yyyymmdd"
        elif integral and len(v) and v.between(1000, 2200).all():
            parsed = pd.to_datetime(vals.astype("Int64").astype(str), format="%Y", errors="coerce")
            how = "years"
        else:
            ok = vals.where((vals >= 1) & (vals < 2958466))
            parsed = pd.to_datetime(ok, unit="D", origin="1899-12-30", errors="coerce")
            how = "excel"
        parsed.index = s.index
        parsed = parsed.astype("datetime64[ns]")
        return parsed, int((notna & parsed.isna()).sum()), how
    # Text: work on the distinct values (an orders file has few distinct dates per many rows).
    codes, uniques = pd.factorize(s)
    uniq = pd.Series([str(u).strip() for u in uniques], dtype=object)
    if len(uniq) == 0:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), 0, None
    step = max(1, len(uniq) // 500)
    sample = uniq.iloc[::step]
    rates = []
    for fmt in _DATE_FORMATS:
        r = _to_datetime(sample, fmt).notna().mean()
        if r > 0:
            rates.append((r, fmt))
        if r == 1.0:
            # Every value fits: stop looking, except to learn whether day/month is ambiguous.
            twin = _twin_format(fmt)
            if twin and twin not in [f for _, f in rates]:
                rt = _to_datetime(sample, twin).notna().mean()
                if rt > 0:
                    rates.append((rt, twin))
            break
    how = None
    parsed_u = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    if rates:
        best_rate = max(r for r, _ in rates)
        order = [f for r, f in rates if r == best_rate] + [
            f for r, f in sorted(rates, key=lambda t: -t[0]) if r != best_rate
        ]
        best = order[0]
        parsed_u = _to_datetime(uniq, best).astype("datetime64[ns]")
        for fmt in order[1:]:
            left = parsed_u.isna()
            if not left.any():
                break
            parsed_u[left] = _to_datetime(uniq[left], fmt).astype("datetime64[ns]")
        day_first = best.startswith(("%d/", "%d-"))
        month_first = best.startswith(("%m/", "%m-"))
        if day_first or month_first:
            twin = _twin_format(best)
            twin_rate = next((r for r, f in rates if f == twin), 0)
            if twin_rate == best_rate:
                how = "day_month" if day_first else "month_day"
    result = pd.Series(np.asarray(parsed_u, dtype="datetime64[ns]")[codes], index=s.index)
    result[codes < 0] = pd.NaT
    return result, int((notna & result.isna()).sum()), how


def parse_date_column(series) -> tuple["pd.Series", int]:
    """Parse a column of dates in any common form (ISO with or without time, 2024/3/5,
    05.03.2024, 20240305, Excel serial numbers...). Returns the datetime column and how many
    non-empty values could not be read (those become NaT)."""
    parsed, bad, _how = _parse_dates(series)
    return parsed, bad


def read_dates(values) -> "pd.Series":
    """A column known to hold dates (the one marked as the date), read as the importer reads a
    column named as a date: text in any form ``parse_date_column`` knows, YYYYMMDD numbers and
    Excel day numbers; datetimes as they are, without a time zone (the shop's wall-clock time).
    NaT where a value is not a date, so the caller can count and name those; other numbers are
    not dates at all (all NaT)."""
    import pandas as pd
    from pandas.api import types as pt

    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pt.is_numeric_dtype(s) and not pt.is_bool_dtype(s):
        found = _number_dates(s, date_header=True, day_header=True)
        return found[0] if found else pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    return _parse_dates(s)[0]


def _number_dates(s, date_header: bool, day_header: bool) -> tuple[pd.Series, int, str] | None:
    """(parsed, unreadable count, how they are written: a key of _NUMBER_DATES_NOTES) when plain
    numbers are dates: YYYYMMDD numbers, or Excel day numbers under a header that names a day.
    None when they are numbers."""
    import numpy as np
    from pandas.api import types as pt

    notna = s.notna()
    n_values = int(notna.sum())
    v = s[notna]
    if n_values == 0:
        return None
    integral = pt.is_integer_dtype(s) or bool((v == np.floor(v)).all())
    if integral and v.between(19000101, 21001231).all():
        parsed, bad, _how = _parse_dates(s)
        # Without a date header, every value must be a real calendar date.
        if bad == 0 or (date_header and bad <= 0.1 * n_values):
            return parsed, bad, "yyyymmdd"
        return None
    if day_header and v.between(20000, 80000).mean() >= 0.9:
        parsed, bad, _how = _parse_dates(s)
        return parsed, bad, "excel"
    return None


def parse_numbers(series, decimal: str, thousands: str | None, percent: bool = False):
    """Read text numbers such as "¥1,234.50", "1.234,56 €", "(12.00)" -> float (NaN where not);
    with ``percent``, "12.5%" -> 0.125."""
    import pandas as pd

    s = series.astype("string").str.strip()
    s = s.str.replace(CURRENCY, "", regex=True)
    s = s.str.replace(UNITS, "", regex=True)
    if percent:
        s = s.str.replace(r"%$", "", regex=True)
    s = s.str.replace(r"^\((.*)\)$", r"-\1", regex=True)  # accounting negatives
    s = s.str.replace(r"^(.*\d)-$", r"-\1", regex=True)  # trailing minus (some ERP exports)
    if decimal == ",":
        grouped = s.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?")
        s = s.where(~grouped.fillna(False), s.str.replace(".", "", regex=False))
        s = s.str.replace(",", ".", regex=False)
    else:
        sep = thousands if thousands and thousands != "." else ","
        grouped = s.str.fullmatch(r"[-+]?\d{1,3}(" + re.escape(sep) + r"\d{3})+(\.\d+)?")
        s = s.where(~grouped.fillna(False), s.str.replace(sep, "", regex=False))
    out = pd.to_numeric(s, errors="coerce").astype("float64")
    return out / 100.0 if percent else out
