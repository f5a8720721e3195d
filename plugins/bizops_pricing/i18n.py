"""This package's messages: catalogs in locale/<lang>/*.po (see bizops_desktop.core.i18n)."""

from bizops_desktop.core.i18n import Domain, Message, to_plain

T = Domain("bizops_pricing", __file__)
_, _n, _l, M, Mn = T.gettext, T.ngettext, T.lazy, T.message, T.nmessage


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
