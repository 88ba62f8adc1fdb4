"""The GUI's language: Qt translators for RiskDesk's texts and Qt's own, the locale for numbers and
dates, and the backend of `desktop_app.i18n.translate` for texts built below the UI.

The language is chosen once at start (`riskdesk --lang`, else Settings, else the system locale):
widgets take their texts when they are built, so a change in Settings applies at the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop_app import i18n
from desktop_app.i18n import QT_TRANSLATE_NOOP

# Qt's standard button texts (QDialogButtonBox, QMessageBox), for which Qt ships no Thai catalogue:
# marked here so that RiskDesk's own catalogue carries them (it is searched before Qt's).
QT_BUTTON_TEXTS = (
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Save"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Apply"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Discard"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Open"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&Yes"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&No"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Help"),
)

_INSTALLED: list[QTranslator] = []  # kept referenced: Qt does not own installed translators


def system_language() -> str:
    """The language of the OS settings (Qt knows Windows' and macOS' as well as $LANG), or English."""
    for name in QLocale.system().uiLanguages():
        if code := i18n.normalise(name):
            return code
    return i18n.SOURCE_LANGUAGE


def install_language(lang: str) -> str:
    """Speak `lang` from now on (any earlier choice is removed); the language installed.

    Texts without a translation stay English rather than failing; a missing catalogue falls back
    to English with all its texts.
    """
    app = QCoreApplication.instance()
    code = i18n.normalise(lang) or i18n.SOURCE_LANGUAGE
    for translator in _INSTALLED:
        QCoreApplication.removeTranslator(translator)
    _INSTALLED.clear()
    if code != i18n.SOURCE_LANGUAGE:
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        # Qt's own texts first (standard buttons, context menus); RiskDesk's are installed last so they
        # are searched first, and cover what Qt has no catalogue for (Qt ships none in Thai).
        for name, folder in (("qtbase_" + code, qt_dir), (i18n.CATALOG_PREFIX + code, str(i18n.CATALOG_DIR))):
            translator = QTranslator(app)
            if translator.load(name, folder):
                QCoreApplication.installTranslator(translator)
                _INSTALLED.append(translator)
    QLocale.setDefault(QLocale(i18n.LOCALE_NAMES[code]))
    i18n.set_backend(code, QCoreApplication.translate)
    return code
