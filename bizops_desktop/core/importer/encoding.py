"""Which encoding a text file's bytes are in. A byte-order mark, UTF-8 and GBK/GB18030 (Chinese
exports) are recognised directly and quickly; anything else (Big5, EUC-KR, Shift-JIS, Windows-1251,
Windows-1252...) is charset_normalizer's best guess, which the import notes call a guess."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

SAMPLE_BYTES = 1 << 20  # detection looks at the first MiB ...
TAIL_BYTES = 1 << 16  # ... and the last 64 KiB (a GBK name may first appear far down)


def read_sample(path: Path) -> tuple[bytes, bytes, bool]:
    """(head, tail, whole): head and tail cut at line breaks so no character is split."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        whole = len(head) >= size
        tail = b""
        if not whole:
            fh.seek(max(size - TAIL_BYTES, len(head)))
            tail = fh.read()
    if not whole:
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
        nl = tail.find(b"\n")
        tail = tail[nl + 1 :] if nl >= 0 else b""
    return head, tail, whole


def decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def detect_encoding(head: bytes, tail: bytes = b"") -> str:
    return guess_encoding(head, tail)[0]


def guess_encoding(head: bytes, tail: bytes = b"") -> tuple[str, bool]:
    """(codec, guessed): ``guessed`` is True when the codec is charset_normalizer's best guess
    rather than something the bytes prove (a BOM, valid UTF-8, Chinese in GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    if decodes(head, "utf-8") and decodes(tail, "utf-8"):
        return "utf-8", False
    gb = _gb_verdict(head + tail) if decodes(head, "gb18030") and decodes(tail, "gb18030") else "no"
    if gb == "yes":
        return "gb18030", False
    guess = _best_guess(head, tail)
    if guess:
        return guess, True
    if gb == "maybe":
        return "gb18030", False
    if decodes(head, "cp1252") and decodes(tail, "cp1252"):
        return "cp1252", False
    return "latin-1", False


_GB_PAIR = re.compile(rb"[\x81-\xfe][\x30-\xfe]")
_HIGH = bytes(range(0xA1, 0x100))
_ABOVE_HANGUL = bytes(range(0xC9, 0x100))


def _gb_verdict(data: bytes) -> str:
    """ "yes" for Chinese in GBK, "maybe" when the bytes decode as GBK but may be another CJK
    encoding, "no" when they do not look Chinese at all.

    GBK text is mostly GB2312 characters, whose two bytes are both >= 0xA1. Latin-1 text that
    happens to decode as GBK pairs an accented letter with a plain ASCII letter instead ("no").
    Big5 and Shift-JIS put a third or more of their second bytes below 0xA1 ("maybe"). EUC-KR has
    GB2312's shape, but Korean syllables sit in rows 0xB0-0xC8 only, while Chinese characters
    spread over rows 0xB0-0xF7: two in five common ones (pinyin s to z) lie above 0xC8."""
    pairs = _GB_PAIR.findall(data)
    if not pairs:
        return "no"
    joined = b"".join(pairs)
    seconds = joined[1::2]
    share = (len(seconds) - len(seconds.translate(None, _HIGH))) / len(pairs)
    if share < 0.6:
        return "no"
    if share < 0.9:
        return "maybe"
    firsts = joined[0::2]
    if len(firsts) - len(firsts.translate(None, _ABOVE_HANGUL)) >= 0.05 * len(pairs):
        return "yes"
    # Few characters above the Korean rows. Each distinct one counts once now: an orders file may
    # repeat a few product names that happen to lie below them.
    chars = {p for p in pairs if p[0] >= 0xB0 and p[1] >= 0xA1}
    if len(chars) >= 20 and sum(1 for p in chars if p[0] > 0xC8) < 0.05 * len(chars):
        return "maybe"
    return "yes"


# The encodings shop systems and spreadsheets write: Windows and ISO code pages, the Mac's, and
# the East Asian ones. DOS, EBCDIC and the like read many byte strings "well" and are never right.
_CANDIDATES = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "latin_1",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_9",
    "iso8859_13",
    "iso8859_15",
    "koi8_r",
    "koi8_u",
    "mac_roman",
    "gb18030",
    "big5",
    "cp950",
    "big5hkscs",
    "cp949",
    "euc_kr",
    "cp932",
    "shift_jis",
    "euc_jp",
)

# When charset_normalizer finds several encodings that read the bytes equally well, the one a
# shop's computer most likely wrote: a German export is Windows-1252, not the Windows-1250 that
# gives the same umlauts; the Windows supersets of Big5, EUC-KR and Shift-JIS read more characters.
_PREFERRED = ("cp1252", "gb18030", "cp950", "big5", "cp949", "euc_kr", "cp932", "shift_jis", "cp1251")


def _best_guess(head: bytes, tail: bytes) -> str | None:
    """charset_normalizer's best guess for the sample, one that decodes all of it; None if none."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(head + tail, cp_isolation=list(_CANDIDATES)))
    if not matches:
        return None
    # As clean as the best (chaos), then as much like the language as any (coherence).
    clean = [m for m in matches if m.chaos <= matches[0].chaos + 0.01]
    top = max(m.coherence for m in clean)
    alike = [m for m in clean if m.coherence >= top - 0.01]
    names = {name for m in alike for name in m.could_be_from_charset}
    order = [p for p in _PREFERRED if p in names] + [m.encoding for m in alike] + [m.encoding for m in matches]
    for enc in order:
        if decodes(head, enc) and decodes(tail, enc) and _plausible(enc, head + tail):
            return enc
    return None


def _plausible(encoding: str, data: bytes) -> bool:
    """Korean text uses the 2,350 syllables of KS X 1001 (EUC-KR), both bytes >= 0xA1. Windows-949
    adds 8,822 rare ones below 0xA1, and Japanese Shift-JIS bytes decode as those: not Korean."""
    if codecs.lookup(encoding).name not in ("cp949", "euc_kr"):
        return True
    pairs = _GB_PAIR.findall(data)
    return not pairs or sum(1 for p in pairs if p[0] >= 0xA1 and p[1] >= 0xA1) >= 0.9 * len(pairs)


def encoding_near(exc: UnicodeDecodeError) -> tuple[str, bool] | None:
    """(codec, guessed) that the bytes around a decoding error suggest, from whole lines near it."""
    data = exc.object
    if not isinstance(data, (bytes, bytearray)):
        return None
    lo = max(0, exc.start - 4096)
    hi = min(len(data), exc.start + 16384)
    window = bytes(data[lo:hi])
    if lo:
        window = window[window.find(b"\n") + 1 :]
    if hi < len(data) and b"\n" in window:
        window = window[: window.rfind(b"\n") + 1]
    return guess_encoding(window, b"")
