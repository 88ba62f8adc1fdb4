"""Translations for every layer, without Qt: `translate(context, text)` and the language's numbers.

The window, the alert texts, the tray and Telegram messages and the copy-trade explanations speak
one language, chosen in Settings or with `riskdesk --lang`. Qt's own tool chain keeps the texts:
`lupdate` finds every `translate("Context", "text")` / `self.tr("text")` / `QT_TRANSLATE_NOOP` in
the source and writes `riskdesk_<lang>.ts` beside this file; `lrelease` compiles each into the
`.qm` that the GUI's QTranslator loads (tools/i18n_update.py does both).

Layers below the UI (alerts, copytrade, live) must stay Qt-free and still send the same texts from a
headless process, so they call this module's `translate`. Its backend is either Qt's
(`QCoreApplication.translate`, set by the GUI once its translator is installed) or a catalogue read
from the same `.ts` XML with the standard library (`use_language`, for headless code). Texts are
English templates with `{named}` fields, filled in after translation so a language may reorder them.
"""

from __future__ import annotations

import locale
import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
CATALOG_PREFIX = "riskdesk_"
SOURCE_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "th", "uk")
# Each language's name in itself, for the language chooser (never translated).
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "th": "ไทย", "uk": "Українська"}

Backend = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class NumberSymbols:
    """How a language writes numbers (as Qt's QLocale does for the language's main country)."""

    decimal: str
    group: str


# uk_UA groups with a no-break space and uses a decimal comma; th_TH writes numbers as English does.
_SYMBOLS: Mapping[str, NumberSymbols] = {
    "en": NumberSymbols(".", ","),
    "th": NumberSymbols(".", ","),
    "uk": NumberSymbols(",", "\u00a0"),
}
# The QLocale name each language's numbers and dates follow.
LOCALE_NAMES: Mapping[str, str] = {"en": "en_US", "th": "th_TH", "uk": "uk_UA"}


class _State:
    language = SOURCE_LANGUAGE
    backend: Backend | None = None


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark `text` for extraction in `context` without translating it (it is translated where shown)."""
    del context
    return text


def translate(context: str, text: str) -> str:
    """`text` in the current language (itself when untranslated or in English)."""
    backend = _State.backend
    if backend is None:
        return text
    translated = backend(context, text)
    return translated or text


def tr(text: str) -> str:
    """A module-level text of the UI. lupdate files a bare `tr("...")` call under the empty context,
    so this looks it up there (classes use their own `self.tr`, filed under the class name)."""
    return translate("", text)


def language() -> str:
    """The current language code: "en", "th" or "uk"."""
    return _State.language


def number_symbols(lang: str | None = None) -> NumberSymbols:
    return _SYMBOLS.get(lang or _State.language, _SYMBOLS[SOURCE_LANGUAGE])


def set_backend(lang: str, backend: Backend | None) -> None:
    """Use `backend` (e.g. QCoreApplication.translate) for `lang`; None for English source texts."""
    _State.language = normalise(lang) or SOURCE_LANGUAGE
    _State.backend = backend


def use_language(lang: str) -> None:
    """Headless: translate from `riskdesk_<lang>.ts` read with the standard library.

    May raise: CatalogError (the catalogue is missing or not a .ts file).
    """
    code = normalise(lang) or SOURCE_LANGUAGE
    if code == SOURCE_LANGUAGE:
        set_backend(code, None)
        return
    catalog = read_catalog(catalog_path(code, ".ts"))
    set_backend(code, lambda context, text: catalog.get((context, text), ""))


def normalise(lang: str | None) -> str | None:
    """"uk_UA.UTF-8" -> "uk", "th-TH" -> "th"; None for a language RiskDesk does not speak."""
    if not lang:
        return None
    code = lang.replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the user's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, then the OS's), or English.

    The GUI asks Qt instead (QLocale.system() knows the Windows and macOS settings); this is for
    headless processes.
    """
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE is a list of preferences
            if code := normalise(part):
                return code
        if name != "LANGUAGE":
            return SOURCE_LANGUAGE  # a locale is set, in a language RiskDesk does not speak
    if environ is None and (code := normalise(locale.getlocale()[0])):
        return code
    return SOURCE_LANGUAGE


def resolve_language(requested: str | None, saved: str | None, system: str) -> str:
    """The language to speak: `--lang`, else the one saved in Settings, else the system's."""
    return normalise(requested) or normalise(saved) or normalise(system) or SOURCE_LANGUAGE


class CatalogError(Exception):
    """A translation catalogue could not be read."""


def catalog_path(lang: str, suffix: str) -> Path:
    return CATALOG_DIR / f"{CATALOG_PREFIX}{lang}{suffix}"


def read_catalog(path: Path) -> dict[tuple[str, str], str]:
    """Finished translations of a Qt .ts file, by (context, source text).

    May raise: CatalogError.
    """
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise CatalogError(f"cannot read {path.name}: {exc}") from None
    if root.tag != "TS":
        raise CatalogError(f"{path.name} is not a Qt .ts file")
    catalog: dict[tuple[str, str], str] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if source is None or translation is None or translation.get("type"):
                continue  # unfinished, obsolete or vanished: the English text stands
            if translation.text:
                catalog[(name, source)] = translation.text
    return catalog
