"""The window's language: the choice in the settings (first start: the system's), Qt's own
translations for its dialogs and standard buttons, and the locale Qt formats with. The text of
the program itself comes from the one mechanism in :mod:`bizops_desktop.core.i18n`."""

from __future__ import annotations

import os

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from bizops_desktop.core import i18n
from bizops_desktop.core.i18n import _l

SETTINGS_KEY = "language"
_QT_LOCALES = {
    "zh_CN": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
}
_translators: list[QTranslator] = []

# Qt's own texts that its Chinese catalog (qtbase_zh_CN.qm) lacks: Qt 6 gave file-dialog labels
# an access key ("&Look in:") the shipped catalog does not know yet. Found by asking a translator
# installed behind Qt's which texts reached it while file dialogs and message boxes were built.
QT_GAPS = {
    ("QFileDialog", "&Look in:"): _l("&Look in:"),
    ("QFileDialog", "Files of &type:"): _l("Files of &type:"),
    ("QAbstractFileIconProvider", "Folder"): _l("Folder"),
    ("QAbstractFileIconProvider", "Drive"): _l("Drive"),
}


class _QtGaps(QTranslator):
    """Answers for :data:`QT_GAPS` from our catalogs; None (a null string) for everything else,
    so that Qt goes on to its own catalog or its English."""

    def translate(self, context, source, disambiguation=None, n=-1):
        text = QT_GAPS.get((context, source))
        if text is None:
            return None
        out = str(text)
        return out if out != source else None

    def isEmpty(self) -> bool:
        return False


def saved_language(settings: QSettings | None) -> str | None:
    value = settings.value(SETTINGS_KEY) if settings is not None else None
    return i18n.normalize_language(str(value)) if value else None


def apply_language(lang: str | None, settings: QSettings | None = None, *, remember: bool = False) -> str:
    """Make ``lang`` the program's language, with Qt's own strings in it too. None: the one
    ``BIZOPS_LANG`` names (tests, a one-off run), else the choice saved in ``settings``, else the
    system's. ``remember`` saves the language in effect as the choice. Returns it."""
    if lang is None:
        lang = i18n.normalize_language(os.environ.get(i18n.LANG_ENV)) or saved_language(settings)
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
    gaps = _QtGaps(app)  # installed first: asked only when Qt's own catalog has nothing
    app.installTranslator(gaps)
    _translators.append(gaps)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        t = QTranslator(app)
        if t.load(f"{name}_{lang}", folder):
            app.installTranslator(t)
            _translators.append(t)


def has_chinese_font() -> bool:
    """Whether Qt found a font that draws Simplified Chinese (Windows and macOS always have one;
    a fresh Linux desktop may not)."""
    from PySide6.QtGui import QFontDatabase

    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def font_warning() -> str | None:
    """The words to show when Chinese would be drawn as boxes: in English AND Chinese, since
    the Chinese line may itself be unreadable."""
    if i18n.get_language() != "zh_CN" or has_chinese_font():
        return None
    msg = i18n._l(
        "No Chinese font was found on this computer, so Chinese text shows as boxes. Install one "
        "(Debian/Ubuntu: sudo apt install fonts-noto-cjk) and start the program again."
    )
    return msg.render("en") + "\n" + msg.render("zh_CN")
