"""This package's messages: catalogs in locale/<lang>/*.po (see bizops_desktop.core.i18n)."""

from bizops_desktop.core.i18n import Domain

T = Domain("bizops_stock", __file__)
_, _n, _l, M, Mn = T.gettext, T.ngettext, T.lazy, T.message, T.nmessage
