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
    assert [a.id for a in reg.ordered()] == ["recommender", "basket", "forecast", "pricing", "churn"]


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
    assert len(reg.analyses) == len(BUILTIN_PLUGINS)          # the app goes on
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
    def bizops_register_analysis():   # missing "es"
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
