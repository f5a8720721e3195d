"""The one export path: numbers rounded to their meaning, titles on request, and file names from
a result (which may come from a stranger's project file) kept inside the folder the user chose."""

from __future__ import annotations

import json

import pandas as pd

from bizops_desktop.core.analysis import Result
from bizops_desktop.core.display import Column
from bizops_desktop.core.export import safe_filename, sheet_name, write_result, write_tables_excel
from bizops_desktop.core.i18n import _l, use_language


def _result() -> Result:
    t = pd.DataFrame(
        {
            "product_id": ["P1", "P2"],
            "price": [1.8699999999999999, 2.0],
            "share": [0.038412345, 0.5],
            "lift": [18.123456789, 1.0],
            "params": [{"alpha": 0.24310264996089523}, {"alpha": 0.1}],
        }
    )
    return Result(
        tables={"prices": t},
        columns={
            "prices": {
                "product_id": Column(_l("Product"), "product"),
                "price": Column(_l("Price"), "money"),
                "share": Column(_l("Share of orders"), "percent"),
            }
        },
        names={"P1": "Coffee beans"},
        notes=["done"],
    )


def test_csv_numbers_carry_no_float_noise(tmp_path):
    write_result(_result(), tmp_path)
    text = (tmp_path / "prices.csv").read_text(encoding="utf-8-sig")
    assert "1.8699999999999999" not in text and "0.24310264996089523" not in text
    rows = pd.read_csv(tmp_path / "prices.csv")
    assert rows["price"].tolist() == [1.87, 2.0]  # money to cents
    assert rows["share"].tolist() == [0.0384, 0.5]  # shares to 4 decimals
    assert json.loads(rows["params"][0]) == {"alpha": 0.243103}
    assert list(rows.columns) == ["product_id", "price", "share", "lift", "params"]  # ids for scripts


def test_titles_on_request_in_the_chosen_language(tmp_path):
    write_result(_result(), tmp_path, titles=True)
    rows = pd.read_csv(tmp_path / "prices.csv")
    assert list(rows.columns)[:4] == ["Product", "Product name", "Price", "Share of orders"]
    assert rows["Product name"].fillna("").tolist() == ["Coffee beans", ""]


def test_names_from_a_forged_result_stay_inside_the_folder(tmp_path):
    out = tmp_path / "out"
    frame = pd.DataFrame({"a": [1]})
    r = Result(tables={"/abs/path/x": frame, "../../escape": frame, "a:b": frame, "CON": frame, "": frame})
    written = write_result(r, out)
    assert all(p.resolve().parent == out.resolve() for p in written)
    assert not (tmp_path / "escape.csv").exists() and not list(tmp_path.glob("abs*"))
    assert sorted(p.name for p in written) == [
        "_CON.csv",
        "a_b.csv",
        "abs_path_x.csv",
        "escape.csv",
        "summary.json",
        "table.csv",
    ]


def test_excel_sheet_names_are_valid_and_unique(tmp_path):
    frame = pd.DataFrame({"a": [1]})
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in ("x" * 40, "x" * 40, "a[1]:b", "")]
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 4
    assert not any(ch in "".join(names) for ch in "[]:*?/\\")
    path = write_tables_excel({"x" * 40: frame, "../y": frame}, tmp_path / "t.xlsx")
    assert pd.ExcelFile(path).sheet_names == ["x" * 31, ".._y"]


def test_safe_filename_keeps_plain_names():
    assert safe_filename("rules") == "rules" and safe_filename("规则") == "规则"
    assert safe_filename("../../x") == "x" and safe_filename("\x00") == "table"


def test_summary_notes_are_text_in_the_language_of_the_run(tmp_path):
    from bizops_desktop.core.i18n import M

    r = Result(notes=[M("Search…")], headline=M("Search…"))
    with use_language("en"):
        write_result(r, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["notes"] == ["Search…"] and summary["headline"] == "Search…"


def _cells() -> list:
    """Message cells of every shape a table holds: plain, plural, nested, damaged, not messages."""
    from bizops_basket.analysis import _cell, bundle_reason, pair_sentence, why_sentence
    from bizops_desktop.core.i18n import M, Mn

    out: list = []
    for k in range(40):
        conf, lift = (k % 7) / 7 + 0.0004 * k, [0.3, 0.99, 1.0, 2.25, 3.05, float("inf"), 0.0][k % 7]
        a, c = [f"P{k % 5}", "咖啡"][: 1 + k % 2], [f"Q{k % 3}"]
        out.append(_cell(why_sentence(a, c, conf, lift)))
        out.append(_cell(pair_sentence(a, c, conf, 0.5, 2.0 if lift == 0.0 else lift)))
        out.append(_cell(bundle_reason(a, c, conf, 0.5, 2.5, k)))
    out += [
        M("{first} {second}", first=M("Search…"), second="x").to_dict(),  # a message inside a message
        Mn("{n:int} order", "{n:int} orders", 3).to_dict(),
        {"domain": "bizops_desktop", "msgid": "{x:percent} of {y}", "values": {"x": "not a number", "y": 1}},
        {"domain": "bizops_desktop", "msgid": "{x} and {missing}", "values": {"x": 1}},
        {"domain": "bizops_desktop", "msgid": "no values {x}", "values": {}},
        {"domain": "bizops_desktop", "msgid": "{x:percent}", "values": {"x": -0.0}},
        {"domain": "bizops_desktop", "msgid": "{x:percent}", "values": {"x": 0.0}},
        {"domain": "nobody", "msgid": "{x:int} things", "values": {"x": 2.0}, "plural": "{x:int} things", "n": 2},
        {"domain": "bizops_desktop", "msgid": "{n:int} order", "plural": "{n:int} orders", "values": {"n": 5}},
        M("Search…"),
        *(M("{x} {y:list} {z:percent}", x=x, y=y, z=z).to_dict() for x, y, z in _mixed_values()),
        *(M("{x:money} then {y:money}", x=x, y=z).to_dict() for x, _y, z in _mixed_values()),
        *(M("{m:money}", m=m).to_dict() for m in (0.005, 0.015, 2.675, 1234567.891, 1e16, -3.5, 12)),
        # counts equal as numbers but of other types: each reads as its own cell does
        *(
            {"domain": "bizops_desktop", "msgid": "{n} order", "plural": "{n} orders", "n": n}
            for n in (1, 1.0, True, 2)
        ),
        None,
        "already text",
        float("nan"),
    ]
    return out


def _mixed_values():
    """Values one template gets: equal as numbers yet read differently (True and 1, 0.0 and -0.0),
    NaN, lists of equal length, a list that is not of texts."""
    xs = [True, 1, 1.0, 0.0, -0.0, float("nan"), "1", None]
    ys = [["a", "b"], ("a", "b"), ["c"], [], ["a", 2]]
    zs = [0.1, float("nan"), 0.999, 0.12345, float("inf")]
    return [(xs[k % len(xs)], ys[k % len(ys)], zs[k % len(zs)]) for k in range(3 * len(xs) * len(ys))]


def test_sentence_columns_render_as_each_cell_alone():
    import numpy as np

    from bizops_desktop.core.export import render_messages
    from bizops_desktop.core.i18n import text

    cells = _cells()
    for lang in ("en", "zh_CN"):
        with use_language(lang):
            want = [None if v is None else text(v, lang) for v in cells]
            assert list(render_messages(np.asarray(cells + [None], dtype=object)[:-1])) == want


def test_list_cells_are_the_json_of_each_cell():
    import numpy as np

    from bizops_desktop.core.export import _json_cell, json_cells

    cells = [["a", 'b"q', "中文"], ("x\\y", "\n"), [], None, {"alpha": 0.24310264996089523}, ["P1"], float("nan")]
    want = [_json_cell(v) for v in cells]
    assert list(json_cells(np.asarray(cells + [None], dtype=object)[:-1])) == want
    assert want[0] == '["a", "b\\"q", "中文"]'
    mixed = cells + [[1, 2.5]]  # a list of numbers: its floats rounded, cell by cell
    assert list(json_cells(np.asarray(mixed, dtype=object))) == [_json_cell(v) for v in mixed]
