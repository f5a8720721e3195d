"""The report a shop owner prints or sends (File ▸ Export report, ``bizops-desktop report``): this
week's actions ranked by money, then one section per analysis with its headline, notes, plots, the
top rows of the tables its tab opens on and how it was computed; written as one self-contained
HTML file (images inline, CSS inline, no network). Qt-free: the PDF is drawn from the same HTML by
``bizops_desktop.qt.report``, and the plots' pictures come from the one plot renderer there.

Cells are formatted by :mod:`bizops_desktop.core.display` (the table model and the exports use the
same), so a report reads like the window: money with the shop's currency, shares as percent,
products by name.
"""

from __future__ import annotations

import base64
import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from . import i18n
from .display import Column, cell_text, title
from .i18n import _, _l

if TYPE_CHECKING:
    import pandas as pd

    from .analysis import Analysis, Result
    from .dataset import Dataset
    from .plotspec import PlotSpec
    from .progress import Progress

MAX_ROWS = 15  # rows of each table in the report: its top, not the whole table
MAX_COLUMNS = 8  # wider tables lose their last columns (an A4 page holds about this many)
MAX_CELL = 140  # characters of one cell; a longer sentence is cut with "…"
MAX_NOTES = 8


@dataclass(frozen=True)
class TableChoice:
    """A table a report shows: ``table`` of the result, under ``title``; ``where`` keeps the rows
    whose column holds the value (``{"rank": 1}``: each customer's top suggestion), ``first_of``
    keeps the rows of the first value of that column (the forecast of the first series)."""

    table: str
    title: Any
    where: Mapping[str, Any] = field(default_factory=dict)
    first_of: str = ""


# The tables of the built-in tabs worth printing, with the titles their tabs give them: what a tab
# opens on, not its Details. A third-party analysis shows each of its tables that has column specs.
REPORT_TABLES: dict[str, tuple[TableChoice, ...]] = {
    "recommender": (
        TableChoice("recommendations", _l("Top suggestion for each customer"), where={"rank": 1}),
        TableChoice("similar_items", _l("Most similar product to each product"), where={"rank": 1}),
    ),
    "basket": (
        TableChoice("pairs", _l("Bought together")),
        TableChoice("bundles", _l("Suggested bundles")),
    ),
    "forecast": (TableChoice("forecast", _l("Forecast table"), first_of="series"),),
    "pricing": (
        TableChoice("prices", _l("Prices")),
        TableChoice("markdown", _l("Markdown plan")),
        TableChoice("segments", _l("Coupons by segment")),
        TableChoice("test_plan", _l("Price test plan")),
    ),
    "churn": (
        TableChoice("scores", _l("Customers at risk"), where={"group": "active"}),
        TableChoice("scores", _l("Win back"), where={"group": "lost"}),
    ),
    "stock": (
        TableChoice("orders", _l("Order proposal")),
        TableChoice("overstock", _l("Overstock")),
    ),
    "routes": (
        TableChoice("vans", _l("Vans")),
        TableChoice("routes", _l("Each van's stops in order")),
        TableChoice("unserved", _l("Not served")),
    ),
    "segments": (
        TableChoice("segments", _l("Customer segments")),
        TableChoice("migration", _l("Moves since last month")),
        TableChoice("clusters", _l("Customer groups the data finds")),
        TableChoice("campaign", _l("Campaign against its holdout")),
    ),
}


@dataclass
class Part:
    """One analysis for the report: its result (None: not run), the dataset and parameters it ran
    with, whether the data changed since (stale), or why it did not run (``problem``)."""

    analysis: "Analysis"
    result: "Result | None"
    dataset: str | None = None
    params: Mapping[str, Any] | None = None
    stale: bool = False
    problem: str | None = None


@dataclass
class Table:
    """A table as printed: titles and cell texts, which columns are numbers (right-aligned), and
    how many rows the whole table has."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    total_rows: int
    # (column title, text) of the text columns that say the same on every printed row: said once
    common: list[tuple[str, str]] = field(default_factory=list)

    def widths(self) -> list[int]:
        """Each column's share of the page width in percent, by the length of what it holds (a
        sentence column gets room, a number column little)."""
        if not self.columns:
            return []
        weights = []
        for j, head in enumerate(self.columns):
            longest = max([len(r[j]) for r in self.rows] + [1])
            mean = sum(len(r[j]) for r in self.rows) / max(len(self.rows), 1)
            # never narrower than the title's longest word, nor than a number (numbers do not wrap)
            word = max([len(w) for w in head.split()] + [5])  # titles are bold: wider letters
            least = 3 + max(1.7 * word, longest if self.numeric[j] else 0)
            weights.append(max(4.0 * (0.5 * (mean + longest)) ** 0.5, least))
        total = sum(weights)
        out = [max(4, round(100 * w / total)) for w in weights]
        out[out.index(max(out))] -= sum(out) - 100
        return out


@dataclass
class Plot:
    key: str  # unique in the report: the picture's name
    title: str
    spec: "PlotSpec"


@dataclass
class Section:
    analysis: str
    title: str
    headline: str = ""
    notes: list[str] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    method: str = ""  # what the analysis does, in a sentence
    data: str = ""  # which table it ran on
    settings: list[tuple[str, str]] = field(default_factory=list)
    reading: str = ""  # how to read the result (from the tab's guide)
    stale: bool = False


@dataclass
class Report:
    lang: str
    source: str  # the shop or data the report is about
    date: str
    actions_headline: str
    actions: Table | None
    sections: list[Section]
    not_run: list[tuple[str, str]]  # (tab title, why)

    def plots(self) -> list[Plot]:
        return [p for s in self.sections for p in s.plots]


# -- gathering -------------------------------------------------------------------------------------
def run_parts(
    analyses: Sequence["Analysis"],
    datasets: Sequence["Dataset"],
    saved: Mapping[str, tuple[Mapping[str, Any] | None, str | None]] | None = None,
    progress: "Progress | None" = None,
) -> list[Part]:
    """Every analysis run on the data (saved parameters or defaults), as report parts: the same
    run-all as the Overview's."""
    from .overview import run_all

    by_id = {a.id: a for a in analyses}
    outcomes = run_all(analyses, datasets, saved, progress)
    return [Part(by_id[o.analysis], o.result, o.dataset, o.params, False, o.problem) for o in outcomes]


def source_name(project_path: Any, datasets: Sequence["Dataset"]) -> str:
    """What the report is about, for its title: the project's name, else the demo shop, else the
    file the first table came from, else that table's name."""
    from pathlib import Path

    if project_path:
        return Path(project_path).stem
    if not datasets:
        return _("Report")
    first = datasets[0]
    if first.source:
        from .demo import demo_dir

        folder = Path(first.source).resolve().parent
        if folder in (demo_dir("en").resolve(), demo_dir("zh_CN").resolve()):
            return _("Demo shop")
        return Path(first.source).name
    return first.name


def build_report(
    parts: Sequence[Part],
    source: str,
    *,
    date: _dt.date | None = None,
    lang: str | None = None,
    progress: "Progress | None" = None,
) -> Report:
    """The report's content in ``lang`` (default: the current language), as plain texts; pictures
    of the plots are made later by the caller (they need Qt)."""
    from .overview import Entry, actions_table

    lang = i18n.normalize_language(lang) or i18n.get_language()
    with i18n.use_language(lang):
        ran = [p for p in parts if p.result is not None]
        entries = [Entry(p.analysis.id, p.analysis.title, p.result, p.stale) for p in ran]
        frame, columns, headline = actions_table(entries)
        if not any(e.stale for e in entries) and "status" in frame.columns:
            frame = frame.drop(columns="status")  # "up to date" on every line says nothing
        actions = table_of(frame, columns, {}, _("This week"), lang) if len(frame) else None
        sections = []
        for i, p in enumerate(ran):
            if progress is not None:
                progress.report(i / max(len(ran), 1), i18n.text(p.analysis.title))
                progress.check()
            sections.append(section_of(p, lang))
        not_run = [(i18n.text(p.analysis.title), p.problem or _("not run yet")) for p in parts if p.result is None]
        return Report(
            lang=lang,
            source=source,
            date=i18n.format_date(date or _dt.date.today(), lang, "long"),
            actions_headline=i18n.text(headline),
            actions=actions,
            sections=sections,
            not_run=not_run,
        )


def section_of(part: Part, lang: str) -> Section:
    a, r = part.analysis, part.result
    assert r is not None
    s = Section(analysis=a.id, title=i18n.text(a.title, lang), stale=part.stale)
    s.headline = i18n.text(r.headline, lang) if r.headline is not None else ""
    s.notes = [i18n.text(n, lang) for n in r.notes[:MAX_NOTES]]
    for name, spec in r.plots.items():
        s.plots.append(Plot(f"{a.id}-{name}", i18n.text(spec.title, lang) or name, spec))
    for choice in _choices(a.id, r):
        frame = r.tables.get(choice.table)
        if frame is None:
            continue
        rows = _pick_rows(frame, choice)
        if not len(rows):
            continue
        rows = rows.drop(columns=[c for c in choice.where if c in rows.columns])  # the title says it
        t = table_of(rows, r.columns.get(choice.table), r.names, i18n.text(choice.title, lang), lang)
        if t.columns:
            s.tables.append(t)
    s.method = i18n.text(a.summary, lang)
    if s.method:
        s.method = s.method[0].upper() + s.method[1:]
    if part.dataset:
        s.data = part.dataset
    s.settings = settings_of(a, part.params or {}, lang)
    s.reading = reading_of(a, lang)
    return s


def _choices(analysis_id: str, result: "Result") -> tuple[TableChoice, ...]:
    if analysis_id in REPORT_TABLES:
        return REPORT_TABLES[analysis_id]
    return tuple(TableChoice(t, t) for t in result.tables if t in result.columns)


def _pick_rows(frame: "pd.DataFrame", choice: TableChoice) -> "pd.DataFrame":
    rows = frame
    for col, value in choice.where.items():
        if col in rows.columns:
            rows = rows[rows[col] == value]
    if choice.first_of and choice.first_of in rows.columns and len(rows):
        rows = rows[rows[choice.first_of] == rows[choice.first_of].iloc[0]]
    return rows


def table_of(
    frame: "pd.DataFrame",
    columns: Mapping[str, Column] | None,
    names: Mapping[str, str] | None,
    heading: str,
    lang: str,
    max_rows: int = MAX_ROWS,
) -> Table:
    """The top ``max_rows`` of ``frame`` as printed: the columns the tab shows (not its Details,
    not hidden ones, not those empty in every printed row), titled and formatted as in the window."""
    import pandas as pd

    columns = columns or {}
    top = frame.head(max_rows)
    shown: list[str] = []
    cells: list[list[str]] = []
    numeric: list[bool] = []
    for c in top.columns:
        spec = columns.get(c)
        if spec is not None and (spec.kind == "hidden" or spec.details):
            continue
        if spec is None and columns:
            continue  # a result that describes its columns shows only those it describes
        texts = [_cut(cell_text(v, spec, names, lang)) for v in top[c].tolist()]
        if not any(texts):
            continue
        shown.append(str(c))
        cells.append(texts)
        kind = spec.kind if spec is not None else None
        numeric.append(
            kind in ("int", "num", "money", "percent")
            or (kind is None and pd.api.types.is_numeric_dtype(top[c]) and not pd.api.types.is_bool_dtype(top[c]))
        )
        if len(shown) == MAX_COLUMNS:
            break
    titles = [title(c, columns.get(c), lang) for c in shown]
    common: list[tuple[str, str]] = []
    if len(top) > 1:  # a text column with one value on every row is said once, under the title
        for j in reversed(range(len(shown))):
            if not numeric[j] and len(set(cells[j])) == 1 and len(shown) > 1:
                common.insert(0, (titles[j], cells[j][0]))
                del shown[j], cells[j], numeric[j], titles[j]
    rows = [list(r) for r in zip(*cells)] if cells else []
    return Table(heading, titles, rows, numeric, len(frame), common)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1].rstrip() + "…"


def settings_of(analysis: "Analysis", params: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The parameters the result was computed with, as the form labels them: every ordinary one,
    and the advanced ones only where they differ from their default."""
    out = []
    for p in analysis.params:
        value = params.get(p.name, p.default)
        if p.advanced and value == p.default:
            continue
        out.append((i18n.text(p.title, lang), _value_text(p, value, lang)))
    return out


def _value_text(p, value: Any, lang: str) -> str:
    if value is None:
        return _("automatic")
    if p.kind == "choice":
        return p.choice_label(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return i18n.format_list([_value_text(p, v, lang) for v in value], lang) if value else "–"
    if isinstance(value, (int, float)):
        return i18n.format_number(value, lang)
    return str(value) or "–"


_HEADING = re.compile(r"^#{1,6}\s", re.M)


def reading_of(analysis: "Analysis", lang: str) -> str:
    """The "How to read the result" part of the tab's guide (its third section, by the guide's
    layout: see ``Analysis.guide``), as plain paragraphs; empty without a guide."""
    if not analysis.guide:
        return ""
    text = i18n.text(analysis.guide, lang)
    parts = [p for p in _HEADING.split(text) if p.strip()]
    if len(parts) < 3:
        return ""
    body = parts[2].split("\n", 1)
    return body[1].strip() if len(body) > 1 else ""


# -- HTML ------------------------------------------------------------------------------------------
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei")
CJK_PREFIXES = ("Source Han", "WenQuanYi")  # families found by the start of their name

# written without spaces (the way a minifier writes CSS): one rule a line
CSS = """
body{font-family:%(fonts)s;font-size:10pt;color:#222;}
h1{font-size:20pt;margin:0 0 4pt 0;}
h2{font-size:15pt;margin:0 0 6pt 0;color:#1f4e79;}
h3{font-size:11pt;margin:10pt 0 4pt 0;color:#333;}
p{margin:0 0 5pt 0;}
.sub{color:#555;}
.headline{font-size:12pt;font-weight:bold;margin:4pt 0 8pt 0;}
.warn{color:#8a6d00;}
.note{color:#444;margin:0 0 3pt 0;}
.more{color:#666;font-size:8pt;}
table.t{border-collapse:collapse;width:100%%;margin:0 0 6pt 0;}
table.t th{background-color:#e8eef5;text-align:left;font-size:8pt;border:1px solid #b9c6d6;}
table.t th.cap{background-color:#ffffff;font-size:11pt;color:#333;border:0;padding-top:8pt;}
table.t td{font-size:8pt;border:1px solid #d4dbe3;vertical-align:top;}
table.t td.common{font-size:8pt;color:#555;border:0;}
td.n{text-align:right;}
table.kv td{font-size:9pt;padding:1pt 8pt 1pt 0;}
div.section{page-break-before:always;}
img.plot{max-width:100%%;}
"""

LATIN_FONTS = ("Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans")


def html_fonts(lang: str, first: Sequence[str] = ()) -> str:
    """The CSS font list: ``first`` (the fonts the PDF embeds), then the usual fonts of Windows,
    macOS and Linux; Chinese ones first for a Chinese report, so its punctuation is Chinese."""
    usual = CJK_FONTS + LATIN_FONTS if lang == "zh_CN" else LATIN_FONTS + CJK_FONTS
    names = list(dict.fromkeys([*first, *usual]))
    return ", ".join(f"'{n}'" for n in names) + ", sans-serif"


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def to_html(
    report: Report,
    image_src: Callable[[Plot], str | None],
    *,
    fonts: Sequence[str] = (),
    image_width: int = 640,
) -> str:
    """The report as one HTML document. ``image_src(plot)`` gives each picture's ``src``: a
    ``data:`` URI for the self-contained file, a resource name for the PDF; None leaves the plot
    out. ``fonts``: the families to try first (those the PDF embeds)."""
    from bizops_desktop import __version__

    lang = report.lang
    with i18n.use_language(lang):
        e = escape
        out = [
            "<!DOCTYPE html>",
            f'<html lang="{e(lang.replace("_", "-"))}"><head><meta charset="utf-8">',
            _tag("title", _("Report: {source}", source=report.source)),
            "<style>" + CSS % {"fonts": html_fonts(lang, fonts)} + "</style></head><body>",
            f"<h1>{e(report.source)}</h1>",
            _tag("p", _("Shop report, {date}", date=report.date), "sub"),
            _tag("p", _("Made with BizOps Desktop {version}", version=__version__), "sub"),
        ]
        if report.sections:
            out.append(_tag("h3", _("In this report")))
            out.append("<p>" + "<br>".join(e(s.title) for s in report.sections) + "</p>")
        if report.not_run:
            out.append(_tag("h3", _("Not in this report")) + "<p>")
            out.append(
                "<br>".join(e(_("{tab}: {why}", tab=t, why=_strip_period(why))) for t, why in report.not_run) + "</p>"
            )
        out.append(_tag("h2", _("This week")))
        out.append(f'<p class="headline">{e(report.actions_headline)}</p>')
        if report.actions is not None:
            out.append(_table_html(report.actions, heading=False))
        for s in report.sections:
            out.append(_section_html(s, image_src, image_width))
        out.append("</body></html>")
        return "\n".join(out)


def _tag(tag: str, text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{escape(text)}</{tag}>"


def _strip_period(text: str) -> str:
    return text[:-1] if text.endswith((".", "。")) else text


def _section_html(s: Section, image_src: Callable[[Plot], str | None], width: int) -> str:
    e = escape
    out = [f'<div class="section" id="{e(s.analysis)}"><h2>{e(s.title)}</h2>']
    if s.stale:
        out.append(_tag("p", _("The data has changed since this result was computed."), "warn"))
    if s.headline:
        out.append(f'<p class="headline">{e(s.headline)}</p>')
    for t in s.tables:
        out.append(_table_html(t))
    for p in s.plots:
        src = image_src(p)
        if src:  # the picture carries its own title
            out.append(f'<p class="plot"><img class="plot" src="{e(src)}" width="{width}" alt="{e(p.title)}"></p>')
    if s.notes:
        out.append(_tag("h3", _("Notes")))
        out += [f'<p class="note">• {e(n)}</p>' for n in s.notes]
    out.append(_tag("h3", _("How this was computed")))
    if s.method:
        out.append(f"<p>{e(s.method)}</p>")
    rows = []
    if s.data:
        rows.append((_("Data"), s.data))
    rows += s.settings
    if rows:
        out.append('<table class="kv">')
        out += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in rows]
        out.append("</table>")
    if s.reading:
        out.append(_tag("h3", _("How to read it")))
        out += [f"<p>{e(par.strip())}</p>" for par in s.reading.split("\n\n") if par.strip()]
    out.append("</div>")
    return "\n".join(out)


def _table_html(t: Table, heading: bool = True) -> str:
    """A table whose title and column titles are its header rows: repeated on each page a long
    table spans, and never left alone at the foot of a page."""
    e = escape
    n = len(t.columns)
    out = ['<table class="t" width="100%" cellspacing="0" cellpadding="3"><thead>']
    if heading:
        out.append(f'<tr><th class="cap" colspan="{n}">{e(t.title)}</th></tr>')
    if t.common:
        said = "; ".join(_("{column}: {value}", column=c, value=v) for c, v in t.common)
        out.append(f'<tr><td class="common" colspan="{n}">{e(said)}</td></tr>')
    out.append("<tr>")
    out += [f'<th width="{w}%">{e(c)}</th>' for c, w in zip(t.columns, t.widths())]
    out.append("</tr></thead>")
    for row in t.rows:
        tds = [f'<td class="n" align="right">{e(v)}</td>' if n else f"<td>{e(v)}</td>" for v, n in zip(row, t.numeric)]
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    if t.total_rows > len(t.rows):
        out.append(_tag("p", _("The first {n:int} of {total:int} rows.", n=len(t.rows), total=t.total_rows), "more"))
    return "\n".join(out)


def html_file(report: Report, pngs: Mapping[str, bytes], fonts: Sequence[str] = ()) -> str:
    """The self-contained HTML file: every picture inline as a base64 PNG."""
    return to_html(report, lambda p: png_data_uri(pngs[p.key]) if p.key in pngs else None, fonts=fonts)


__all__ = [
    "MAX_ROWS",
    "REPORT_TABLES",
    "Part",
    "Plot",
    "Report",
    "Section",
    "Table",
    "TableChoice",
    "build_report",
    "html_file",
    "run_parts",
    "source_name",
    "table_of",
    "to_html",
]
