"""In Thai and Ukrainian no visible text is left in English.

The main window (header, every tab, both docks, menus, toolbar, tray menu, table headers, cells and
their tooltips), the settings, account and accounts dialogs and the copy-trade calculator are built
in the language, then every text a person can see or hover is collected. A text fails when, with
the terms traders keep in Latin script (Bybit's own: UTA, MM, uPnL, …), the data shown (account
names, coins, symbols) and numbers taken out, a word of Latin letters is left.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

from desktop_app.storage.accounts import AccountStore
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SecretStore
from desktop_app.storage.settings import Settings
from desktop_app.ui.context import AppContext, demo_context
from desktop_app.ui.language import install_language
from desktop_app.ui.window.main_window import MainWindow
from desktop_app.ui.worker.host import WorkerHost
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update, stress_fn

# Terms a trader reads in Latin script whatever the language, and names that are not words.
KEPT = {
    "RiskDesk", "Bybit", "UTA", "MM", "IM", "uPnL", "PnL", "VaR", "USD", "USDT", "API", "REST", "HMAC",
    "RSA", "PEM", "CSV", "IP", "URL", "USDC", "Telegram", "BotFather", "Copyguard", "Smart", "Copy", "OK",
    "secret", "key", "Chat", "chat", "id", "channelname", "riskdesk", "lang", "https", "http", "api",
    "Mainnet", "Testnet", "BEGIN", "PRIVATE", "KEY", "UTC",
    "English",  # each language is named in itself in the language chooser
}
# The data on screen: the hand-built accounts, their coins and symbols, the copy-trade preset's.
DATA = {"Main", "Hedge", "BTC", "ETH", "BTCUSDT", "ETHUSDT", "XRP", "XRPUSDT", "SOL", "SOLUSDT"}
_WORD = re.compile(r"[A-Za-z]{2,}")
_TAG = re.compile(r"<[^>]+>")
_HOST = re.compile(r"\b[\w-]+(\.[\w-]+)+\b")
_EXCHANGE_ERROR = re.compile(r"\[\d+\][^\n]*")


def english_words(text: str) -> list[str]:
    """The Latin-script words of a visible text that are neither kept terms nor data. An exchange
    error ("[10003] API key is invalid.") is Bybit's own message, shown as it came."""
    plain = _EXCHANGE_ERROR.sub(" ", html.unescape(_TAG.sub(" ", text))).replace("&", "")
    plain = _HOST.sub(" ", plain)  # bybit.eu, api.bybit.com: names, not words
    return [w for w in _WORD.findall(plain) if w not in KEPT and w not in DATA]


def _model_texts(model: QAbstractItemModel | None) -> Iterator[str]:
    if model is None:
        return
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model (QStringListModel keeps columnCount private): one column
        columns = 1
    for column in range(columns):
        yield str(model.headerData(column, Qt.Orientation.Horizontal) or "")
    for row in range(min(model.rowCount(QModelIndex()), 20)):
        for column in range(columns):
            index = model.index(row, column)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    yield value


def _menu_texts(menu: QMenu) -> Iterator[str]:
    yield menu.title()
    for action in menu.actions():
        yield action.text()
        yield action.toolTip()
        if action.menu() is not None:
            yield from _menu_texts(action.menu())


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of `root` and its children a person can read or hover."""
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__} {widget.objectName()}".strip()
        if widget.isWindow():
            yield where, widget.windowTitle()
        yield where, widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield where, widget.text()
        elif isinstance(widget, QLineEdit):
            yield where, widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield where, widget.itemText(i)
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                yield where, widget.tabText(i)
        elif isinstance(widget, QDockWidget):
            yield where, widget.windowTitle()
        elif isinstance(widget, QTextBrowser):
            yield where, widget.toPlainText()
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            for text in _model_texts(widget.model()):
                yield where, text
        elif isinstance(widget, QMenu):
            for text in _menu_texts(widget):
                yield where, text
        for action in widget.actions():
            yield where, action.text()
            yield where, action.toolTip()


def untranslated(root: QWidget) -> list[str]:
    return sorted({f"{where}: {text!r} ({', '.join(words)})" for where, text in visible_texts(root)
                   if text and (words := english_words(text))})


@pytest.fixture(params=["th", "uk"])
def language(request):
    install_language(request.param)
    yield request.param
    install_language("en")


def _window(qtbot, tmp_path: Path) -> MainWindow:
    context = demo_context(AppPaths.portable(tmp_path), ())
    window = MainWindow(context, WorkerHost(service_factory=object), stress_fn,
                        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    return window


def test_the_main_window_speaks_the_language(qtbot, tmp_path: Path, language: str) -> None:
    window = _window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    update = make_update((main_state(), failed(hedge_state(fetched_at=NOW - 125))))
    window.on_update(update)
    window.render_tables()
    window.stress_panel.set_update(update)
    window.stress_panel.add_shock()
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
    texts = untranslated(window)
    texts += [f"tray: {t!r}" for t in _menu_texts(window.tray.menu) if english_words(t)]
    texts += [f"chart: {p.title!r}" for p in window.charts.plots if english_words(p.title)]
    assert texts == [], "\n".join(texts)
    assert english_words("Stale · 2 min") == ["Stale", "min"]  # the check itself finds English


def test_the_dialogs_speak_the_language(qtbot, tmp_path: Path, language: str, memory_keyring) -> None:
    from desktop_app.ui.accounts.edit_dialog import AccountDialog
    from desktop_app.ui.accounts.list_dialog import AccountsDialog
    from desktop_app.ui.copytrade.dialog import CopyTradeDialog
    from desktop_app.ui.settings_dialog import SettingsDialog

    paths = AppPaths.portable(tmp_path)
    secrets = SecretStore()
    context = AppContext(paths=paths, settings=Settings(), secrets=secrets,
                         store=AccountStore(paths.accounts_file, secrets))
    calculator = CopyTradeDialog()
    calculator.load_preset("article-missed")
    calculator.select_result(1)
    dialogs = (SettingsDialog(context, object()), AccountDialog(), AccountsDialog(context), calculator)
    problems: list[str] = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        problems += untranslated(dialog)
        if isinstance(dialog, SettingsDialog):
            for tab in range(dialog.tabs.count()):
                dialog.tabs.setCurrentIndex(tab)
    assert problems == [], "\n".join(problems)


def test_desktop_notifications_speak_the_language(language: str) -> None:
    from desktop_app.alerts import AlertEvent, EventKind, Severity
    from desktop_app.alerts.rules import first_liquidation_headline
    from desktop_app.ui.alerts.notifier import summarise

    events = [AlertEvent(("first_liquidation", f"s{i}"), Severity.CRITICAL, EventKind.RAISED, 0.05, 0.08,
                         first_liquidation_headline("BTC", -0.05, "Main"), float(i)) for i in range(7)]
    for batch in (events[:1], events):
        title, text, _ = summarise(batch)
        assert english_words(title) == [] and english_words(text) == [], (title, text)
