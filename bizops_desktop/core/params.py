"""Typed analysis parameters: one description serves the Qt form, the CLI (--set NAME=VALUE),
the project file (JSON) and validation. Parsing and checking live here and nowhere else."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError
from .i18n import _, _n

KINDS = ("int", "float", "bool", "choice", "text", "list", "date", "dataset")
_TRUE = {"1", "true", "yes", "y", "on", "t"}
_FALSE = {"0", "false", "no", "n", "off", "f"}
_NONE = {"", "auto", "none", "null"}


@dataclass(frozen=True)
class Param:
    """One parameter of an analysis.

    kind: int | float | bool | choice | text | list | date | dataset
    optional: ``None`` is allowed (shown as "auto"/empty; on the CLI ``auto`` or ``none``).
    item / length: for kind ``list``: the kind of each item (int | float | text) and, if fixed,
    how many items (``order`` = p,d,q has length 3).
    advanced: shown folded away in the form.
    label, help: translatable texts (``_l("Minimum support")``), rendered when shown.
    choice_labels: for kind ``choice``: value -> the words shown for it (``{"ses": _l("Simple
    exponential smoothing")}``); the value itself stays the stable id (CLI, project file).
    """

    name: str
    kind: str
    default: Any = None
    help: Any = ""
    label: Any = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    optional: bool = False
    item: str = "text"
    length: int | None = None
    advanced: bool = False
    choice_labels: Mapping[Any, Any] = field(default_factory=dict)
    roles: tuple = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def title(self) -> str:
        return str(self.label) if self.label else self.name.replace("_", " ").capitalize()

    @property
    def help_text(self) -> str:
        return str(self.help) if self.help else ""

    def choice_label(self, value: Any) -> str:
        label = self.choice_labels.get(value) if self.choice_labels else None
        return str(label) if label else str(value)

    # ---------------------------------------------------------------------------------------
    def parse(self, text: str) -> Any:
        """Turn command-line text into a checked value."""
        raw = text.strip()
        if (self.optional or self.kind == "dataset") and raw.lower() in _NONE:
            return None
        if self.kind == "list":
            if raw.startswith("["):
                try:
                    items = json.loads(raw)
                except ValueError:
                    raise self._bad(text, _("a list such as 1,2,3")) from None
            else:
                items = [p for p in raw.replace(";", ",").split(",") if p.strip() != ""]
            return self.validate(items)
        return self.validate(raw)

    def validate(self, value: Any) -> Any:
        """Check (and coerce) a value from any face: form, CLI, project file."""
        k = self.kind
        if k == "dataset":  # a table's name (or a file path), or the table itself once resolved
            if value is None or (isinstance(value, str) and value.strip() == ""):
                return None
            if hasattr(value, "frame") and hasattr(value, "roles"):
                return value
            if not isinstance(value, str):
                raise self._bad(value, _("the name of an open table"))
            return value.strip()
        if value is None:
            if self.optional:
                return None
            raise UsageError(_("parameter {name} needs a value", name=self.name), hint=self._hint())
        if k == "list":
            if isinstance(value, str):
                return self.parse(value)
            if not isinstance(value, (list, tuple)):
                raise self._bad(value, _("a list"))
            items = [self._scalar(self.item, v) for v in value]
            if self.length is not None and len(items) != self.length:
                raise self._bad(value, _n("exactly {n} value", "exactly {n} values separated by commas", self.length))
            for v in items:
                self._check_bounds(v)
            return items
        if k == "choice":
            v = str(value).strip()
            for c in self.choices:
                if v.lower() == str(c).lower():
                    return c
            raise self._bad(value, _("one of {choices}", choices=", ".join(map(str, self.choices))))
        v = self._scalar(k, value)
        self._check_bounds(v)
        return v

    def _scalar(self, kind: str, value: Any) -> Any:
        try:
            if kind == "int":
                if isinstance(value, bool):
                    raise ValueError
                f = float(value)
                if not f.is_integer():
                    raise ValueError
                return int(f)
            if kind == "float":
                if isinstance(value, bool):
                    raise ValueError
                f = float(value)
                if math.isnan(f):
                    raise ValueError
                return f
            if kind == "bool":
                if isinstance(value, bool):
                    return value
                s = str(value).strip().lower()
                if s in _TRUE:
                    return True
                if s in _FALSE:
                    return False
                raise ValueError
            if kind == "date":
                import datetime as _dt

                if isinstance(value, _dt.date):
                    return value.isoformat()[:10]
                s = str(value).strip()
                _dt.date.fromisoformat(s[:10])
                return s[:10]
            return str(value)
        except (TypeError, ValueError):
            want = {
                "int": _("a whole number"),
                "float": _("a number"),
                "bool": _("yes or no"),
                "date": _("a date as YYYY-MM-DD"),
            }.get(kind) or _("text")
            raise self._bad(value, want) from None

    def _check_bounds(self, v: Any) -> None:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if self.minimum is not None and v < self.minimum:
                raise self._bad(v, _("at least {x}", x=_fmt(self.minimum)))
            if self.maximum is not None and v > self.maximum:
                raise self._bad(v, _("at most {x}", x=_fmt(self.maximum)))

    def _bad(self, value: Any, want: str) -> UsageError:
        return UsageError(
            _("parameter {name} got {value} but needs {want}", name=self.name, value=repr(value), want=want),
            hint=self._hint(),
        )

    def _hint(self) -> str:
        return _("{name}: {help}", name=self.name, help=self.help_text) if self.help else ""

    def describe(self) -> str:
        """One line for ``bizops-desktop analyses``, in the current language: the name and kind
        as typed on the command line, the label and help as the form shows them."""
        kind = self.kind
        if kind == "choice":
            kind = "|".join(map(str, self.choices))
        elif kind == "dataset":
            kind = _("table or file")
        elif kind == "list":
            kind = (
                _n("list of {item} ({n} value)", "list of {item} ({n} values)", self.length, item=self.item)
                if self.length
                else _("list of {item}", item=self.item)
            )
        bounds = ""
        if self.minimum is not None or self.maximum is not None:
            lo = _fmt(self.minimum) if self.minimum is not None else ""
            hi = _fmt(self.maximum) if self.maximum is not None else ""
            bounds = f" [{lo}..{hi}]"
        default = (
            "auto"
            if self.default is None and (self.optional or self.kind == "dataset")
            else json.dumps(self.default, ensure_ascii=False)
        )
        words = self.title if not self.help else _("{label}: {help}", label=self.title, help=self.help_text)
        if self.kind == "choice" and self.choice_labels:
            words = _(
                "{text} ({choices})",
                text=words,
                choices="; ".join(f"{c} = {self.choice_label(c)}" for c in self.choices if self.choice_labels.get(c)),
            )
        return _(
            "{name} ({kind}, default {default}): {text}",
            name=self.name,
            kind=kind + bounds,
            default=default,
            text=words,
        )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def resolve_params(
    specs: Sequence[Param],
    given: Mapping[str, Any] | None = None,
    *,
    from_text: bool = False,
    ignore_unknown: bool = False,
) -> dict[str, Any]:
    """Defaults overlaid with ``given`` values, each checked. Unknown names are a UsageError
    (or silently dropped with ``ignore_unknown``, used for params saved by an older plugin)."""
    by_name = {p.name: p for p in specs}
    out = {p.name: p.default for p in specs}
    for name, value in (given or {}).items():
        if name not in by_name:
            if ignore_unknown:
                continue
            raise UsageError(
                _("unknown parameter {name}", name=repr(name)),
                hint=_("known parameters: {names}", names=", ".join(by_name)) if by_name else None,
            )
        p = by_name[name]
        out[name] = p.parse(value) if (from_text and isinstance(value, str)) else p.validate(value)
    return out


def resolve_tables(
    specs: Sequence[Param],
    values: Mapping[str, Any],
    dataset: Any = None,
    tables: Mapping[str, Any] | Sequence[Any] | None = None,
    *,
    files: bool = False,
) -> dict[str, Any]:
    """``values`` with each parameter of kind ``dataset`` turned into the table it names: an open
    table of ``tables`` (name -> Dataset, or a list of them) by name, else (only with ``files``:
    a name the user typed on the command line) a file of that path read with the importer, else a
    DataError naming the open tables. No name: with ``roles``, the first open table other than
    ``dataset`` that has them, else None. A name saved in a project file (a stranger's, maybe) is
    never read as a path."""
    out = dict(values)
    wanted = [p for p in specs if p.kind == "dataset"]
    if not wanted:
        return out
    if tables is None:
        open_tables: dict[str, Any] = {}
    elif isinstance(tables, Mapping):
        open_tables = dict(tables)
    else:
        open_tables = {t.name: t for t in tables}
    for p in wanted:
        v = out.get(p.name)
        if v is not None and not isinstance(v, str):
            continue  # already a table
        if v:
            out[p.name] = _table_named(p, v, open_tables, files)
        elif p.roles:
            out[p.name] = next(
                (t for t in open_tables.values() if t is not dataset and t.has(*p.roles)),
                None,
            )
        else:
            out[p.name] = None
    return out


def _table_named(p: Param, name: str, open_tables: Mapping[str, Any], files: bool = False) -> Any:
    from pathlib import Path

    from .errors import DataError

    if name in open_tables:
        return open_tables[name]
    path = Path(name).expanduser()
    if files and path.is_file():
        from .importer import load_dataset

        return load_dataset(path, name=path.stem)
    raise DataError(
        _("there is no open table or file named {name}", name=repr(name)),
        where=_("parameter {name}", name=p.name),
        hint=(
            _("the open tables are: {names}", names=", ".join(open_tables))
            if open_tables
            else _("open the table first, or give the path of a CSV or Excel file")
        ),
    )


def parse_assignments(items: Iterable[str], what: str = "--set") -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}`` with a clear error for ``a`` alone."""
    out: dict[str, str] = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(_("{option} {value} must look like NAME=VALUE", option=what, value=repr(item)))
        k, v = item.split("=", 1)
        out[k.strip()] = v
    return out
