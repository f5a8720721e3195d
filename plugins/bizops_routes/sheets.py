"""Driver sheets: one printable page per van (HTML, in the reader's language), from a result's
route tables, so a saved project prints its sheets without solving again. The PDF is drawn from
this HTML by Qt (``panel.write_driver_sheets``), as the report is."""

from __future__ import annotations

from html import escape

import pandas as pd

from bizops_desktop.core import i18n
from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import cell_text

from .i18n import _

# written without spaces (the way a minifier writes CSS), as the report's is
CSS = """
body{font-size:10pt}
h1{font-size:17pt;margin:0 0 4px 0}
p.sub{color:#444;margin:2px 0}
table{border-collapse:collapse;width:100%;margin-top:8px}
th{background:#e8e8e8;text-align:left;padding:4px;border:1px solid #999}
td{padding:5px 4px;border:1px solid #999;vertical-align:top}
td.n{text-align:right}
"""


def vans_of(result: Result) -> list[int]:
    vans = result.tables.get("vans")
    return [] if vans is None else [int(v) for v in vans["van"]]


def sheet_html(result: Result, van: int, lang: str | None = None, fonts: str = "") -> str:
    """One van's sheet: who, when, how far, then each stop with its window, arrival and units,
    and a column to sign."""
    lang = lang or i18n.get_language()
    with i18n.use_language(lang):
        routes = result.tables["routes"]
        stops = routes[routes["van"] == van]
        info = result.tables["vans"].set_index("van").loc[van]
        m = result.metrics
        n = int(info["stops"])
        head = [
            f"<h1>{escape(_('Van {n} — driver sheet', n=van))}</h1>",
            "<p class='sub'>"
            + escape(
                _(
                    "Leave {depot} at {depart}, {stops} stops, {km} km, back by {back}",
                    depot=str(m.get("depot_name") or _("the depot")),
                    depart=str(info["depart"]),
                    stops=i18n.format_int(n, lang),
                    km=i18n.format_number(float(info["km"]), lang),
                    back=str(info["back"]),
                )
            )
            + "</p>",
            "<p class='sub'>"
            + escape(
                _(
                    "Load at the start: {units} units of {capacity}",
                    units=i18n.format_number(float(info["units"]), lang),
                    capacity=i18n.format_number(float(info["capacity"]), lang),
                )
            )
            + "</p>",
        ]
        titles = [_("No."), _("Stop"), _("Window"), _("Arrive"), _("Units"), _("Load after"), _("km"), _("Signature")]
        widths = (7, 27, 17, 12, 7, 9, 8, 13)  # percent of the page width; QTextDocument wants attributes
        rows = ["<tr>" + "".join(f"<th width='{w}%' nowrap>{escape(t)}</th>" for t, w in zip(titles, widths)) + "</tr>"]
        for _i, s in stops.iterrows():
            depot_row = int(s["row"]) == 0
            seq = int(s["seq"])
            arrive = str(s["arrive"] or "") if seq else _("leave {time}", time=str(s["leave"]))
            cells = [
                (str(seq) if not depot_row else "", "n"),
                (str(s["stop"]), ""),
                (str(s["window"] or ""), ""),
                (arrive, ""),
                ("" if depot_row else cell_text(float(s["units"]), None, lang=lang), "n"),
                (cell_text(float(s["load_after"]), None, lang=lang), "n"),
                (cell_text(float(s["km"]), None, lang=lang), "n"),
                ("", "sign"),
            ]
            rows.append(
                "<tr>"
                + "".join(
                    f"<td class='{c}'{'' if k in (1, 7) else ' nowrap'}>{escape(t)}</td>"
                    for k, (t, c) in enumerate(cells)
                )
                + "</tr>"
            )
        foot = (
            "<p class='sub'>"
            + escape(
                _(
                    "Times assume {speed} km/h on roads {factor}× the straight line; call the shop if you are late.",
                    speed=i18n.format_number(float(m.get("speed_kmh") or 0), lang),
                    factor=i18n.format_number(float(m.get("road_factor") or 0), lang),
                )
            )
            + "</p>"
        )
        style = CSS + (f" body {{ font-family: {fonts}; }}" if fonts else "")
        return (
            f"<html><head><meta charset='utf-8'><style>{style}</style></head><body>"
            + "".join(head)
            + "<table width='100%' cellspacing='0' cellpadding='4'>"
            + "".join(rows)
            + "</table>"
            + foot
            + "</body></html>"
        )


def route_frame(result: Result, van: int) -> pd.DataFrame:
    return result.tables.get(f"van_{van}", pd.DataFrame())
