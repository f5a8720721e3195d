"""The project file (.bizops): exact round trip, kept sections of missing plugins, migration,
bad files (not ours, newer, truncated, forged), atomic save under a kill, stale sources."""

from __future__ import annotations

import hashlib
import json
import math
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.dataset import Dataset
from bizops_desktop.core.errors import Cancelled, ProjectError
from bizops_desktop.core.i18n import to_plain
from bizops_desktop.core.plotspec import Layer, PlotSpec
from bizops_desktop.core.progress import Progress
from bizops_desktop.core.project import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    AnalysisState,
    Project,
    load_project,
    save_project,
    stale_sources,
)

ROOT = Path(__file__).resolve().parents[1]


def orders_frame() -> pd.DataFrame:
    """Every dtype an import produces, with the awkward values: NaN, inf, NaT, None, Chinese."""
    return pd.DataFrame(
        {
            "订单号": np.array([10, 11, 12, 13, 14], dtype="int64"),
            "客户": ["张三", None, "李四", "Ann", "王五"],  # object text, None for missing
            "商品名称": ["苹果", "梨", np.nan, "香蕉", "x"],  # object text, NaN for missing
            "日期": pd.to_datetime(
                ["2024-03-05", None, "2024-01-01 10:30:00", "2023-12-31", "2024-02-29"], format="mixed"
            ),
            "数量": pd.array([1, None, 3, -2, 5], dtype="Int64"),
            "单价": [1.5, np.nan, np.inf, -np.inf, 0.1 + 0.2],
            "promotion": [True, False, True, True, False],
            "category": pd.Categorical(["水果", "b", None, "水果", "b"], categories=["b", "水果", "unused"]),
            "size": pd.Categorical(["S", "L", "M", None, "S"], categories=["S", "M", "L"], ordered=True),
            "paid_at": pd.to_datetime(
                ["2024-03-05 08:00", None, "2024-01-01", "2023-12-31", "2024-02-29"], format="mixed"
            ).tz_localize("Asia/Shanghai"),
            "wait": pd.to_timedelta([1, 2, None, 4, 5], unit="h"),
            "flag": pd.array([True, None, False, True, None], dtype="boolean"),
            "code": pd.array(["a", None, "中", "b", "c"], dtype="string"),
            "small": np.array([1, 2, 3, 250, 0], dtype="uint8"),
            "f32": np.array([1.25, np.nan, 3, 4, 5], dtype="float32"),
            "mixed": [1, "a", None, 2.5, True],
            2024: [1, 2, 3, 4, 5],  # an int column name (from a pivot)
        }
    )


def rules_frame() -> pd.DataFrame:
    """A basket-rules-like result: itemset cells (frozensets of str, lists of int) and inf."""
    return pd.DataFrame(
        {
            "antecedents": [frozenset({"啤酒", "diapers"}), frozenset({"milk"}), frozenset({"bread"})],
            "consequents": [[1, 2], [3], []],
            "itemset": [["a", "b"], None, ["c"]],
            "lift": [2.5, 1.0, 0.75],
            "conviction": [np.inf, 1.25, -np.inf],
        }
    )


def sample_project() -> Project:
    orders = Dataset(
        name="orders",
        frame=orders_frame(),
        roles={
            "order_id": ["订单号"],
            "customer_id": ["客户"],
            "date": ["日期"],
            "quantity": ["数量"],
            "price": ["单价"],
            "feature": ["promotion", "category"],
        },
        source="/somewhere/orders.csv",
        source_hash="ab" * 32,
        sheet=None,
        import_options={"encoding": "gbk", "delimiter": ",", "decimal": ".", "header_row": 0},
        notes=["2 rows with an empty order number were dropped.", "日期 read as YYYY-MM-DD."],
    )
    reviews = Dataset(
        name="reviews",
        frame=pd.DataFrame({"rating": [5, 4], "who": ["a", "b"]}),
        roles={"rating": ["rating"]},
        source="C:\\data\\评价.xlsx",
        sheet="Sheet 2",
    )
    plot = PlotSpec(
        title="Rules",
        x_label="support",
        y_label="confidence",
        layers=[
            Layer("scatter", x=[0.1, 0.2], y=[0.5, float("nan")], values=[2.5, 1.0], labels=["啤酒 → milk", "b"]),
            Layer("hline", y=[0.3], dashed=True, color="#ff0000"),
        ],
        x_ticks=[[0, "一"], [1, "two"]],
    )
    multi = orders_frame().iloc[:, :4].set_index(["订单号", "客户"])
    result = Result(
        tables={
            "rules": rules_frame(),
            "by_order": multi,
            "empty": pd.DataFrame({"x": pd.Series([], dtype="float64"), "c": pd.Categorical([], categories=["q"])}),
        },
        metrics={
            "rules": 3,
            "best_conviction": float("inf"),
            "worst": float("-inf"),
            "nested": {"a": [1, 2.5, None]},
            "名字": "中文",
        },
        plots={"scatter": plot},
        notes=["3 rules found.", "最小支持度 0.01"],
        extra={"selected": [0, 2], "zoom": {"x": [0.0, 1.0]}},
    )
    basket = AnalysisState(
        analysis_id="basket",
        plugin="bizops_basket",
        state_version=3,
        params={"min_support": 0.01, "max_len": None, "metric": "lift", "items": ["a", "b"], "since": "2024-01-01"},
        dataset="orders",
        result=result,
    )
    forecast = AnalysisState(
        analysis_id="forecast", plugin="bizops_forecast", params={"horizon": 12}, dataset="orders", result=None
    )
    return Project(
        datasets={"orders": orders, "reviews": reviews},
        analyses={"basket": basket, "forecast": forecast},
        meta={"ui": {"current_tab": "basket", "splitter": [200, 600]}},
    )


def assert_same_missing(a: pd.Series, b: pd.Series) -> None:
    """assert_frame_equal treats None and NaN alike; the file keeps which one it was."""
    for x, y in zip(a.tolist(), b.tolist()):
        assert type(x) is type(y), (x, y)


def assert_datasets_equal(got: Dataset, want: Dataset) -> None:
    assert_frame_equal(
        got.frame,
        want.frame,
        check_dtype=True,
        check_exact=True,
        check_categorical=True,
        check_column_type=True,
        check_index_type=True,
    )
    assert got.roles == want.roles
    assert (got.source, got.source_hash, got.sheet) == (want.source, want.source_hash, want.sheet)
    assert got.import_options == want.import_options
    assert [to_plain(n) for n in got.notes] == [to_plain(n) for n in want.notes]


def assert_results_equal(got: Result, want: Result) -> None:
    assert list(got.tables) == list(want.tables)
    for name in want.tables:
        assert_frame_equal(
            got.tables[name],
            want.tables[name],
            check_dtype=True,
            check_exact=True,
            check_index_type=True,
            check_column_type=True,
        )
    assert got.metrics == want.metrics
    assert {k: p.to_dict() for k, p in got.plots.items()} == {k: p.to_dict() for k, p in want.plots.items()}
    assert all(isinstance(p, PlotSpec) for p in got.plots.values())
    assert got.notes == want.notes
    assert got.extra == want.extra


# ------------------------------------------------------------------------------------------------
def test_round_trip_is_exact(tmp_path):
    project = sample_project()
    path = tmp_path / "我的 店 #1%.bizops"  # the path goes into an SQLite URI: must be quoted right
    save_project(project, path)
    assert project.path == path
    back = load_project(path)

    assert list(back.datasets) == ["orders", "reviews"]
    for name in project.datasets:
        assert_datasets_equal(back.datasets[name], project.datasets[name])
        assert back.datasets[name].name == name
    frame = back.datasets["orders"].frame
    # The details assert_frame_equal lets slip.
    assert_same_missing(frame["客户"], orders_frame()["客户"])
    assert_same_missing(frame["商品名称"], orders_frame()["商品名称"])
    assert_same_missing(frame["mixed"], orders_frame()["mixed"])
    assert frame["单价"].tolist()[2:4] == [math.inf, -math.inf]
    assert frame["单价"].iloc[4] == 0.1 + 0.2
    assert str(frame["日期"].dtype) == "datetime64[ns]" and pd.isna(frame["日期"].iloc[1])
    assert str(frame["paid_at"].dtype) == "datetime64[ns, Asia/Shanghai]"
    assert frame["size"].cat.ordered and list(frame["category"].cat.categories) == ["b", "水果", "unused"]
    assert list(frame.columns)[-1] == 2024

    assert list(back.analyses) == ["basket", "forecast"]
    got, want = back.analyses["basket"], project.analyses["basket"]
    assert (got.analysis_id, got.plugin, got.state_version, got.params, got.dataset, got.raw) == (
        want.analysis_id,
        want.plugin,
        want.state_version,
        want.params,
        want.dataset,
        None,
    )
    assert_results_equal(got.result, want.result)
    rules = got.result.tables["rules"]
    assert rules["antecedents"].iloc[0] == frozenset({"啤酒", "diapers"})
    assert type(rules["antecedents"].iloc[0]) is frozenset
    assert rules["consequents"].tolist() == [[1, 2], [3], []]
    assert rules["itemset"].tolist() == [["a", "b"], None, ["c"]]
    assert rules["conviction"].tolist() == [math.inf, 1.25, -math.inf]
    assert got.result.metrics["best_conviction"] == math.inf
    assert back.analyses["forecast"].result is None
    assert back.analyses["forecast"].params == {"horizon": 12}

    assert back.meta["ui"] == {"current_tab": "basket", "splitter": [200, 600]}
    assert {"created", "modified", "app_version"} <= set(back.meta)


def test_less_common_dtypes_and_indexes_round_trip(tmp_path):
    frames = {
        "str-nan": pd.DataFrame(
            {
                "s": pd.array(["a", None], dtype=pd.StringDtype("python", na_value=np.nan)),
                "p": pd.array(["a", None], dtype=pd.StringDtype("pyarrow")),
            }
        ),
        "seconds-utc": pd.DataFrame(
            {
                "d": pd.Series(pd.to_datetime(["2024-01-01", None]).tz_localize("UTC")).astype("datetime64[s, UTC]"),
                "old": np.array(["0001-01-01", "NaT"], dtype="datetime64[s]"),
            }
        ),
        "big-ints": pd.DataFrame(
            {
                "u": np.array([2**64 - 1, 0], dtype="uint64"),
                "i": pd.array([2**63 - 1, None], dtype="Int64"),
                "f": pd.array([1.5, None], dtype="Float64"),
                "h": np.array([1, 2], dtype="float16"),
            }
        ),
        "no-rows": pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype=object)}),
        "no-columns": pd.DataFrame(index=range(3)),
        "named-range": pd.DataFrame({"a": [1, 2]}, index=pd.RangeIndex(5, 9, 2, name="商品")),
        "date-index": pd.DataFrame({"a": [1, 2]}, index=pd.DatetimeIndex(["2024-01-01", "2024-01-08"], name="week")),
        "int-categories": pd.DataFrame({"c": pd.Categorical([3, 1, None], categories=[3, 1, 2])}),
        "bools-with-none": pd.DataFrame({"b": [True, None, False]}),
    }
    path = tmp_path / "p.bizops"
    save_project(Project(datasets={k: Dataset(k, f) for k, f in frames.items()}), path)
    back = load_project(path)
    for k, f in frames.items():
        assert_frame_equal(back.datasets[k].frame, f, check_exact=True, check_column_type=True, check_index_type=True)


def test_file_is_tagged_and_saving_twice_keeps_created(tmp_path):
    path = tmp_path / "p.bizops"
    project = sample_project()
    save_project(project, path)
    created = project.meta["created"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    again = load_project(path)
    save_project(again, path)
    assert load_project(path).meta["created"] == created


def test_sections_of_missing_plugins_are_kept_and_written_back(tmp_path):
    project = sample_project()
    first, second = tmp_path / "a.bizops", tmp_path / "b.bizops"
    save_project(project, first)

    partial = load_project(first, known_analyses={"forecast"})
    kept = partial.analyses["basket"]
    assert kept.raw is not None and kept.result is None
    # Enough is read to tell the user which plugin is missing.
    assert (kept.plugin, kept.state_version, kept.dataset) == ("bizops_basket", 3, "orders")
    assert kept.params["metric"] == "lift"
    assert partial.analyses["forecast"].raw is None
    assert list(partial.analyses) == ["basket", "forecast"]
    save_project(partial, second)

    # Opened where the plugin is installed, the section is all there.
    back = load_project(second)
    assert_results_equal(back.analyses["basket"].result, project.analyses["basket"].result)
    assert back.analyses["basket"].params == project.analyses["basket"].params
    assert back.analyses["basket"].state_version == 3

    # ...and untouched, byte for byte.
    assert stored_section(first) == stored_section(second)


def stored_section(path: Path, aid: str = "basket"):
    """A tab's row (without its position) and its result tables' bytes, as stored."""
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT * FROM analyses WHERE analysis_id = ?", (aid,)).fetchone()
        blobs = conn.execute(
            "SELECT r.name, t.spec, c.chunk, c.data FROM result_tables r JOIN tables t USING (table_id)"
            " JOIN table_chunks c USING (table_id) WHERE r.analysis_id = ? ORDER BY r.position, c.chunk",
            (aid,),
        ).fetchall()
    conn.close()
    return row[1:], blobs


# The analyses table as schema 1 and 2 wrote it, word for word.
OLD_ANALYSES = (
    "CREATE TABLE analyses (position INTEGER NOT NULL, analysis_id TEXT PRIMARY KEY,"
    " plugin TEXT NOT NULL, state_version INTEGER NOT NULL, params TEXT NOT NULL, dataset TEXT,"
    " has_result INTEGER NOT NULL, metrics TEXT, plots TEXT, notes TEXT, extra TEXT)"
)
OLD_COLUMNS = "position, analysis_id, plugin, state_version, params, dataset, has_result, metrics, plots, notes, extra"


def make_schema_2(path: Path) -> None:
    """Turn a saved file into the schema-2 layout by hand: no analyses.plugin_version."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ALTER TABLE analyses RENAME TO analyses_new")
    conn.execute(OLD_ANALYSES)
    conn.execute(f"INSERT INTO analyses ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM analyses_new")
    conn.execute("DROP TABLE analyses_new")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("VACUUM")
    conn.close()


def make_schema_1(path: Path) -> None:
    """Turn a saved file into the schema-1 layout by hand: schema 2 without the meta table,
    params as pairs."""
    make_schema_2(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE meta")
    for aid, params in conn.execute("SELECT analysis_id, params FROM analyses").fetchall():
        pairs = [[k, v] for k, v in json.loads(params).items()]
        conn.execute("UPDATE analyses SET params = ? WHERE analysis_id = ?", (json.dumps(pairs), aid))
    conn.execute("PRAGMA user_version = 1")
    conn.execute("VACUUM")
    conn.close()


def test_schema_1_file_is_migrated_when_opened(tmp_path):
    project = sample_project()
    path = tmp_path / "old.bizops"
    save_project(project, path)
    make_schema_1(path)
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT params FROM analyses WHERE analysis_id = 'basket'").fetchone()[0]
    conn.close()
    assert isinstance(json.loads(stored), list)  # really the old layout
    before = path.read_bytes()

    back = load_project(path)
    assert back.analyses["basket"].params == project.analyses["basket"].params
    assert back.analyses["forecast"].params == {"horizon": 12}
    assert back.meta == {"migrated_from_schema": 1}
    assert_results_equal(back.analyses["basket"].result, project.analyses["basket"].result)
    assert_datasets_equal(back.datasets["orders"], project.datasets["orders"])
    assert path.read_bytes() == before  # opening does not write

    save_project(back, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert load_project(path).analyses["basket"].params == project.analyses["basket"].params


def test_schema_2_file_is_migrated_when_opened(tmp_path):
    project = sample_project()
    project.analyses["basket"].plugin_version = "0.1.0"
    path = tmp_path / "v2.bizops"
    save_project(project, path)
    make_schema_2(path)
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(analyses)")]
    conn.close()
    assert "plugin_version" not in columns  # really the old layout
    before = path.read_bytes()

    back = load_project(path)
    assert back.meta["migrated_from_schema"] == 2 and back.meta["ui"] == project.meta["ui"]
    got = back.analyses["basket"]
    assert (got.plugin, got.plugin_version, got.state_version, got.params) == (
        "bizops_basket",
        "",
        3,
        project.analyses["basket"].params,
    )  # the version was not recorded then
    assert_results_equal(got.result, project.analyses["basket"].result)
    assert_datasets_equal(back.datasets["orders"], project.datasets["orders"])
    assert path.read_bytes() == before

    # A schema-2 section of a plugin that is not installed is written back as schema 3.
    partial = load_project(path, known_analyses={"forecast"})
    save_project(partial, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    again = load_project(path)
    assert again.analyses["basket"].params == project.analyses["basket"].params
    assert_results_equal(again.analyses["basket"].result, project.analyses["basket"].result)


def test_plugin_version_is_saved_and_kept_for_missing_plugins(tmp_path):
    project = sample_project()
    project.analyses["basket"].plugin_version = "1.4.2"
    first, second = tmp_path / "a.bizops", tmp_path / "b.bizops"
    save_project(project, first)
    assert load_project(first).analyses["basket"].plugin_version == "1.4.2"
    assert load_project(first).analyses["forecast"].plugin_version == ""
    partial = load_project(first, known_analyses={"forecast"})
    assert partial.analyses["basket"].plugin_version == "1.4.2"  # told to the user: which version made it
    save_project(partial, second)
    assert load_project(second).analyses["basket"].plugin_version == "1.4.2"


# A plugin's migrate, as a plugin would write it: state 1 called min_support "support" and kept the
# plot's zoom under another name.
def migrate_basket(params: dict, result, from_version: int):
    if from_version < 2:
        params["min_support"] = params.pop("support")
        if result is not None:
            result.extra["zoom"] = result.extra.pop("old_zoom")
    return params, result


def basket_at(version: int, migrate=f"{__name__}:migrate_basket") -> Analysis:
    return Analysis(
        id="basket",
        title="Basket rules",
        summary="",
        state_version=version,
        migrate=migrate,
        run=lambda d, p, g: Result(),
        plugin="bizops_basket",
        plugin_version=f"0.{version}",
    )


def forecast_now() -> Analysis:
    return Analysis(
        id="forecast", title="Forecast", summary="", run=lambda d, p, g: Result(), migrate=lambda *a: 1 / 0
    )  # same state version: never called


def project_with_basket_at(version: int, path: Path) -> Project:
    project = sample_project()
    old = project.analyses["basket"]
    old.state_version = version
    old.plugin_version = f"0.{version}"
    old.params = {"support": 0.05, "metric": "lift"}
    old.result.extra = {"selected": [0, 2], "old_zoom": {"x": [0.0, 1.0]}}
    save_project(project, path)
    return project


def test_a_tab_saved_by_an_older_plugin_is_migrated(tmp_path):
    path = tmp_path / "old-tab.bizops"
    project = project_with_basket_at(1, path)

    back = load_project(path, {"basket": basket_at(2), "forecast": forecast_now()})
    got = back.analyses["basket"]
    assert got.raw is None and got.problem == ""
    assert got.params == {"min_support": 0.05, "metric": "lift"}
    assert got.result.extra == {"selected": [0, 2], "zoom": {"x": [0.0, 1.0]}}
    assert_frame_equal(got.result.tables["rules"], project.analyses["basket"].result.tables["rules"])
    assert (got.state_version, got.plugin_version) == (2, "0.2")  # it is now in the new layout
    assert back.analyses["forecast"].params == {"horizon": 12}

    # Saved again, it is a state-2 section; opened again, nothing is converted twice.
    save_project(back, path)
    again = load_project(path, {"basket": basket_at(2, migrate=lambda *a: 1 / 0)})
    assert again.analyses["basket"].params == {"min_support": 0.05, "metric": "lift"}
    assert again.analyses["basket"].problem == ""
    # Only the ids (as before): no version check, the section as stored.
    assert load_project(path, known_analyses={"basket"}).analyses["basket"].state_version == 2


def test_a_migrate_may_drop_a_result_it_cannot_convert(tmp_path):
    path = tmp_path / "old-tab.bizops"
    project_with_basket_at(1, path)
    back = load_project(path, {"basket": basket_at(2, migrate=lambda params, result, v: (params, None))})
    assert back.analyses["basket"].result is None
    assert back.analyses["basket"].params == {"support": 0.05, "metric": "lift"}


def test_a_tab_saved_by_a_newer_plugin_is_kept_untouched_and_reported(tmp_path):
    first, second = tmp_path / "new-tab.bizops", tmp_path / "saved-here.bizops"
    project = project_with_basket_at(3, first)

    back = load_project(first, {"basket": basket_at(2), "forecast": forecast_now()})
    kept = back.analyses["basket"]
    assert kept.raw is not None and kept.result is None
    assert kept.problem == (
        "Basket rules tab: it was saved by a newer version of its plugin (state 3; bizops_basket 0.2 reads up "
        "to state 2). Update bizops_basket to open it; until then it is kept in the project as it was saved "
        "(running this tab again replaces it)."
    )
    assert back.analyses["forecast"].problem == ""
    save_project(back, second)
    assert stored_section(second) == stored_section(first)

    # Where the plugin was updated, it opens in full.
    updated = load_project(second, {"basket": basket_at(3)}).analyses["basket"]
    assert updated.params == project.analyses["basket"].params and updated.problem == ""
    assert_results_equal(updated.result, project.analyses["basket"].result)


@pytest.mark.parametrize(
    "migrate,words",
    [
        (None, "saved by an older version of its plugin (state 1) and bizops_basket 0.2 cannot convert it to state 2"),
        (
            lambda params, result, v: params.pop("no such"),
            "converting it from state 1 to 2 failed (KeyError: 'no such')",
        ),
        (lambda params, result, v: params, "failed (TypeError"),
        ("no_such_module_here:migrate", "failed (ModuleNotFoundError"),
    ],
)
def test_a_tab_that_cannot_be_migrated_is_kept_and_reported(tmp_path, migrate, words):
    first, second = tmp_path / "old-tab.bizops", tmp_path / "saved-here.bizops"
    project_with_basket_at(1, first)
    back = load_project(first, {"basket": basket_at(2, migrate=migrate)})
    kept = back.analyses["basket"]
    assert kept.raw is not None and kept.problem.startswith("Basket rules tab: ")
    assert words in kept.problem and "kept in the project as it was saved" in kept.problem
    save_project(back, second)
    assert stored_section(second) == stored_section(first)


def test_cli_run_from_a_project_uses_migrated_params(tmp_path, capsys, monkeypatch):
    import bizops_basket
    from bizops_desktop.cli import main

    # Four orders: {a, b} twice, {a, c}, {d}. min_support 0.5 keeps a, b and {a, b}; the default keeps all six.
    lines = pd.DataFrame({"order": [1, 1, 2, 2, 3, 3, 4], "product": list("ababacd")})
    shop = Dataset("orders", lines, {"order_id": ["order"], "product_id": ["product"]})
    old = AnalysisState("basket", plugin="bizops_basket", state_version=1, params={"support": 0.5})
    path = tmp_path / "shop.bizops"
    save_project(Project(datasets={"orders": shop}, analyses={"basket": old}), path)
    monkeypatch.setattr(bizops_basket.ANALYSIS, "state_version", 2)
    monkeypatch.setattr(bizops_basket.ANALYSIS, "migrate", migrate_basket)

    assert main(["run", "basket", "--project", str(path), "--out", str(tmp_path / "out"), "--no-plots"]) == 0
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["frequent_itemsets"] == 3
    assert capsys.readouterr().err == ""

    monkeypatch.setattr(bizops_basket.ANALYSIS, "state_version", 0)  # an older program: state 1 is "newer"
    assert main(["run", "basket", "--project", str(path), "--out", str(tmp_path / "out2"), "--no-plots"]) == 0
    assert json.loads((tmp_path / "out2" / "summary.json").read_text())["frequent_itemsets"] == 6
    err = capsys.readouterr().err
    assert "Basket rules tab: it was saved by a newer version" in err and "uses the default parameters" in err


def test_schema_1_with_broken_params_is_damaged(tmp_path):
    path = tmp_path / "old.bizops"
    save_project(sample_project(), path)
    make_schema_1(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE analyses SET params = '[[1, 2, 3]]'")
    conn.close()
    with pytest.raises(ProjectError, match="damaged or truncated"):
        load_project(path)


def test_file_from_a_newer_version(tmp_path):
    path = tmp_path / "new.bizops"
    save_project(sample_project(), path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectError) as err:
        load_project(path)
    msg = str(err.value)
    assert "newer BizOps Desktop" in msg and f"schema {SCHEMA_VERSION + 1}" in msg and "Update the program" in msg


def _other_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()


def _other_app_id(path: Path) -> None:
    _other_sqlite(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "make",
    [
        _other_sqlite,
        _other_app_id,
        lambda p: p.write_text("order_id,product\n1,苹果\n", encoding="utf-8"),
        lambda p: p.write_bytes(np.random.default_rng(1).bytes(5000)),
        lambda p: p.write_bytes(b""),
    ],
    ids=["other-sqlite-db", "other-application-id", "csv-text", "random-bytes", "empty"],
)
def test_file_that_is_not_ours(tmp_path, make):
    path = tmp_path / "x.bizops"
    make(path)
    with pytest.raises(ProjectError, match="not a BizOps Desktop project"):
        load_project(path)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.2, 60 / 1e9])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "cut.bizops"
    project = sample_project()
    # A bigger table so the file has many pages.
    project.datasets["big"] = Dataset("big", pd.DataFrame({"x": np.arange(200_000), "y": ["商品"] * 200_000}))
    save_project(project, path)
    data = path.read_bytes()
    path.write_bytes(data[: max(60, int(len(data) * keep))])
    with pytest.raises(ProjectError, match="damaged or truncated"):
        load_project(path)


def _tamper(path: Path, sql: str, params=()) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "sql,params",
    [
        ("UPDATE analyses SET params = '[1, 2]' WHERE analysis_id = 'basket'", ()),
        ("UPDATE analyses SET params = '{\"a\": ' WHERE analysis_id = 'basket'", ()),
        ('UPDATE analyses SET plots = \'{"p": {"title": "t", "layers": [{"kind": "rm -rf"}]}}\'', ()),
        ('UPDATE analyses SET plots = \'{"p": {"title": "t", "__class__": 1}}\'', ()),
        ('UPDATE analyses SET plots = \'{"p": {"title": {"a": 1}}}\'', ()),
        ('UPDATE analyses SET plots = \'{"p": {"title": "t", "layers": [{"kind": "line", "x": [[1]]}]}}\'', ()),
        ('UPDATE datasets SET roles = \'{"not_a_role": ["x"]}\'', ()),
        ("UPDATE datasets SET notes = '[1, 2]'", ()),
        ("UPDATE tables SET spec = replace(spec, '\"int64\"', '\"object\"')", ()),
        ('UPDATE tables SET spec = replace(spec, \'"kind": "str"\', \'"kind": "pickle"\')', ()),
        ("UPDATE tables SET spec = replace(spec, 'Asia/Shanghai', '../../etc/passwd')", ()),
        ("UPDATE table_chunks SET data = substr(data, 1, 100)", ()),
        ("UPDATE table_chunks SET crc32 = crc32 + 1", ()),
        ("DELETE FROM table_chunks WHERE chunk = 0", ()),
        ("DROP TABLE result_tables", ()),
        ("UPDATE analyses SET state_version = 'two'", ()),
        ("UPDATE analyses SET plugin_version = X'00ff'", ()),
        ("UPDATE analyses SET metrics = ?", ("[" * 200_000 + "]" * 200_000,)),
        ("UPDATE table_chunks SET data = ?, crc32 = ?", (b"\xff" * 64, zlib.crc32(b"\xff" * 64))),
    ],
    ids=[
        "params-not-object",
        "params-not-json",
        "bad-layer",
        "plot-unknown-field",
        "plot-title-not-text",
        "plot-nested-data",
        "unknown-role",
        "notes-not-text",
        "dtype-not-allowed",
        "unknown-kind",
        "tz-path",
        "cut-blob",
        "bad-crc",
        "missing-chunk",
        "missing-table",
        "version-not-int",
        "plugin-version-not-text",
        "json-nested-too-deep",
        "garbage-chunk-right-crc",
    ],
)
def test_forged_content_is_refused_in_words(tmp_path, sql, params):
    path = tmp_path / "forged.bizops"
    save_project(sample_project(), path)
    _tamper(path, sql, params)
    with pytest.raises(ProjectError, match="damaged or truncated"):
        load_project(path)


def test_forged_chunk_with_right_crc_but_wrong_type_is_refused(tmp_path):
    # Swap the data of the int64 column for the text of another table: the Arrow schema no longer
    # matches the spec, even though every checksum is right.
    path = tmp_path / "forged.bizops"
    project = Project(
        datasets={"a": Dataset("a", pd.DataFrame({"x": [1, 2]})), "b": Dataset("b", pd.DataFrame({"x": ["u", "v"]}))}
    )
    save_project(project, path)
    conn = sqlite3.connect(path)
    (blob_b, crc_b) = conn.execute("SELECT data, crc32 FROM table_chunks WHERE table_id = 2").fetchone()
    conn.execute("UPDATE table_chunks SET data = ?, crc32 = ? WHERE table_id = 1", (blob_b, crc_b))
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="damaged or truncated"):
        load_project(path)


def test_random_damage_inside_chunks_never_escapes_as_a_traceback(tmp_path):
    # Flip bytes inside the Arrow data and fix the checksum, as a forger would: each open must
    # either refuse in words or give back a frame of the stored shape and dtypes.
    path = tmp_path / "fuzz.bizops"
    frame = orders_frame()
    save_project(Project(datasets={"t": Dataset("t", frame)}), path)
    conn = sqlite3.connect(path)
    (blob,) = conn.execute("SELECT data FROM table_chunks").fetchone()
    conn.close()
    rng = np.random.default_rng(3)
    refused = 0
    for _ in range(40):
        bad = bytearray(blob)
        for pos in rng.integers(0, len(bad), 3):
            bad[pos] ^= int(rng.integers(1, 256))
        _tamper(path, "UPDATE table_chunks SET data = ?, crc32 = ?", (bytes(bad), zlib.crc32(bytes(bad))))
        try:
            back = load_project(path).datasets["t"].frame
        except ProjectError as e:
            assert "damaged or truncated" in str(e)
            refused += 1
        else:
            assert list(back.dtypes) == list(frame.dtypes) and back.shape == frame.shape
    assert refused > 20


def test_random_changes_to_stored_json_never_escape_as_a_traceback(tmp_path):
    # Replace or drop one value somewhere in a stored JSON field (table specs, roles, params,
    # plots...) with an odd one: each open must either refuse in words or succeed.
    import random

    path = tmp_path / "fuzz.bizops"
    save_project(sample_project(), path)
    conn = sqlite3.connect(path)
    cells = [("tables", "spec", "table_id", k, v) for k, v in conn.execute("SELECT table_id, spec FROM tables")]
    for col in ("roles", "import_options", "notes", "dtypes"):
        cells += [("datasets", col, "name", k, v) for k, v in conn.execute(f"SELECT name, {col} FROM datasets")]
    for col in ("params", "metrics", "plots", "notes", "extra"):
        cells += [
            ("analyses", col, "analysis_id", k, v)
            for k, v in conn.execute(f"SELECT analysis_id, {col} FROM analyses")
            if v
        ]
    conn.execute("PRAGMA synchronous = OFF")  # one open writer, no fsync per change: keeps the test quick
    odd = [None, 0, -1, 2**70, -(2**70), 1.5, "", "x", "int64", "category", "../x", [], {}, [1], {"kind": "int"}, True]
    rng = random.Random(11)

    def places(x, at):
        yield at
        items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
        for k, v in items:
            yield from places(v, at + [k])

    outcomes = {"refused": 0, "opened": 0}
    for _ in range(150):
        table, col, key, kv, text = rng.choice(cells)
        value = json.loads(text)
        where = rng.choice(list(places(value, []))[1:] or [[]])
        if not where:
            value = rng.choice(odd)
        else:
            parent = value
            for k in where[:-1]:
                parent = parent[k]
            if isinstance(parent, dict) and rng.random() < 0.2:
                del parent[where[-1]]
            else:
                parent[where[-1]] = rng.choice(odd)
        with conn:
            conn.execute(f"UPDATE {table} SET {col} = ? WHERE {key} = ?", (json.dumps(value), kv))
        try:
            load_project(path)
            outcomes["opened"] += 1
        except ProjectError as e:
            assert "damaged or truncated" in str(e)
            outcomes["refused"] += 1
        with conn:
            conn.execute(f"UPDATE {table} SET {col} = ? WHERE {key} = ?", (text, kv))
    conn.close()
    assert outcomes["refused"] > 50 and outcomes["opened"] > 20, outcomes


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "nope.bizops")
    with pytest.raises(ProjectError, match="folder"):
        load_project(tmp_path)
    with pytest.raises(ProjectError, match="folder does not exist"):
        save_project(sample_project(), tmp_path / "no" / "where.bizops")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".saving"))


def test_cancelled_save_leaves_old_file_and_no_temp(tmp_path):
    path = tmp_path / "p.bizops"
    old = sample_project()
    save_project(old, path)
    before = path.read_bytes()

    big = sample_project()
    big.datasets["big"] = Dataset("big", pd.DataFrame({"x": np.arange(300_000), "y": np.ones(300_000)}))
    seen = []

    def on_progress(fraction, text):
        seen.append(fraction)
        if fraction >= 0.5:
            prog.cancel()

    prog = Progress(on_progress)
    with pytest.raises(Cancelled):
        save_project(big, path, prog)
    assert max(seen) >= 0.5 and max(seen) < 1.0
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
    assert big.path is None
    assert list(load_project(path).datasets) == ["orders", "reviews"]


@pytest.mark.parametrize("target", ["os.replace", "_fsync", "disk-full"])
def test_disk_error_during_save_leaves_old_file(tmp_path, monkeypatch, target):
    import errno

    from bizops_desktop.core import project as project_mod

    path = tmp_path / "p.bizops"
    save_project(sample_project(), path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_write = project_mod._write

    def write_to_a_full_disk(conn, *args):
        conn.execute("PRAGMA max_page_count = 3")  # SQLite itself runs out of room mid-write
        real_write(conn, *args)

    if target == "os.replace":
        monkeypatch.setattr(project_mod.os, "replace", fail)
    elif target == "_fsync":
        monkeypatch.setattr(project_mod, "_fsync", fail)
    else:
        monkeypatch.setattr(project_mod, "_write", write_to_a_full_disk)
    changed = sample_project()
    changed.analyses["basket"].params["min_support"] = 0.5
    with pytest.raises(ProjectError, match="No space left on device|database or disk is full") as err:
        save_project(changed, path)
    assert "previous file is unchanged" in str(err.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
    assert changed.path is None


def test_frame_with_duplicate_columns_is_refused_without_harm(tmp_path):
    path = tmp_path / "p.bizops"
    save_project(sample_project(), path)
    before = path.read_bytes()
    bad = sample_project()
    bad.datasets["dup"] = Dataset("dup", pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(ProjectError, match="duplicate column names: a"):
        save_project(bad, path)
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_what_is_saved_always_opens_again(tmp_path):
    # Loose values from a plugin or an importer are written in the form the loader accepts...
    import datetime

    path = tmp_path / "p.bizops"
    ds = Dataset("t", pd.DataFrame({"a": [1]}), sheet=2, notes=["ok", 3])
    ds.import_options = {"header_row": np.int64(0), "path": Path("/x")}
    res = Result(
        metrics={"n": np.int64(3), "share": np.float64(0.5), "arr": np.array([1, 2])},
        plots={
            "p": PlotSpec(
                "t",
                layers=[Layer("bar", x=np.arange(2), y=np.array([1.5, np.nan]))],
                x_ticks=[[np.int64(0), "一"], [np.int64(1), "二"]],
            )
        },
        notes=["done"],
    )
    st = AnalysisState("a", params={"since": datetime.date(2024, 3, 5), "k": np.int64(2)}, result=res)
    save_project(Project(datasets={"t": ds}, analyses={"a": st}), path)
    back = load_project(path)
    assert back.datasets["t"].sheet == "2" and back.datasets["t"].notes == ["ok", "3"]
    assert back.datasets["t"].import_options == {"header_row": 0, "path": "/x"}
    assert back.analyses["a"].params == {"since": "2024-03-05", "k": 2}
    assert back.analyses["a"].result.metrics == {"n": 3, "share": 0.5, "arr": [1, 2]}
    assert back.analyses["a"].result.plots["p"].layers[0].y == [1.5, None]
    # ...and a plot the loader would refuse is refused at save time, naming the tab.
    before = path.read_bytes()
    res.plots["p"].title = {"not": "text"}
    with pytest.raises(ProjectError, match="cannot save tab 'a': plot 'p' has a bad title"):
        save_project(Project(datasets={"t": ds}, analyses={"a": st}), path)
    assert path.read_bytes() == before and leftovers(tmp_path) == []


KILLED_SAVE = textwrap.dedent("""
    import os, signal, sys
    import numpy as np, pandas as pd
    from bizops_desktop.core.dataset import Dataset
    from bizops_desktop.core.progress import Progress
    from bizops_desktop.core.project import Project, save_project

    n = 400_000
    frame = pd.DataFrame({"x": np.arange(n), "y": np.random.default_rng(0).random(n),
                          "name": ["商品" + str(i % 97) for i in range(n)]})
    project = Project(datasets={"new": Dataset("new", frame)})

    def die_halfway(fraction, text):
        if fraction >= 0.5:
            sys.stdout.write("at %.2f\\n" % fraction)
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    save_project(project, sys.argv[1], Progress(die_halfway))
    print("finished")
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_mid_save_leaves_previous_file(tmp_path):
    path = tmp_path / "shop.bizops"
    old = sample_project()
    save_project(old, path)
    before = path.read_bytes()

    proc = subprocess.run(
        [sys.executable, "-c", KILLED_SAVE, str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.startswith("at 0.") and "finished" not in proc.stdout
    # The kill came mid-write: the half-written temporary file is still there, the target is not touched.
    assert len(leftovers(tmp_path)) == 1
    assert path.read_bytes() == before
    back = load_project(path)
    assert list(back.datasets) == ["orders", "reviews"]
    assert_datasets_equal(back.datasets["orders"], old.datasets["orders"])
    assert_results_equal(back.analyses["basket"].result, old.analyses["basket"].result)


def test_stale_sources(tmp_path):
    from bizops_desktop.core.importer import load_dataset

    src = tmp_path / "订单.csv"
    src.write_text("order_id,product,quantity\n1,苹果,2\n2,梨,1\n", encoding="utf-8")
    gone = tmp_path / "gone.csv"
    gone.write_text("a,b\n1,2\n", encoding="utf-8")
    project = Project(
        datasets={
            "orders": load_dataset(src, name="orders"),
            "gone": load_dataset(gone, name="gone"),
            "typed": Dataset("typed", pd.DataFrame({"a": [1]})),
        }
    )
    assert project.datasets["orders"].source_hash == hashlib.sha256(src.read_bytes()).hexdigest()
    path = tmp_path / "p.bizops"
    save_project(project, path)
    assert stale_sources(load_project(path)) == []

    gone.unlink()  # a missing source is not "changed"
    src.write_text("order_id,product,quantity\n1,苹果,2\n2,梨,1\n3,桃,5\n", encoding="utf-8")
    reopened = load_project(path)
    assert stale_sources(reopened) == ["orders"]
    assert_frame_equal(reopened.datasets["orders"].frame, project.datasets["orders"].frame)


def test_imported_tables_round_trip(tmp_path):
    """What the importer really produces: the demo shop and a GBK export with Chinese headers."""
    from bizops_desktop.core.demo import load_demo
    from bizops_desktop.core.importer import load_dataset

    gbk = tmp_path / "导出.csv"
    gbk.write_bytes(
        "订单号,客户,下单时间,商品名称,数量,单价\n"
        "A1,张三,2024/3/5,苹果,2,3.5\nA2,李四,,梨,1,\nA3,王五,2024/3/7,香蕉,-1,2\n".encode("gbk")
    )
    datasets = [load_dataset(gbk, name="导出")] + list(load_demo())
    project = Project(datasets={d.name: d for d in datasets})
    path = tmp_path / "demo.bizops"
    save_project(project, path)
    back = load_project(path)
    assert list(back.datasets) == list(project.datasets)
    for name, ds in project.datasets.items():
        assert_datasets_equal(back.datasets[name], ds)
    assert back.datasets["导出"].frame["客户"].tolist() == ["张三", "李四", "王五"]


def test_progress_and_cancel_while_opening(tmp_path):
    path = tmp_path / "p.bizops"
    project = sample_project()
    project.datasets["big"] = Dataset("big", pd.DataFrame({"x": np.arange(300_000), "y": np.ones(300_000)}))
    seen = []
    save_project(project, path, Progress(lambda f, t: seen.append(f)))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 3

    seen.clear()
    load_project(path, progress=Progress(lambda f, t: seen.append((f, t))))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("big" in t for _, t in seen)

    def cancel_halfway(f, t):
        if f > 0.3:
            prog.cancel()

    prog = Progress(cancel_halfway)
    with pytest.raises(Cancelled):
        load_project(path, progress=prog)


def test_million_rows_save_and_load(tmp_path):
    n = 1_000_000
    rng = np.random.default_rng(7)
    names = np.array([f"商品{i}" for i in range(500)], dtype=object)
    frame = pd.DataFrame(
        {
            "order_id": np.arange(n, dtype="int64"),
            "customer_id": rng.integers(0, 20_000, n),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s"),
            "product_name": names[rng.integers(0, 500, n)],
            "quantity": pd.array(rng.integers(1, 5, n), dtype="Int64"),
            "unit_price": rng.random(n) * 100,
            "amount": rng.random(n) * 300,
            "promotion": rng.random(n) < 0.1,
        }
    )
    frame.loc[::1000, "quantity"] = pd.NA
    frame.loc[::777, "date"] = pd.NaT
    path = tmp_path / "big.bizops"
    t0 = time.perf_counter()
    save_project(Project(datasets={"orders": Dataset("orders", frame)}), path)
    t1 = time.perf_counter()
    back = load_project(path)
    t2 = time.perf_counter()
    print(f"\n1,000,000 x 8: save {t1 - t0:.2f} s, load {t2 - t1:.2f} s, file {path.stat().st_size / 1e6:.1f} MB")
    assert_frame_equal(back.datasets["orders"].frame, frame, check_dtype=True, check_exact=True)


def test_temporary_files_of_a_killed_save_are_cleared_later(tmp_path):
    import os
    import time

    from bizops_desktop.core import project as P

    target = tmp_path / "shop.bizops"
    old = tmp_path / ".shop.bizops.dead0001.saving"
    fresh = tmp_path / ".shop.bizops.live0002.saving"
    other = tmp_path / ".other.bizops.dead0003.saving"
    for f in (old, fresh, other):
        f.write_bytes(b"half a save")
    hour_ago = time.time() - P.STALE_TEMP_SECONDS - 10
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    P.save_project(P.Project(datasets={}, analyses={}), target)
    assert not old.exists()  # ours and stale: removed
    assert fresh.exists() and other.exists()  # maybe still being written / another project's
    assert P.load_project(target).datasets == {}


def test_project_messages_read_in_chinese(tmp_path):
    from bizops_desktop.core.i18n import use_language

    path = tmp_path / "notes.bizops"
    path.write_text("hello, I am a text file")
    with use_language("zh_CN"):
        with pytest.raises(ProjectError) as e:
            load_project(path)
        assert str(e.value) == (
            f"{path}：这不是 BizOps Desktop 的项目文件。请选择 BizOps Desktop 保存的 .bizops 文件；"
            "要读取数据表，请用“文件 > 打开数据”。"
        )
        first = tmp_path / "new-tab.bizops"
        project_with_basket_at(3, first)
        kept = load_project(first, {"basket": basket_at(2), "forecast": forecast_now()}).analyses["basket"]
        assert kept.problem.startswith("“Basket rules”页：它是由更新版本的插件保存的（状态版本 3；bizops_basket 0.2")
        assert kept.problem.endswith("它会按保存时的样子留在项目里（重新运行这一页会替换它）。")
