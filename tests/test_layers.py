"""The layering rule, made mechanical: modules meant to be Qt-free import no Qt, and nothing in
the app uses pickle, eval or exec (project and data files are untrusted input)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("bizops_desktop.qt"):
                names.add("bizops_desktop.qt")
    return names


def qt_free_modules() -> list[Path]:
    files = list((ROOT / "bizops_desktop" / "core").rglob("*.py"))
    for plugin in (ROOT / "plugins").iterdir():
        if (plugin / "analysis.py").exists():
            files.append(plugin / "analysis.py")
        files.extend(
            p
            for p in plugin.glob("*.py")
            if p.name not in ("panel.py", "__main__.py") and not p.name.startswith("panel_") and p.name != "analysis.py"
        )
    return files


def test_core_and_algorithms_import_no_qt():
    offenders = {}
    for path in qt_free_modules():
        bad = _imports(path) & (set(QT) | {"bizops_desktop.qt"})
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_no_pickle_eval_exec():
    offenders = []
    for base in ("bizops_desktop", "plugins"):
        for path in (ROOT / base).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                    if any(m.split(".")[0] in ("pickle", "cPickle", "dill", "shelve", "marshal") for m in mods):
                        offenders.append(f"{path}:{node.lineno} imports pickle-like module")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                    offenders.append(f"{path}:{node.lineno} calls {node.func.id}")
    assert offenders == []


def test_the_layer_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6 import QtWidgets\nimport pyqtgraph as pg\n")
    assert {"PySide6", "pyqtgraph"} <= _imports(bad)
