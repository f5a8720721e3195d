"""This package's messages: catalogs in locale/<lang>/*.po (see bizops_desktop.core.i18n)."""

from bizops_desktop.core.i18n import Domain, Message, to_plain

T = Domain("bizops_pricing", __file__)
_, _n, _l, M, Mn = T.gettext, T.ngettext, T.lazy, T.message, T.nmessage


def joined(parts) -> Message | None:
    """Several sentences (messages) as one, "a; b; c" ("a；b；c" in Chinese); None for none."""
    parts = [p for p in parts if p]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = M("{first}; {then}", first=out, then=p)
    return out


def cell(message) -> dict | None:
    """A message as a table cell: its plain dict (kept through the project file and rendered in
    the reader's language), None for no message."""
    return to_plain(message) if message else None


def period_word(freq: str | None) -> Message:
    """The period of the price table as a word to put in a sentence ("per {period}")."""
    if freq == "D":
        return M("day")
    if freq == "M":
        return M("month")
    if freq == "W":
        return M("week")
    return M("period")
