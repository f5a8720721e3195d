"""Finds text a person reads that does not go through the translation functions: a bare string
literal or f-string handed to a Qt text setter, a widget constructor, a user-facing error, a plot
title, a parameter label, a note. Used by tests/test_i18n.py; run it on one file while you work:

    python tests/i18n_check.py plugins/bizops_basket/panel.py
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATORS = {"_", "_n", "_l", "M", "Mn"}

# method name -> which positional arguments are text (None: all)
SETTERS: dict[str, tuple[int, ...] | None] = {
    "setText": (0,),
    "setWindowTitle": (0,),
    "setToolTip": (0,),
    "setStatusTip": (0,),
    "setPlaceholderText": (0,),
    "setTitle": (0,),
    "setLabel": (1,),
    "addAction": (0,),
    "addMenu": (0,),
    "addTab": (1,),
    "insertTab": (2,),
    "setTabText": (1,),
    "showMessage": (0,),
    "show_message": (0,),
    "setItemText": (1,),
    "setSuffix": (0,),
    "setPrefix": (0,),
    "setSpecialValueText": (0,),
    "setHeaderLabels": (0,),
    "setWhatsThis": (0,),
    "information": (1, 2),
    "warning": (1, 2),
    "critical": (1, 2),
    "question": (1, 2),
    "about": (1, 2),
    "getOpenFileName": (1,),
    "getSaveFileName": (1,),
    "getExistingDirectory": (1,),
    "setHtml": (0,),
    "setMarkdown": (0,),
    "add_headline_text": (0,),
    "set_headline": (0,),
    "set_message": (0,),
    "show_error": (0,),
    "setLabelText": (0,),
    "addRow": (0,),
}
CONSTRUCTORS: dict[str, tuple[int, ...] | None] = {
    "QLabel": (0,),
    "QPushButton": (0,),
    "QCheckBox": (0,),
    "QRadioButton": (0,),
    "QGroupBox": (0,),
    "QAction": (0,),
    "QToolButton": (0,),
    "QMenu": (0,),
    "DataError": (0,),
    "UsageError": (0,),
    "ProjectError": (0,),
    "BizOpsError": (0,),
    "PlotSpec": (0,),
    "Column": (0,),
}
KEYWORDS: dict[str, set[str]] = {
    "DataError": {"hint"},
    "UsageError": {"hint"},
    "ProjectError": {"hint"},
    "BizOpsError": {"hint"},
    "Param": {"label", "help", "title"},
    "Analysis": {"title", "summary"},
    "PlotSpec": {"title", "x_label", "y_label"},
    "Layer": {"name"},
    "Column": {"title", "help"},
    "DataFrameTable": {"placeholder"},
    "MessageBox": set(),
    "Choice": {"label"},
}
# list.append / extend on these names holds text a person reads
NOTE_LISTS = re.compile(r"^(notes|warnings|messages|reasons|lines|headlines?)$")
LETTERS = re.compile(r"[A-Za-z]{2,}")


def _is_text(node: ast.AST) -> bool:
    """A literal a person would read (words), or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        s = node.value.strip()
        return bool(LETTERS.search(s)) and not _looks_technical(s)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and LETTERS.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_text(node.func.value)
    return False


def _looks_technical(s: str) -> bool:
    # object names, style sheets, file filters built elsewhere, html wrappers without words
    if re.fullmatch(r"[a-z0-9_.:\-]+", s):  # ids like "forecast_table", "bottom"
        return True
    if s.startswith(("QWidget", "QLabel", "QFrame", "MessageBox {", "color:", "font-", "<b></b>")):
        return True
    if re.match(r"(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|WITH) ", s):  # SQL
        return True
    return False


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def untranslated_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    out: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        out.append(f"{rel}:{node.lineno}: {what} is not translated")

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name is None or name in TRANSLATORS:
            continue
        positions = None
        if isinstance(node.func, ast.Attribute) and name in SETTERS:
            positions = SETTERS[name]
        elif name in CONSTRUCTORS:
            positions = CONSTRUCTORS[name]
        if positions is not None or (isinstance(node.func, ast.Attribute) and name in SETTERS):
            for i, arg in enumerate(node.args):
                if (positions is None or i in positions) and _is_text(arg):
                    flag(arg, f"text given to {name}()")
                if (positions is None or i in positions) and isinstance(arg, (ast.List, ast.Tuple)):
                    for el in arg.elts:
                        if _is_text(el):
                            flag(el, f"text in the list given to {name}()")
        for kw in node.keywords:
            if kw.arg and kw.arg in KEYWORDS.get(name, set()) and _is_text(kw.value):
                flag(kw.value, f"{kw.arg}= of {name}()")
        if (
            isinstance(node.func, ast.Attribute)
            and name in ("append", "extend", "insert")
            and isinstance(node.func.value, ast.Name)
            and NOTE_LISTS.match(node.func.value.id)
        ):
            for arg in node.args:
                if _is_text(arg):
                    flag(arg, f"text added to {node.func.value.id}")
    out.extend(_prose(tree, rel))
    # f-strings inside _() are a bug: the catalog can never hold them
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in TRANSLATORS and node.args:
            if isinstance(node.args[0], ast.JoinedStr):
                out.append(f"{rel}:{node.lineno}: f-string given to {_name(node.func)}(); use placeholders")
    return out


PROSE = re.compile(r"[A-Za-z][a-z']+[,;:]? [A-Za-z][a-z']*[,;:]? [A-Za-z][a-z']+")
# Calls whose text is for developers, not shop owners: internal errors, logs, reprs, warnings.
DEV_CALLS = {
    "TypeError",
    "ValueError",
    "KeyError",
    "RuntimeError",
    "AssertionError",
    "NotImplementedError",
    "AttributeError",
    "IndexError",
    "TableFormatError",
    "UnsupportedFrame",
    "_Damaged",
    "warn",
    "debug",
    "info",
    "warning_log",
    "error",
    "exception",
    "log_error",
    "getLogger",
    "PluginValidationError",
}


def _prose(tree: ast.AST, rel) -> list[str]:
    """Sentences written as bare literals anywhere (not docstrings, not developer-only calls):
    words that will reach a person untranslated."""
    out: list[str] = []
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))
        if isinstance(node, ast.Call) and (_name(node.func) in TRANSLATORS | DEV_CALLS):
            for sub in ast.walk(node):
                skip.add(id(sub))
        if isinstance(node, ast.FunctionDef) and node.name in ("__repr__", "__str__"):
            for sub in ast.walk(node):
                skip.add(id(sub))
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and _name(node.exc.func) in DEV_CALLS:
            for sub in ast.walk(node.exc):
                skip.add(id(sub))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            for v in node.values:
                skip.add(id(v))
            text = "".join(str(v.value) if isinstance(v, ast.Constant) else " x " for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if PROSE.search(text) and not _looks_technical(text.strip()):
            out.append(f"{rel}:{node.lineno}: words not translated: {text.strip()[:60]!r}")
    return out


# Files whose words are data, not text of the program: the demo shop's generated product names
# and truth descriptions (they must stay byte-for-byte the same in every language).
EXEMPT = {"demo.py", "demo_campaign.py", "demo_pricing.py", "demo_routes.py", "demo_stock.py", "catalogs.py"}


def source_files(base: Path) -> list[Path]:
    skip = {"locale", "__pycache__"}
    return [p for p in sorted(base.rglob("*.py")) if not skip & set(p.parts) and p.name not in EXEMPT]


def untranslated(paths) -> list[str]:
    out: list[str] = []
    for p in paths:
        out.extend(untranslated_in(Path(p)))
    return out


if __name__ == "__main__":
    found = untranslated(Path(a).resolve() for a in sys.argv[1:])
    print("\n".join(found) or "all text translated")
    raise SystemExit(1 if found else 0)
