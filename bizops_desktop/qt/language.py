"""The window's language: the choice in the settings (first start: the system's), Qt's own
translations for its dialogs and standard buttons, and the locale Qt formats with. The text of
the program itself comes from the one mechanism in :mod:`bizops_desktop.core.i18n`."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from bizops_desktop.core import i18n

SETTINGS_KEY = "language"
_QT_LOCALES = {"zh_CN": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
               "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)}
_translators: list[QTranslator] = []


def saved_language(settings: QSettings | None) -> str | None:
    value = settings.value(SETTINGS_KEY) if settings is not None else None
    return i18n.normalize_language(str(value)) if value else None


def apply_language(lang: str | None, settings: QSettings | None = None, *, remember: bool = False) -> str:
    """Make ``lang`` (None: the saved choice, else the system's) the program's language, with
    Qt's own strings in it too. Returns the language in effect."""
    if lang is None:
        lang = saved_language(settings)
    lang = i18n.set_language(lang)
    if remember and settings is not None:
        settings.setValue(SETTINGS_KEY, lang)
    install_qt_translations(lang)
    return lang


def install_qt_translations(lang: str) -> None:
    app = QApplication.instance()
    if app is None:
        return
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    QLocale.setDefault(_QT_LOCALES.get(lang, _QT_LOCALES["en"]))
    if lang == i18n.SOURCE_LANGUAGE:
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        t = QTranslator(app)
        if t.load(f"{name}_{lang}", folder):
            app.installTranslator(t)
            _translators.append(t)
