"""This package's messages: catalogs in locale/<lang>/*.po (see bizops_desktop.core.i18n).

Weekday and month names, and the day-and-month of a week's start, come from the reader's locale
(CLDR, through Babel) rather than from our catalogs: ``calendar_name("Saturday")`` is a message
of the ``bizops_forecast.calendar`` domain, stored as its English name and shown as "Saturday" or
"星期六" by whoever reads it.
"""

from __future__ import annotations

import datetime as _dt
import gettext

from bizops_desktop.core.i18n import Domain, Message

T = Domain("bizops_forecast", __file__)
_, _n, _l, M, Mn = T.gettext, T.ngettext, T.lazy, T.message, T.nmessage


class _CalendarNames(gettext.NullTranslations):
    """English weekday and month names -> the names of ``lang``; an ISO date -> its day and month
    ("Jan 5" / "1月5日")."""

    def __init__(self, lang: str):
        super().__init__()
        from babel.dates import get_day_names, get_month_names

        self.lang = lang
        en_days, days = get_day_names("wide", locale="en"), get_day_names("wide", locale=lang)
        en_months, months = get_month_names("wide", locale="en"), get_month_names("wide", locale=lang)
        self._names = {en_days[i]: days[i] for i in range(7)}
        self._names.update({en_months[i]: months[i] for i in range(1, 13)})

    def gettext(self, message: str) -> str:
        name = self._names.get(message)
        if name is not None:
            return name
        try:
            day = _dt.date.fromisoformat(message[:10])
        except ValueError:
            return message
        from babel.dates import format_skeleton

        return format_skeleton("MMMd", day, locale=self.lang)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class _CalendarDomain(Domain):
    def _load(self, lang: str) -> gettext.NullTranslations:
        return _CalendarNames(lang)


CALENDAR = _CalendarDomain("bizops_forecast.calendar")


def calendar_name(english: str) -> Message:
    """A weekday ("Monday"), month ("December") or a week's first day (ISO date) as a message
    rendered in the reader's language."""
    return CALENDAR.message(str(english))
