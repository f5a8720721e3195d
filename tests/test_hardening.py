"""No bad file and no bad plugin gets a traceback or a hang (issue 15, items 4, 6 and 9): each
case ends in a plain message naming what is wrong."""

from __future__ import annotations

import os
import sys
import types
import zipfile

import pandas as pd
import pytest

from bizops_desktop import cli
from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import DataError, ProjectError
from bizops_desktop.core.importer import load_dataset
from bizops_desktop.core.plugins import hookimpl, load_registry
from bizops_desktop.core.project import load_project


def _xlsx(path):
    pd.DataFrame({"order_id": ["A", "B"], "product_id": ["x", "y"]}).to_excel(path, index=False)
    return path


def _without(src, dst, member):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename != member:
                zout.writestr(item, zin.read(item.filename))
    return dst


def test_damaged_workbooks_are_named_as_such(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx")
    cases = {
        "no_sheet.xlsx": _without(good, tmp_path / "no_sheet.xlsx", "xl/worksheets/sheet1.xml"),
        "bad_zip.xlsx": tmp_path / "bad_zip.xlsx",
    }
    cases["bad_zip.xlsx"].write_bytes(b"PK\x03\x04" + os.urandom(2000))
    for path in cases.values():
        with pytest.raises(DataError, match="damaged|cannot be opened|sheet"):
            load_dataset(path)


def test_a_rust_panic_in_the_excel_reader_becomes_a_message(tmp_path, monkeypatch):
    import python_calamine as pc

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic: not an Exception
        pass

    def panic(*a, **k):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    path = _xlsx(tmp_path / "p.xls")
    monkeypatch.setattr(pc.CalamineWorkbook, "from_path", panic)
    with pytest.raises(DataError, match="damaged"):
        load_dataset(path)
    assert cli.main(["run", "basket", "--data", str(path), "--out", str(tmp_path / "o")]) == 1


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_given_as_data_or_project_does_not_hang(tmp_path, capsys):
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        load_dataset(fifo)
    proj = tmp_path / "p.bizops"
    os.mkfifo(proj)
    with pytest.raises(ProjectError, match="not a regular file"):
        load_project(proj)
    assert cli.main(["run", "basket", "--data", str(fifo), "--out", str(tmp_path / "o")]) == 1
    assert "not a regular file" in _one_line(capsys)


def test_out_pointing_at_a_file_and_names_too_long_get_plain_messages(tmp_path, capsys):
    a_file = tmp_path / "results"
    a_file.write_text("x")
    assert cli.main(["run", "basket", "--demo", "--out", str(a_file), "--no-plots"]) == 1
    assert "not a folder" in _one_line(capsys)
    long_name = tmp_path / ("x" * 300 + ".csv")
    assert cli.main(["run", "basket", "--data", str(long_name), "--out", str(tmp_path / "o")]) == 1
    assert "internal error" not in _one_line(capsys)


def test_control_characters_in_names_never_reach_the_terminal(tmp_path, capsys):
    name = tmp_path / "ord\x1b[31mers\x07\nfake line\x00.csv"
    assert cli.main(["run", "basket", "--data", str(name), "--out", str(tmp_path / "o")]) == 1
    err = _one_line(capsys)
    assert not any(ch in err for ch in "\x1b\x07\x00") and "\\x1b" in err


def _analysis(**kw):
    base = dict(id="fine", title="Fine", summary="ok", run=lambda ds, p, pr: Result())
    return Analysis(**{**base, **kw})


def test_a_malformed_analysis_is_reported_and_the_others_stay(capsys):
    def register():
        return [
            _analysis(id="bad_order", order="first"),
            _analysis(id="bad_params", params=["x"]),
            _analysis(id="no good"),
            _analysis(),
        ]

    plugin = types.SimpleNamespace(__name__="sloppy", bizops_register_analyses=hookimpl(register))
    reg = load_registry(entry_points=False, extra=[plugin])
    assert "fine" in reg.analyses and not {"bad_order", "bad_params", "no good"} & set(reg.analyses)
    messages = " ".join(p.message for p in reg.problems)
    assert "whole number" in messages and "not a Param" in messages and "plain name" in messages
    assert [a.id for a in reg.ordered()][-1] in reg.analyses  # sorting works


def test_bizops_analyses_survives_a_malformed_plugin(monkeypatch, capsys):
    def register():
        return [_analysis(id="bad_order", order="first")]

    plugin = types.SimpleNamespace(__name__="sloppy", bizops_register_analyses=hookimpl(register))
    real = load_registry
    monkeypatch.setattr("bizops_desktop.core.plugins.load_registry", lambda **k: real(extra=[plugin], **k))
    assert cli.main(["analyses"]) == 0
    out = capsys.readouterr()
    assert "basket" in out.out and "sloppy" in out.err


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root may read anything")
def test_an_unreadable_file_is_said_in_words(tmp_path):
    p = tmp_path / "locked.csv"
    p.write_text("a,b\n1,2\n")
    p.chmod(0)
    with pytest.raises(DataError, match="may not read"):
        load_dataset(p)


def test_names_from_a_file_are_shown_as_text_not_markup(qtbot):
    import pandas as pd

    from bizops_desktop.qt.host import Host
    from bizops_desktop.qt.main_window import DatasetPanel

    host = Host()
    ds = Dataset("<img src=x onerror=1>orders", pd.DataFrame({"<b>big</b>": [1]}), source="<i>shop</i>.csv")
    ds.set_role("quantity", "<b>big</b>")
    host.set_datasets([ds])
    panel = DatasetPanel(host)
    qtbot.addWidget(panel)
    panel.refresh()
    panel.list.setCurrentRow(0)
    shown = panel.info.text()
    assert "<b>big</b>" not in shown and "&lt;b&gt;big&lt;/b&gt;" in shown
    assert "<img" not in shown and "<i>shop" not in shown


def test_regression_without_features_keeps_the_price_column(tmp_path, capsys):
    # Issue 15, item 10: the column guessed as the unit price must be in "what drives sales"
    import json

    from helpers import DATA

    out = tmp_path / "o"
    args = ["run", "pricing", "--data", str(DATA / "carseats.csv"), "--role", "target=Sales"]
    assert cli.main([*args, "--set", "mode=regression", "--out", str(out), "--no-plots", "--quiet"]) == 0
    terms = set(pd.read_csv(out / "coefficients.csv")["term"])
    assert "Price" in terms and "ShelveLoc=Good" in terms
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert abs(summary["r2"] - 0.8734) < 1e-3  # the full Carseats model (0.458 without Price)
    assert "Price" in summary["headline"]  # the note says which columns were used
