"""Message catalogs: find the translatable messages in a package's source and keep each
``locale/<lang>.po`` in step with them (new messages added untranslated, vanished ones marked
obsolete, translations kept). Also the checks the tests run: every message translated, the same
placeholders in the translation as in the source.

    python -m bizops_desktop.core.catalogs            # update every catalog of the app and built-ins
    python -m bizops_desktop.core.catalogs --check    # list what is missing; exit 1 if anything is
    python -m bizops_desktop.core.catalogs path/to/my_plugin   # a third-party plugin's catalogs

The translation functions a module binds (see :mod:`bizops_desktop.core.i18n`): ``_``, ``_l``,
``M`` take the message as their first argument; ``_n`` and ``Mn`` take singular and plural.
"""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

KEYWORDS = {"_": None, "_l": None, "M": None, "_n": (1, 2), "Mn": (1, 2)}
LANGS = ("zh_CN",)
ROOT = Path(__file__).resolve().parents[2]

PO_HEADER = {
    "zh_CN": "nplurals=1; plural=0;",
}


@dataclass(frozen=True)
class Package:
    """A package with its own domain: its source folder and where its catalogs live."""

    domain: str
    source: Path

    @property
    def localedir(self) -> Path:
        return self.source / "locale"

    def po(self, lang: str) -> Path:
        return self.localedir / f"{lang}.po"


def builtin_packages() -> list[Package]:
    pkgs = [Package("bizops_desktop", ROOT / "bizops_desktop")]
    plugins = ROOT / "plugins"
    if plugins.is_dir():
        pkgs += [Package(p.name, p) for p in sorted(plugins.iterdir()) if (p / "__init__.py").is_file()]
    return pkgs


def extract(pkg: Package):
    """The package's messages as a Babel catalog (msgid, or (singular, plural), with locations)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    cat = Catalog(domain=pkg.domain)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(pkg.source), method_map=[("**/locale/**", "ignore"), ("**.py", "python")],
            keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        cat.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return cat


def read(path: Path, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def update(pkg: Package, lang: str) -> tuple[int, int]:
    """Bring ``pkg``'s ``lang`` catalog up to date with the source. Returns (messages, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract(pkg)
    path = pkg.po(lang)
    if path.is_file():
        cat = read(path, lang)
    else:
        cat = Catalog(locale=lang, domain=pkg.domain, project=pkg.domain)
    cat.update(template, no_fuzzy_matching=True, update_header_comment=False)
    cat.obsolete.clear()      # git keeps the history of removed messages
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, cat, width=100, no_location=True, omit_header=False, sort_output=False,
                 include_previous=False)
    ids = [m for m in cat if m.id]
    return len(ids), sum(1 for m in ids if not _translated(m))


def _translated(m) -> bool:
    s = m.string
    if isinstance(s, (tuple, list)):
        return all(bool(x) for x in s)
    return bool(s)


def placeholders(text: str) -> set[str]:
    """The named fields of a template (``{n}``, ``{price:money}`` -> ``{"n", "price"}``)."""
    out = set()
    try:
        for _lit, name, _spec, _conv in string.Formatter().parse(text):
            if name is not None:
                out.add(name.split(".")[0].split("[")[0])
    except ValueError:
        out.add("<malformed template>")
    return out


def problems(pkg: Package, lang: str) -> list[str]:
    """What is wrong with ``pkg``'s ``lang`` catalog against the source: missing or untranslated
    messages, placeholders that differ, translations of messages no longer in the source."""
    template = extract(pkg)
    path = pkg.po(lang)
    if not path.is_file():
        return [f"{pkg.domain}: no {lang} catalog ({path})"] if len([m for m in template if m.id]) else []
    cat = read(path, lang)
    out = []
    for m in template:
        if not m.id:
            continue
        key = m.id
        t = cat.get(key[0] if isinstance(key, tuple) else key)
        where = ", ".join(f"{Path(f).name}:{ln}" for f, ln in m.locations[:2])
        label = key[0] if isinstance(key, tuple) else key
        if t is None or not _translated(t):
            out.append(f"{pkg.domain} {lang}: not translated: {label!r} ({where})")
            continue
        sources = list(key) if isinstance(key, tuple) else [key]
        want = set().union(*(placeholders(s) for s in sources))
        strings = list(t.string) if isinstance(t.string, (tuple, list)) else [t.string]
        for s in strings:
            got = placeholders(s)
            # a plural's translation may leave out {n} (Chinese "一个" for 1), never add a name
            if got - want or (want - got - {"n"}):
                out.append(f"{pkg.domain} {lang}: placeholders differ in {label!r}: "
                           f"source {sorted(want)}, translation {sorted(got)}")
    return out


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if not a.startswith("--")]
    pkgs = [Package(Path(p).resolve().name, Path(p).resolve()) for p in paths] or builtin_packages()
    bad = 0
    for pkg in pkgs:
        for lang in LANGS:
            if check:
                found = problems(pkg, lang)
                for line in found:
                    print(line)
                bad += len(found)
            else:
                n, missing = update(pkg, lang)
                print(f"{pkg.domain} {lang}: {n} messages, {missing} untranslated")
    return 1 if check and bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
