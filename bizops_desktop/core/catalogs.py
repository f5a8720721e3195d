"""Message catalogs: find the translatable messages in a package's source and keep each
``locale/<lang>/<part>.po`` in step with them (new messages added untranslated, vanished ones marked
obsolete, translations kept). Also the checks the tests run: every message translated, the same
placeholders in the translation as in the source.

    python -m bizops_desktop.core.catalogs            # update every catalog of the app and built-ins
    python -m bizops_desktop.core.catalogs --check    # list what is missing; exit 1 if anything is
    python -m bizops_desktop.core.catalogs path/to/my_plugin   # a third-party plugin's catalogs

The translation functions a module binds (see :mod:`bizops_desktop.core.i18n`): ``_``, ``_l``,
``M`` take the message as their first argument; ``_n`` and ``Mn`` take singular and plural.
"""

from __future__ import annotations

import io
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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

    def po(self, lang: str, part: str = "main") -> Path:
        return self.localedir / lang / f"{part}.po"

    def part_of(self, filename: str) -> str:
        """Which catalog file a message found in ``filename`` goes to: the first folder below the
        package (``core``, ``qt``), or ``main`` for the package's own modules."""
        parts = Path(filename).parts
        return parts[0] if len(parts) > 1 else "main"


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
        str(pkg.source),
        method_map=[("**/locale/**", "ignore"), ("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        cat.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return cat


def read(path: Path, lang: str):
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def update(pkg: Package, lang: str) -> tuple[int, int]:
    """Bring ``pkg``'s ``lang`` catalogs up to date with the source, one file per part of the
    package. Returns (messages, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract(pkg)
    by_part: dict[str, Catalog] = {}
    for m in template:
        if not m.id:
            continue
        part = pkg.part_of(m.locations[0][0]) if m.locations else "main"
        t = by_part.setdefault(part, Catalog(domain=pkg.domain))
        t[m.id] = m
    folder = pkg.localedir / lang
    old = {p.stem for p in folder.glob("*.po")} if folder.is_dir() else set()
    known = _read_all(pkg, lang)
    total = missing = 0
    for part in sorted(set(by_part) | old):
        path = pkg.po(lang, part)
        if part not in by_part:
            path.unlink()
            continue
        cat = read(path, lang) if path.is_file() else Catalog(locale=lang, domain=pkg.domain, project=pkg.domain)
        cat.update(by_part[part], no_fuzzy_matching=True, update_header_comment=False)
        cat.obsolete.clear()  # git keeps the history of removed messages
        for m in cat:  # a message that moved from one part to another keeps its translation
            if m.id and not _translated(m):
                prev = known.get(m.id[0] if isinstance(m.id, tuple) else m.id)
                if prev is not None and _translated(prev):
                    m.string = prev.string
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        write_po(buf, cat, width=100, no_location=True, omit_header=False, sort_output=False, include_previous=False)
        new = buf.getvalue()
        # rewrite only when a message changed: not for the header's creation date alone
        if not path.is_file() or _without_dates(path.read_bytes()) != _without_dates(new):
            path.write_bytes(new)
        ids = [m for m in cat if m.id]
        total += len(ids)
        missing += sum(1 for m in ids if not _translated(m))
    return total, missing


def _without_dates(po: bytes) -> bytes:
    return b"\n".join(line for line in po.split(b"\n") if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision')))


def _read_all(pkg: Package, lang: str):
    """Every part of ``pkg``'s ``lang`` catalog in one (the first translation of a message wins)."""
    from babel.messages.catalog import Catalog

    merged = Catalog(locale=lang, domain=pkg.domain)
    folder = pkg.localedir / lang
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        for m in read(path, lang):
            if m.id and merged.get(m.id[0] if isinstance(m.id, tuple) else m.id) is None:
                merged[m.id] = m
    return merged


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
    cat = _read_all(pkg, lang)
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
                out.append(
                    f"{pkg.domain} {lang}: placeholders differ in {label!r}: "
                    f"source {sorted(want)}, translation {sorted(got)}"
                )
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
