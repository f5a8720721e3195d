"""Plugin host: discovery through entry points, the built-in fallback, and fault isolation."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import pytest

from bizops_desktop.core.analysis import Analysis, Result
from bizops_desktop.core.plugins import BUILTIN_PLUGINS, ENTRY_POINT_GROUP, hookimpl, load_registry

EXAMPLE = Path(__file__).parent / "example_plugin"


def _fake_distribution(tmp_path: Path, name: str, entry_points: dict[str, str]) -> Path:
    """A .dist-info on sys.path is what `pip install` leaves behind; importlib.metadata finds
    its entry points exactly as for an installed package."""
    info = tmp_path / f"{name}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    lines = [f"[{ENTRY_POINT_GROUP}]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return tmp_path


@pytest.fixture
def on_path():
    added = []

    def add(p: Path):
        sys.path.insert(0, str(p))
        added.append(str(p))

    yield add
    for p in added:
        sys.path.remove(p)
    for mod in [m for m in sys.modules if m.startswith(("bizops_example_plugin", "broken_plugin"))]:
        del sys.modules[mod]


def test_builtins_are_registered_without_entry_points():
    reg = load_registry(entry_points=False)
    assert reg.problems == []
    assert {a.plugin for a in reg.analyses.values()} == set(BUILTIN_PLUGINS)
    assert [a.id for a in reg.ordered()] == [
        "recommender",
        "basket",
        "forecast",
        "stock",
        "pricing",
        "churn",
        "segments",
        "routes",
    ]


def test_third_party_plugin_found_through_its_entry_point(tmp_path, on_path):
    on_path(EXAMPLE)
    on_path(_fake_distribution(tmp_path, "bizops_example_plugin", {"example": "bizops_example_plugin"}))
    reg = load_registry(entry_points=True)
    assert "example_weekdays" in reg.analyses
    assert reg.analyses["example_weekdays"].plugin == "example"
    # without entry points (what tests and the autoload switch do) it is not there
    assert "example_weekdays" not in load_registry(entry_points=False).analyses


def test_example_plugin_runs_through_the_host(tmp_path, on_path):
    import pandas as pd

    from bizops_desktop.core.dataset import Dataset

    on_path(EXAMPLE)
    reg = load_registry(entry_points=False, extra=["bizops_example_plugin"])
    a = reg.analysis("example_weekdays")
    days = pd.date_range("2024-01-01", periods=14, freq="D").append(pd.DatetimeIndex(["2024-01-06"]))  # Sat x3
    ds = Dataset("t", pd.DataFrame({"d": days}), {"date": "d"})
    res = a.execute(ds, {"top": "1"}, from_text=True)
    assert res.tables["weekdays"].to_dict("records") == [{"weekday": "Sat", "rows": 3}]


def test_plugin_that_fails_to_import_is_reported_and_skipped(tmp_path, on_path):
    pkg = tmp_path / "pkgs"
    pkg.mkdir()
    (pkg / "broken_plugin.py").write_text("raise ImportError('needs libfoo')\n")
    on_path(pkg)
    on_path(_fake_distribution(tmp_path, "broken_plugin", {"broken": "broken_plugin"}))
    reg = load_registry(entry_points=True)
    assert len(reg.analyses) == len(BUILTIN_PLUGINS)  # the app goes on
    [problem] = [p for p in reg.problems if p.plugin == "broken"]
    assert "could not be imported" in problem.message and "libfoo" in problem.message


def _plugin(**hooks) -> types.SimpleNamespace:
    ns = types.SimpleNamespace(__name__="throwaway")
    for name, fn in hooks.items():
        setattr(ns, name, hookimpl(fn))
    return ns


def test_plugin_raising_while_registering_is_isolated():
    def bizops_register_analyses():
        raise RuntimeError("boom")

    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=bizops_register_analyses)])
    assert len(reg.analyses) == len(BUILTIN_PLUGINS)
    assert any("raised while registering" in p.message and "boom" in p.message for p in reg.problems)


def test_misspelled_hook_fails_loudly_but_not_fatally():
    def bizops_register_analysis():  # missing "es"
        return []

    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analysis=bizops_register_analysis)])
    assert any("does not exist" in p.message for p in reg.problems)
    assert len(reg.analyses) == len(BUILTIN_PLUGINS)


def test_wrong_return_type_and_duplicate_ids_are_reported():
    def bizops_register_analyses():
        return ["not an analysis", Analysis(id="basket", title="Fake", summary="", run=lambda d, p, g: Result())]

    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=bizops_register_analyses)])
    msgs = " | ".join(p.message for p in reg.problems)
    assert "not an Analysis" in msgs and "already taken" in msgs
    assert reg.analyses["basket"].title == "Basket rules"


def test_every_builtin_describes_its_params_and_roles():
    reg = load_registry(entry_points=False)
    for a in reg.analyses.values():
        assert a.params, f"{a.id} has no parameters"
        for p in a.params:
            assert p.help, f"{a.id}.{p.name} has no help text"
            p.validate(p.default) if not (p.default is None and not p.optional) else None
        assert a.run and a.panel


def test_cli_lists_analyses_quickly_without_heavy_imports():
    """`bizops-desktop analyses` must not import pandas, statsmodels, sklearn or Qt."""
    import subprocess

    code = textwrap.dedent("""
        import sys
        from bizops_desktop.cli import main
        rc = main(["analyses"])
        heavy = [m for m in ("pandas", "statsmodels", "sklearn", "PySide6", "pyqtgraph", "scipy") if m in sys.modules]
        print("HEAVY", heavy)
        sys.exit(rc)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout
    assert "basket: Basket rules" in out.stdout


def test_hooks_get_a_context_and_may_leave_it_out(tmp_path):
    from bizops_desktop import __version__
    from bizops_desktop.core.plugins import PluginContext

    seen = []

    def with_context(context):
        seen.append(context)
        return [Analysis(id="with_ctx", title="With", summary="", run=lambda d, p, g: Result())]

    def without_context():  # written before the hook had an argument: still registers
        return [Analysis(id="without_ctx", title="Without", summary="", run=lambda d, p, g: Result())]

    old = types.SimpleNamespace(__name__="old", bizops_register_analyses=hookimpl(without_context))
    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=with_context), old])
    assert reg.problems == []
    assert {"with_ctx", "without_ctx"} <= set(reg.analyses)
    [ctx] = seen
    assert ctx.app_version == __version__ and ctx.data_dir.is_absolute() and ctx.config_dir.is_absolute()

    mine = PluginContext(app_version="9.9", data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    seen.clear()
    load_registry(
        entry_points=False, builtins=False, extra=[_plugin(bizops_register_analyses=with_context)], context=mine
    )
    assert seen == [mine]


def test_hook_asking_for_more_arguments_than_the_spec_is_reported():
    def bizops_register_analyses(context, window):  # no such argument: would break on every call
        return []

    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=bizops_register_analyses)])
    [problem] = reg.problems
    assert problem.plugin == "throwaway"
    assert "does not fit" in problem.message and "'window'" in problem.message
    assert "throwaway" not in reg.plugins and len(reg.analyses) == len(BUILTIN_PLUGINS)


def test_every_misspelled_hook_is_reported():
    def bizops_register_analysis():
        return []

    first = types.SimpleNamespace(__name__="first", bizops_register_analysis=hookimpl(bizops_register_analysis))
    second = types.SimpleNamespace(__name__="second", bizops_register_importer=hookimpl(bizops_register_analysis))
    reg = load_registry(entry_points=False, builtins=False, extra=[first, second])
    assert sorted(p.plugin for p in reg.problems) == ["first", "second"]
    assert reg.plugins == {}


def test_plugin_versions_are_recorded_and_described(tmp_path, on_path):
    from bizops_desktop import __version__

    on_path(EXAMPLE)
    on_path(_fake_distribution(tmp_path, "bizops_example_plugin", {"example": "bizops_example_plugin"}))
    (tmp_path / "mod_with_version.py").write_text("__version__ = '2.5'\n")
    try:
        reg = load_registry(entry_points=True, extra=["mod_with_version", _plugin()])
    finally:
        sys.modules.pop("mod_with_version", None)
    assert reg.plugins["example"].version == "0.1.0"  # from the distribution's metadata
    assert reg.plugins["example"].analyses == ["example_weekdays"]
    assert reg.analyses["example_weekdays"].plugin_version == "0.1.0"
    for name in BUILTIN_PLUGINS:
        assert reg.plugins[name].version == __version__  # built-ins: the program's version
    assert reg.plugins["bizops_basket"].analyses == ["basket"]
    assert reg.plugins["mod_with_version"].version == "2.5"  # a module's __version__
    assert reg.plugins["throwaway"].version == ""
    lines = reg.describe()
    assert f"bizops_basket {__version__}: Basket rules" in lines
    assert "example 0.1.0: Order count" in lines
    assert "throwaway (no version): adds nothing" in lines


def _importer(id_, extensions):
    from bizops_desktop.core.importer import Importer

    return Importer(id_, id_.title(), extensions, lambda path, options, progress, nrows: None)


def test_registered_importers_are_checked_like_analyses():
    good = _importer("parquet", (".parquet", "pq"))

    def first(context):
        return [
            good,
            "not an importer",
            _importer("noext", ()),
            _importer("onestring", "feather"),
            _importer("badext", ("../x",)),
            _importer("csv", (".arrow",)),
            _importer("tsv2", (".TSV",)),
            _importer("", (".a",)),
        ]

    def second():
        return [_importer("parquet2", (".PARQUET",))]

    reg = load_registry(
        entry_points=False,
        builtins=False,
        extra=[
            _plugin(bizops_register_importers=first),
            types.SimpleNamespace(__name__="other", bizops_register_importers=hookimpl(second)),
        ],
    )
    assert reg.importers == [good]
    assert reg.plugins["throwaway"].importers == ["parquet"]
    msgs = [p.message for p in reg.problems]
    assert msgs == [
        "it returned str, not an Importer",
        "importer 'noext' gives no file extensions (give a list such as ['.parquet'])",
        "importer 'onestring' gives no file extensions (give a list such as ['.parquet'])",
        "importer 'badext' has an invalid file extension '../x' (give one such as '.parquet')",
        "importer id 'csv' is already taken by the built-in importers",
        "importer 'tsv2': files ending in .tsv are already read by the built-in importers",
        "it returned an importer without an id",
        "importer 'parquet2': files ending in .parquet are already read by 'throwaway'",
    ]
    assert [p.plugin for p in reg.problems][-1] == "other"


def test_importer_hook_that_raises_is_isolated():
    def bizops_register_importers():
        raise OSError("disk gone")

    reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_importers=bizops_register_importers)])
    assert reg.importers == [] and len(reg.analyses) == len(BUILTIN_PLUGINS)
    assert any("raised while registering importers (OSError: disk gone)" in p.message for p in reg.problems)


def _window(qtbot, tmp_path, registry):
    from PySide6.QtCore import QSettings

    from bizops_desktop.qt.main_window import MainWindow

    w = MainWindow(
        registry=registry, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), interactive=False
    )
    qtbot.addWidget(w)
    return w


def test_help_plugins_lists_versions_and_problems(qtbot, tmp_path):
    from bizops_desktop import __version__

    def bizops_register_analyses():
        raise RuntimeError("boom")

    w = _window(
        qtbot,
        tmp_path,
        load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=bizops_register_analyses)]),
    )
    text = w.plugins_text()
    assert f"bizops_forecast {__version__}: Forecast" in text
    assert (
        "Problems:\n• Plugin 'throwaway' was skipped: it raised while registering analyses (RuntimeError: boom)" in text
    )
    assert any(a.text() == "&Plugins…" for a in w.menuBar().actions()[-1].menu().actions())
    w.host.jobs.shutdown()


def test_window_keeps_a_tab_saved_by_a_newer_plugin_and_says_so(qtbot, tmp_path):
    import sqlite3

    import pandas as pd

    from bizops_desktop.core.dataset import Dataset
    from bizops_desktop.core.project import AnalysisState, Project, load_project, save_project

    shop = Dataset(
        "orders",
        pd.DataFrame({"order": [1, 1, 2], "product": list("aba")}),
        {"order_id": ["order"], "product_id": ["product"]},
    )
    newer = AnalysisState(
        "basket",
        plugin="bizops_basket",
        plugin_version="7.0",
        state_version=7,
        params={"min_support": 0.3, "something_new": True},
        dataset="orders",
        result=Result(metrics={"rules": 1}, extra={"new": 1}),
    )
    first, second = tmp_path / "new.bizops", tmp_path / "saved.bizops"
    save_project(Project(datasets={"orders": shop}, analyses={"basket": newer}), first)

    w = _window(qtbot, tmp_path, load_registry(entry_points=False))
    w.show()
    with qtbot.waitSignal(w.project_loaded, timeout=20000):
        w.open_project(first)
    assert "Basket rules tab: it was saved by a newer version of its plugin (state 7;" in w.banner.text()
    assert w.panel("basket").result is None  # the tab is there, empty; the rest works
    with qtbot.waitSignal(w.saved, timeout=20000):
        w.save_to(second)

    def row(path):
        with sqlite3.connect(path) as conn:
            r = conn.execute("SELECT plugin, plugin_version, state_version, params, extra FROM analyses").fetchone()
        conn.close()
        return r

    assert row(second) == row(first)  # written back as it was
    assert load_project(second).analyses["basket"].params["something_new"] is True
    w.host.jobs.shutdown()


def test_problems_and_the_plugin_list_read_in_chinese():
    from bizops_desktop.core.errors import UsageError
    from bizops_desktop.core.i18n import use_language

    def bizops_register_analyses():
        raise RuntimeError("boom")

    with use_language("zh_CN"):
        reg = load_registry(entry_points=False, extra=[_plugin(bizops_register_analyses=bizops_register_analyses)])
        [problem] = reg.problems
        assert str(problem) == "插件 'throwaway' 已跳过：它在注册分析时出错（RuntimeError: boom）"
        lines = reg.describe()
        assert any(line.startswith("bizops_basket ") and line.endswith("：购物篮规则") for line in lines), lines
        assert "throwaway （无版本号）：没有添加任何功能" in lines
        with pytest.raises(UsageError) as e:
            reg.analysis("nope")
        assert str(e.value).startswith("没有名为 'nope' 的分析。可用的分析有：basket")
