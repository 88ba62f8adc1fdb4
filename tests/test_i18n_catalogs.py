"""The translation catalogues: complete, in step with the source, and readable without Qt.

A .ts entry that is unfinished, obsolete or vanished, a text of the source that lupdate would add, a
.qm that lrelease would build differently, or a translation that drops or invents a `{field}` fails
here. The headless reader gives the same texts as Qt's translator, so a process without Qt (the
watcher) sends the alerts and Telegram messages the window shows.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from desktop_app import i18n
from desktop_app.i18n import figures

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = ("th", "uk")
_FIELD = re.compile(r"\{\w*\}")


@pytest.fixture
def headless_language():
    """Switch the Qt-free translator for a test, back to English afterwards."""
    yield i18n.use_language
    i18n.set_backend("en", None)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_is_finished_and_keeps_its_fields(lang: str) -> None:
    root = ElementTree.parse(i18n.catalog_path(lang, ".ts")).getroot()
    assert root.get("language", "").startswith(lang)
    count = 0
    for context in root.iter("context"):
        for message in context.iter("message"):
            count += 1
            source = message.findtext("source") or ""
            translation = message.find("translation")
            assert translation is not None and translation.get("type") is None, (
                f"{lang}: unfinished, obsolete or vanished: {source!r}")
            text = translation.text or ""
            assert text.strip(), f"{lang}: empty translation of {source!r}"
            assert sorted(_FIELD.findall(text)) == sorted(_FIELD.findall(source)), (
                f"{lang}: fields differ in {text!r} for {source!r}")
    assert count > 300  # the whole UI, not a sample


def test_catalogues_are_in_step_with_the_source_and_compiled() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import i18n_update
    finally:
        sys.path.remove(str(ROOT / "tools"))
    # lupdate into a copy finds no new or vanished text.
    assert i18n_update.stale_files(qm=False) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_says_what_the_source_says(lang: str) -> None:
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(i18n.catalog_path(lang, ".qm")))
    expected = i18n.read_catalog(i18n.catalog_path(lang, ".ts"))
    differs = [(context, source) for (context, source), text in expected.items()
               if translator.translate(context, source) != text]
    assert differs == []


def test_headless_code_reads_the_same_translations(headless_language) -> None:
    headless_language("uk")
    assert i18n.language() == "uk"
    assert i18n.translate("alerts", "Back to normal: {text}") == "Повернулося до норми: {text}"
    assert i18n.translate("alerts", "a text no catalogue has") == "a text no catalogue has"
    headless_language("th")
    assert i18n.translate("alerts", "{coin} {move} → {account} liquidated").endswith("ถูกชำระบัญชี")
    headless_language("en")
    assert i18n.translate("alerts", "Back to normal: {text}") == "Back to normal: {text}"


def test_numbers_follow_the_language(headless_language) -> None:
    assert figures.usd(-29_871.4) == "\u2212$29,871" and figures.usd(177.154) == "$177.15"
    assert figures.usd(-0.001) == "$0" and figures.rate(3.3333) == "333.33%"
    headless_language("uk")  # Ukrainian groups with a no-break space and uses a decimal comma
    assert figures.usd(1_234_567.0) == "$1\u00a0234\u00a0567"
    assert figures.move(-0.1234, signed=True) == "\u221212,3%"
    assert figures.number(64_986.3) == "64\u00a0986,3"
    headless_language("th")
    assert figures.usd(1_234_567.0) == "$1,234,567"


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "uk_UA.UTF-8"}, "uk"),
    ({"LANGUAGE": "de:th", "LANG": "en_US.UTF-8"}, "th"),
    ({"LC_ALL": "th_TH.UTF-8", "LANG": "uk_UA.UTF-8"}, "th"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({}, "en"),
])
def test_system_language_of_a_headless_process(environ: dict[str, str], expected: str) -> None:
    assert i18n.system_language(environ) == expected


def test_command_line_beats_settings_beats_the_system() -> None:
    assert i18n.resolve_language("th", "uk", "en") == "th"
    assert i18n.resolve_language(None, "uk", "th_TH") == "uk"
    assert i18n.resolve_language(None, "", "th_TH") == "th"
    assert i18n.resolve_language(None, "", "fr_FR") == "en"


def test_a_broken_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "riskdesk_xx.ts"
    bad.write_text("<html/>", encoding="utf-8")
    with pytest.raises(i18n.CatalogError, match=r"not a Qt \.ts file"):
        i18n.read_catalog(bad)
    with pytest.raises(i18n.CatalogError, match="cannot read"):
        i18n.read_catalog(tmp_path / "missing.ts")


def test_alerts_and_telegram_speak_the_language_without_qt(headless_language) -> None:
    from desktop_app.alerts import AlertEngine
    from desktop_app.live.alerts import telegram_text
    from tests.alerts import factories as f

    headless_language("uk")
    engine = AlertEngine(f.only("mm_rate"), poll_interval_s=5)
    events = engine.evaluate(f.report([f.account("Hedge", mm_rate=0.8231)]), None, f.NOW)
    assert events[0].message == "Hedge: коефіцієнт MM 82,31% — ліквідація при 100%"
    text = telegram_text(events)
    assert text == "RiskDesk\n🔴 ТРИВОГА: Hedge: коефіцієнт MM 82,31% — ліквідація при 100%"
    headless_language("th")
    events = AlertEngine(f.only("mm_rate"), poll_interval_s=5).evaluate(
        f.report([f.account("Hedge", mm_rate=0.8231)]), None, f.NOW)
    assert events[0].message == "Hedge: อัตรา MM 82.31% — ชำระบัญชีที่ 100%"


def test_chart_amounts_use_the_languages_own_abbreviations(headless_language) -> None:
    from desktop_app.ui.charts.plot import compact_usd

    assert compact_usd(600_000.0, 100_000.0) == "$600k"
    headless_language("uk")  # not a Latin "k" among Ukrainian words
    assert compact_usd(600_000.0, 100_000.0) == "$600 тис."
    assert compact_usd(-1_250_000.0, 50_000.0) == "\u2212$1,25 млн"
    headless_language("th")
    assert compact_usd(1_500_000.0, 500_000.0) == "$1.5 ล้าน"
