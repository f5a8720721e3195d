"""The one translation mechanism, for the Qt-free core, the plugins and the Qt layer alike.

Text a person reads is written once, in English, as a template with named placeholders, and goes
through a :class:`Domain`'s functions where it is written:

    from bizops_desktop.core.i18n import Domain
    T = Domain("bizops_basket", __file__)       # catalogs in bizops_basket/locale/<lang>/*.po
    _, _n, _l, M, Mn = T.gettext, T.ngettext, T.lazy, T.message, T.nmessage

    _("Run")                                    # text now, in the current language
    _n("{n} order", "{n} orders", n)            # plural by the language's rules; {n} filled in
    TITLE = _l("Basket rules")                  # text later: a module-level constant, a Param label
    notes.append(M("{col} has no dates", col=c))    # a message kept in results, rendered when shown
    notes.append(Mn("{n} row had no date", "{n} rows had no date", n))   # the same, with a plural

``python -m bizops_desktop.core.catalogs`` finds these calls in the source (Babel's extractor) and
adds new messages to every catalog; the tests fail when a catalog lacks a message or its
placeholders differ from the source's.

Each package (the app, each plugin) has its own domain and catalogs, so a third-party plugin is
translated the same way. Catalogs are gettext ``.po`` files (``locale/<lang>/<part>.po``), read
with Babel and compiled in memory when a language is first used: nothing to build, nothing to
go stale.

Values are formatted for the reader's locale when the text is rendered (Babel/CLDR): ``{x}`` for a
number gets thousands separators and sensible rounding, and a format spec names what a value is:
``{share:percent}`` (0.0384 -> 3.8%), ``{price:money}`` (the shop's currency), ``{d:date}``,
``{names:list}`` ("A, B and C" / "A、B和C"), ``{n:int}``, ``{x:num}`` or a Python spec like
``{x:.2f}`` (kept as written). A :class:`Message` is plain data (``to_dict``/``from_dict``), so a
result saved in English reads in Chinese when reopened.
"""

from __future__ import annotations

import decimal as _decimal
import gettext
import io
import locale as _locale
import math
import os
import string
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
SOURCE_LANGUAGE = "en"
LANG_ENV = "BIZOPS_LANG"  # overrides the system language (tests, --lang)

_state = threading.local()
_default_lang: str | None = None
_currency: str | None = None
_domains: dict[str, "Domain"] = {}
_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# The language
def normalize_language(value: str | None) -> str | None:
    """``"zh_CN.UTF-8"``, ``"zh-Hans"``, ``"zh"`` -> ``"zh_CN"``; ``"en_GB"`` -> ``"en"``;
    None for a language we have no catalogs for."""
    if not value:
        return None
    v = value.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    if v.startswith("zh"):
        return "zh_CN"
    if v.startswith("en") or v in ("c", "posix"):
        return "en"
    return None


def system_language() -> str:
    """The language of the system: the usual environment variables first (as gettext reads
    them), then the OS locale; English when it is none we have."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in (os.environ.get(var) or "").split(":"):
            lang = normalize_language(part)
            if lang:
                return lang
    try:
        loc = _locale.getlocale()[0]
    except ValueError:
        loc = None
    return normalize_language(loc) or SOURCE_LANGUAGE


def get_language() -> str:
    """The language of text rendered on this thread now."""
    lang = getattr(_state, "lang", None)
    if lang:
        return lang
    global _default_lang
    if _default_lang is None:
        _default_lang = normalize_language(os.environ.get(LANG_ENV)) or system_language()
    return _default_lang


def set_language(lang: str | None) -> str:
    """Set the language for the whole program (every thread without its own); None: the one
    ``BIZOPS_LANG`` names, else the system's. Returns the language in effect."""
    global _default_lang
    _default_lang = normalize_language(lang) or normalize_language(os.environ.get(LANG_ENV)) or system_language()
    _state.lang = None
    return _default_lang


class use_language:
    """``with use_language("zh_CN"): ...`` renders text in that language on this thread only
    (a report in another language than the window, a test)."""

    def __init__(self, lang: str | None):
        self.lang = normalize_language(lang) or get_language()

    def __enter__(self) -> str:
        self._old = getattr(_state, "lang", None)
        _state.lang = self.lang
        return self.lang

    def __exit__(self, *exc) -> None:
        _state.lang = self._old


def babel_locale(lang: str | None = None) -> str:
    return lang or get_language()


_LOCALES: dict[str, Any] = {}


def _babel(lang: str | None = None) -> Any:
    """The Babel Locale of ``lang``, parsed once (Babel parses a locale name on every call, a
    third of the time of formatting a number)."""
    from babel import Locale

    name = lang or get_language()
    loc = _LOCALES.get(name)
    if loc is None:
        loc = _LOCALES[name] = Locale.parse(name)
    return loc


# ---------------------------------------------------------------------------------------------
# Money
def set_currency(code: str | None) -> None:
    """The shop's currency (ISO 4217, e.g. ``"CNY"``); None: by the language (CNY for Chinese)."""
    global _currency
    _currency = code.upper() if code else None


def get_currency(lang: str | None = None) -> str:
    if _currency:
        return _currency
    return "CNY" if (lang or get_language()) == "zh_CN" else "USD"


_CURRENCY_SIGNS = (
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("元", "CNY"),
    ("RMB", "CNY"),
    ("CNY", "CNY"),
    ("€", "EUR"),
    ("EUR", "EUR"),
    ("£", "GBP"),
    ("GBP", "GBP"),
    ("US$", "USD"),
    ("USD", "USD"),
    ("$", "USD"),
)


def currency_from_text(texts: Iterable[str]) -> str | None:
    """The currency a file's headers or cells name (``单价(元)``, ``Price (€)``, ``¥12.50``), if any."""
    counts: dict[str, int] = {}
    for t in texts:
        s = str(t)
        for sign, code in _CURRENCY_SIGNS:
            if sign in s:
                counts[code] = counts.get(code, 0) + 1
                break
    return max(counts, key=counts.__getitem__) if counts else None


# ---------------------------------------------------------------------------------------------
# Formatting values for people
def _round_sig(x: float) -> str:
    """A Babel pattern with sensible rounding: whole numbers as they are, 3 significant digits
    below 100, at most 2 decimals otherwise."""
    ax = abs(x)
    if ax == 0 or float(x).is_integer():
        return "#,##0"
    if ax >= 100:
        return "#,##0"
    if ax >= 10:
        return "#,##0.#"
    if ax >= 1:
        return "#,##0.##"
    if ax >= 0.01:
        return "#,##0.###"
    return "#,##0.####"


_PATTERNS: dict[str, tuple | None] = {}
_PLAIN_SYMBOLS: dict[str, bool] = {}


def _fast_decimal(value: float | int, lang: str | None, pattern: str) -> str | None:
    """``value`` in one of our own patterns (``#,##0``, ``#,##0.##``, ``#,##0.0%``...) exactly as
    Babel writes it (the same decimal rounding, half to even, of the same decimal digits), without
    Babel's per-call pattern parsing: several times faster, which is most of writing 100,000
    sentence cells. None for another pattern, or a locale whose digits or signs are not the plain
    ASCII ones (Babel then)."""
    name = lang or get_language()
    plain = _PLAIN_SYMBOLS.get(name)
    if plain is None:
        symbols = _babel(name).number_symbols.get("latn", {})
        keys = ("decimal", "group", "minusSign", "percentSign")
        plain = _PLAIN_SYMBOLS[name] = tuple(symbols.get(k) for k in keys) == (".", ",", "-", "%")
    if not plain:
        return None
    if pattern in _PATTERNS:
        parsed = _PATTERNS[pattern]
    else:
        import re

        m = re.fullmatch(r"#,##0(?:\.(0*)(#*))?(%?)", pattern)
        parsed = None
        if m is not None:
            lo = len(m.group(1) or "")
            hi = lo + len(m.group(2) or "")
            parsed = (lo, _decimal.Decimal(1).scaleb(-hi), m.group(3))
        _PATTERNS[pattern] = parsed
    if parsed is None:
        return None
    min_frac, quantum, percent = parsed
    d = _decimal.Decimal(str(value))
    if percent:
        d = d.scaleb(2)
    negative = d.is_signed()
    whole, _dot, frac = f"{abs(d).quantize(quantum, rounding=_decimal.ROUND_HALF_EVEN):f}".partition(".")
    frac = frac.rstrip("0")
    if len(frac) < min_frac:
        frac += "0" * (min_frac - len(frac))
    text = f"{int(whole):,}" + ("." + frac if frac else "") + percent
    return "-" + text if negative else text


def format_number(x: Any, lang: str | None = None, pattern: str | None = None) -> str:
    from babel.numbers import format_decimal

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    f = float(x)
    if math.isinf(f):
        return "∞" if f > 0 else "−∞"
    value = f if not float(f).is_integer() else int(f)
    pattern = pattern or _round_sig(f)
    fast = _fast_decimal(value, lang, pattern)
    if fast is not None:
        return fast
    return format_decimal(value, format=pattern, locale=_babel(lang))


def format_int(x: Any, lang: str | None = None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return format_number(x, lang)
    return format_number(round(float(x)), lang, "#,##0")


def format_percent(x: Any, lang: str | None = None, decimals: int | None = None) -> str:
    """A share or probability (0.0384) as a percentage (3.8%)."""
    from babel.numbers import format_percent as _fp

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return format_number(x, lang)
    f = float(x)
    if decimals is None and 0 < abs(f) < 0.00005:  # a tiny p-value or share: "<0.01%", never "0.00%"
        return ("<" if f > 0 else ">-") + _fp(0.0001, format="#,##0.00%", locale=_babel(lang))
    if decimals is None:
        decimals = 0 if abs(f) >= 0.1 or f == 0 else (1 if abs(f) >= 0.001 else 2)
        # never round a share that is not whole to "100%" (or one that is not zero to "0%")
        if decimals == 0 and abs(f) < 1 and round(abs(f) * 100) >= 100:
            decimals = 1 if round(abs(f) * 1000) < 1000 else 2
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    fast = _fast_decimal(f, lang, pattern)
    if fast is not None:
        return fast
    return _fp(f, format=pattern, locale=_babel(lang))


def format_money(x: Any, lang: str | None = None, currency: str | None = None, decimals: int = 2) -> str:
    from babel.numbers import format_currency

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return format_number(x, lang)
    lang = babel_locale(lang)
    cur = currency or get_currency(lang)
    pattern = None
    if decimals == 0:
        pattern = "¤#,##0"
    text = format_currency(float(x), cur, format=pattern, locale=_babel(lang), currency_digits=decimals == 2)
    # CLDR writes "CN¥" in English to tell it from the yen; a Chinese shop's owner reads "¥".
    return text.replace("CN¥", "¥")


def format_date(d: Any, lang: str | None = None, fmt: str = "medium") -> str:
    import datetime as _dt

    from babel.dates import format_date as _fd

    if d is None:
        return "–"
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    if isinstance(d, _dt.datetime):
        d = d.date()
    return _fd(d, format=fmt, locale=_babel(lang))


def format_list(items: Iterable[Any], lang: str | None = None, style: Any = "standard") -> str:
    from babel.lists import format_list as _fl

    return _fl([str(i) for i in items], style=style, locale=_babel(lang))


_SAFE_SPEC = __import__("re").compile(r"[<>^=]?[+\- ]?#?0?(\d{0,2})?,?(\.\d{1,2})?[a-z%]?")
_NAMED_SPECS = {"percent", "money", "money0", "date", "list", "int", "num"}


_FIELD_MEMO: dict[tuple, str] = {}
_MEMO_TYPES = {int, float, str}
_MEMO_SPECS = {"", "percent", "money", "money0", "int", "num"}


class _Formatter(string.Formatter):
    """Fills a template with values formatted for ``lang``. A template may come from a saved
    project (a stranger's file): only plain names (no ``{x.attr}`` or ``{x[0]}``) and short
    specs (no ``{x:>999999999}``) are filled."""

    def __init__(self, lang: str):
        self.lang = lang

    def get_field(self, field_name, args, kwargs):
        if not field_name.isidentifier():
            raise ValueError(f"placeholder {field_name!r} is not a plain name")
        return self.get_value(field_name, args, kwargs), field_name

    def convert_field(self, value, conversion):
        if conversion is not None:
            raise ValueError("conversions are not used in messages")
        return value

    def format_field(self, value: Any, spec: str) -> Any:
        lang = self.lang
        if isinstance(value, (Message, LazyText)):
            value = value.render(lang)
        # A table of 100,000 sentences repeats the same few shares, counts and names: each
        # (value, spec) is formatted once by Babel (slow per call), then looked up.
        if spec == "list" and isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
            value = tuple(value)  # a list of names: formatted once per distinct list
        if (type(value) in _MEMO_TYPES and spec in _MEMO_SPECS) or (type(value) is tuple and spec == "list"):
            # -0.0 == 0.0 (and hashes alike), but "-0%" is not "0%": a zero float keys by its sign
            memo_value = ("zero", math.copysign(1.0, value)) if type(value) is float and value == 0.0 else value
            key = (lang, _currency, spec, type(value), memo_value)
            hit = _FIELD_MEMO.get(key)
            if hit is None:
                if len(_FIELD_MEMO) > 200_000:
                    _FIELD_MEMO.clear()
                hit = _FIELD_MEMO[key] = self._format_field(value, spec)
            return hit
        return self._format_field(value, spec)

    def _format_field(self, value: Any, spec: str) -> Any:
        lang = self.lang
        if spec == "percent":
            return format_percent(value, lang)
        if spec == "money":
            return format_money(value, lang)
        if spec == "money0":
            return format_money(value, lang, decimals=0)
        if spec == "date":
            return format_date(value, lang)
        if spec == "list":  # each item in the language asked for, messages too ("$39.00 from week 1")
            return format_list([text(v, lang) if isinstance(v, (Message, LazyText, dict)) else v for v in value], lang)
        if spec == "int":
            return format_int(value, lang)
        if spec == "num" or (not spec and isinstance(value, (int, float)) and not isinstance(value, bool)):
            return format_number(value, lang)
        if not spec and hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
            return format_number(value.item(), lang)
        if spec and (spec not in _NAMED_SPECS and not _SAFE_SPEC.fullmatch(spec)):
            raise ValueError(f"format {spec!r} is not used in messages")
        return super().format_field(value, spec)


_COMPILED: dict[str, list[tuple[str, str | None, str]]] = {}


def _compile(template: str) -> list[tuple[str, str | None, str]]:
    """A template as (text before, placeholder name or None, spec) parts, parsed once: string.
    Formatter re-parses each time in Python, the most of rendering 100,000 sentences. The same
    checks as _Formatter: plain names only, no conversions, no nested specs."""
    import _string  # the C parser string.Formatter itself uses

    parts = _COMPILED.get(template)
    if parts is None:
        parts = []
        for literal, name, spec, conversion in _string.formatter_parser(template):
            if name is not None:
                if conversion is not None:
                    raise ValueError("conversions are not used in messages")
                if not name.isidentifier():
                    raise ValueError(f"placeholder {name!r} is not a plain name")
                if spec and "{" in spec:
                    raise ValueError("nested formats are not used in messages")
            parts.append((literal, name, spec or ""))
        if len(_COMPILED) > 20_000:  # templates from a stranger's file must not grow it without end
            _COMPILED.clear()
        _COMPILED[template] = parts
    return parts


def render(template: str, values: Mapping[str, Any] | None = None, lang: str | None = None) -> str:
    """Fill a (translated) template's placeholders, each value formatted for ``lang``."""
    if not values:
        return template
    fmt = _Formatter(lang or get_language())
    out = []
    for literal, name, spec in _compile(template):
        out.append(literal)
        if name is not None:
            out.append(str(fmt.format_field(values[name], spec)))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Catalogs
class Domain:
    """The messages of one package: its catalogs are ``<package>/locale/<lang>/*.po``."""

    def __init__(
        self, name: str, package_file: str | os.PathLike | None = None, localedir: str | os.PathLike | None = None
    ):
        self.name = name
        if localedir is None and package_file is not None:
            localedir = Path(package_file).resolve().parent / "locale"
        self.localedir = Path(localedir) if localedir is not None else None
        self._catalogs: dict[str, gettext.NullTranslations] = {}
        with _lock:
            _domains.setdefault(name, self)

    def po_paths(self, lang: str) -> list[Path]:
        """The catalog files of ``lang``: ``locale/<lang>/*.po`` (one per part of the package, so
        that the people translating its parts never edit the same file)."""
        if self.localedir is None:
            return []
        folder = self.localedir / lang
        return sorted(folder.glob("*.po")) if folder.is_dir() else []

    def translations(self, lang: str | None = None) -> gettext.NullTranslations:
        lang = lang or get_language()
        cat = self._catalogs.get(lang)
        if cat is None:
            cat = self._load(lang)
            self._catalogs[lang] = cat
        return cat

    def _load(self, lang: str) -> gettext.NullTranslations:
        paths = self.po_paths(lang) if lang != SOURCE_LANGUAGE else []
        if not paths:
            return gettext.NullTranslations()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        merged = None
        for path in paths:
            with open(path, "rb") as f:
                part = read_po(f, locale=lang, domain=self.name)
            if merged is None:
                merged = part
                continue
            for m in part:
                if m.id and m.string and merged.get(m.id if not isinstance(m.id, tuple) else m.id[0]) is None:
                    merged[m.id] = m
        buf = io.BytesIO()
        assert merged is not None  # paths is not empty
        write_mo(buf, merged, use_fuzzy=False)
        buf.seek(0)
        return gettext.GNUTranslations(buf)

    def reload(self) -> None:
        self._catalogs.clear()

    # the functions a module binds to _, _n, _l, M --------------------------------------------
    def gettext(self, msgid: str, **values: Any) -> str:
        """The translation of ``msgid`` now; placeholders filled from ``values`` if given."""
        lang = get_language()
        text = self.translations(lang).gettext(msgid)
        return render(text, values, lang) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        lang = get_language()
        text = self.translations(lang).ngettext(singular, plural, int(n))
        return render(text, {"n": n, **values}, lang)

    def lazy(self, msgid: str) -> "LazyText":
        return LazyText(self.name, msgid)

    def message(self, msgid: str, **values: Any) -> "Message":
        return Message(self.name, msgid, dict(values))

    def nmessage(self, singular: str, plural: str, n: int, **values: Any) -> "Message":
        return Message(self.name, singular, {"n": n, **values}, plural=plural, n=int(n))


def domain(name: str) -> Domain:
    """A registered domain by name (a Message from a saved project names its domain)."""
    d = _domains.get(name)
    if d is None:  # a plugin that is not installed: its messages render in English
        d = Domain(name)
    return d


def reset_catalogs() -> None:
    for d in list(_domains.values()):
        d.reload()


# ---------------------------------------------------------------------------------------------
# Text rendered later
class LazyText:
    """A translatable text rendered when it is shown (module-level titles, labels, help)."""

    __slots__ = ("domain", "msgid")

    def __init__(self, domain_name: str, msgid: str):
        self.domain = domain_name
        self.msgid = msgid

    def render(self, lang: str | None = None) -> str:
        lang = lang or get_language()
        return domain(self.domain).translations(lang).gettext(self.msgid)

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return (self.domain, self.msgid) == (other.domain, other.msgid)
        return isinstance(other, str) and other in (self.msgid, str(self))

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __add__(self, other: Any) -> str:
        return str(self) + str(other)

    def __radd__(self, other: Any) -> str:
        return str(other) + str(self)

    def __len__(self) -> int:
        return len(str(self))

    def __contains__(self, part: object) -> bool:
        return str(part) in str(self)

    def __bool__(self) -> bool:
        return bool(self.msgid)


@dataclass
class Message:
    """A message kept in a result: its domain, English template, values (and plural), rendered
    in the reader's language when shown. Plain data: ``to_dict()`` is JSON."""

    domain: str
    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None

    def render(self, lang: str | None = None) -> str:
        lang = lang or get_language()
        tr = domain(self.domain).translations(lang)
        if self.plural is not None:
            n = int(self.n if self.n is not None else self.values.get("n", 0))
            text = tr.ngettext(self.msgid, self.plural, n)
            values = {"n": n, **self.values}
        else:
            text, values = tr.gettext(self.msgid), self.values
        values = {k: (_from_plain(v) if isinstance(v, dict) else v) for k, v in values.items()}
        try:
            return render(text, values, lang)
        except (KeyError, IndexError, ValueError, TypeError):
            pass  # a damaged translation must not hide the message: the English one, then the bare text
        try:
            return render(self.msgid, values, SOURCE_LANGUAGE)
        except (KeyError, IndexError, ValueError, TypeError):
            return self.msgid[:200]

    def __str__(self) -> str:
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)

    def __contains__(self, part: object) -> bool:
        """``"GBK" in note``: a word in the text as rendered now (notes are read as text)."""
        return str(part) in self.render()

    def to_dict(self) -> dict:
        from .jsonable import plain

        d: dict[str, Any] = {
            "domain": self.domain,
            "msgid": self.msgid,
            "values": plain(
                {
                    k: (v.to_dict() if isinstance(v, Message) else (str(v) if isinstance(v, LazyText) else v))
                    for k, v in self.values.items()
                }
            ),
        }
        if self.plural is not None:
            d["plural"] = self.plural
            d["n"] = self.n
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Message":
        values = d.get("values") or {}
        if not isinstance(values, dict):
            values = {}
        n = d.get("n")
        return cls(
            str(d.get("domain") or ""),
            str(d.get("msgid") or ""),
            {str(k): v for k, v in values.items()},
            plural=str(d["plural"]) if d.get("plural") is not None else None,
            n=int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) else None,
        )


def _from_plain(v: dict) -> Any:
    if "msgid" in v and "domain" in v:
        return Message.from_dict(v)
    return v


def text(value: Any, lang: str | None = None) -> str:
    """Whatever an analysis put where text goes (str, LazyText, Message or its saved dict) as
    text in ``lang``."""
    if isinstance(value, (Message, LazyText)):
        return value.render(lang)
    if isinstance(value, dict) and "msgid" in value:
        return Message.from_dict(value).render(lang)
    return "" if value is None else str(value)


def to_plain(value: Any) -> Any:
    """A note/headline/title for storing as JSON: a Message or LazyText becomes its dict (domain,
    English template, values), rendered in the reader's language when shown; text stays text."""
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, LazyText):
        return {"domain": value.domain, "msgid": value.msgid, "values": {}}
    return value


# The app's own messages (core, Qt layer, command line): bizops_desktop/locale/<lang>/*.po
APP = Domain("bizops_desktop", localedir=Path(__file__).resolve().parents[1] / "locale")
_ = APP.gettext
_n = APP.ngettext
_l = APP.lazy
M = APP.message
Mn = APP.nmessage


def jsonable_key(value: Any) -> str:
    """A hashable key for a message or its dict (to render each distinct one once)."""
    from .jsonable import dumps

    return dumps(to_plain(value), sort_keys=True)


def sentences(*parts: Any) -> "Message | None":
    """Sentences one after another as one message ("A. B." / "A。B。"): the translation decides
    the space between them. None and empty parts are left out; None when nothing is left."""
    return _chain([p for p in parts if p], "{first} {second}")


def clauses(parts: Iterable[Any]) -> "Message | None":
    """Clauses of one sentence joined by semicolons ("a; b" / "a；b"); None for none."""
    return _chain([p for p in parts if p], "{first}; {second}")


def _chain(parts: list, template: str) -> "Message | None":
    if not parts:
        return None
    out = parts[0] if isinstance(parts[0], Message) else APP.message("{text}", text=parts[0])
    for p in parts[1:]:
        out = APP.message(template, first=out, second=p)
    return out


# the templates above, for the catalog extractor (they are built from variables there)
_TEMPLATES = (_l("{first} {second}"), _l("{first}; {second}"), _l("{text}"))
