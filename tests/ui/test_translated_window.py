"""In Thai and Ukrainian no visible text is left in English.

The main window (header, every tab, both docks, menus, toolbar, tray menu, table headers, cells and
their tooltips, alert-log rows, every chart's axis labels and ticks), the settings, account and
accounts dialogs (the account dialog after a connection test that worked and one that failed) and the
copy-trade calculator are built in the language, then every text a person can see or hover is
collected. A text fails when, with the terms traders keep in Latin script (Bybit's own: UTA, MM,
uPnL, …), the data shown (account names, coins, symbols) and numbers taken out, a word of Latin
letters is left. The collector is checked on an English window first, so it cannot pass by
collecting nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QFontMetrics
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
    "ContractTrade", "Order", "Position", "Wallet", "Withdraw",  # a key's permissions, by Bybit's names
    "secret", "key", "Chat", "chat", "id", "channelname", "riskdesk", "lang", "https", "http", "api",
    "Mainnet", "Testnet", "BEGIN", "PRIVATE", "KEY", "UTC",
    "English",  # each language is named in itself in the language chooser
}
# The data on screen: the hand-built accounts, their coins and symbols, the copy-trade preset's.
DATA = {"Main", "Hedge", "BTC", "ETH", "BTCUSDT", "ETHUSDT", "XRP", "XRPUSDT", "SOL", "SOLUSDT", "Copy",
        "follower", "Scalper", "Swing", "Grid"}  # ... and the synthetic history's accounts
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


def axis_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for the label and the tick labels of every chart axis under `root`."""
    for view in root.findChildren(pg.GraphicsView):
        for axis in [item for item in view.scene().items() if isinstance(item, pg.AxisItem)]:
            where = f"{type(axis).__name__} {axis.orientation}"
            yield where, axis.labelText
            if not axis.style.get("showValues", True):
                continue
            if axis._tickLevels is not None:  # ticks set by hand (names)
                levels = [[text for _, text in level] for level in axis._tickLevels]
                yield from ((where, text) for level in levels for text in level)
                continue
            if not hasattr(axis, "fontMetrics"):  # set by pyqtgraph when it first draws the axis
                axis.fontMetrics = QFontMetrics(view.font())
            low, high = axis.range
            box = axis.geometry()
            length = box.width() if axis.orientation in ("top", "bottom") else box.height()
            for spacing, values in axis.tickValues(low, high, length or 600):
                for text in axis.tickStrings(values, axis.autoSIPrefixScale, spacing):
                    yield where, text


def untranslated(root: QWidget) -> list[str]:
    return sorted({f"{where}: {text!r} ({', '.join(words)})"
                   for where, text in [*visible_texts(root), *axis_texts(root)]
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


def _filled_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    """A window with everything a trader can meet on it: a stale account, two shocked coins, alert-log
    rows of every kind of subject, a week of history and a journal of thirty days."""
    from desktop_app.alerts import AlertEvent, EventKind, Severity
    from desktop_app.journal_sync import JournalReport
    from desktop_app.ui.charts.synthetic import synthetic_history
    from desktop_app.ui.journal.view import journal_view
    from desktop_app.ui.journal.worker import JournalHost

    monkeypatch.setattr(JournalHost, "request", lambda self, *a, **k: True)  # no sync: shown by hand
    window = _window(qtbot, tmp_path)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    update = make_update((main_state(), failed(hedge_state(fetched_at=NOW - 125))))
    window.on_update(update)
    window.render_tables()
    window.stress_panel.set_update(update)
    window.stress_panel.add_shock()
    window.alert_log.on_events([
        AlertEvent(("liq_distance", "Main/BTCUSDT/long"), Severity.WARNING, EventKind.RAISED, 0.1, 0.15,
                   "Main", NOW),
        AlertEvent(("first_liquidation", "portfolio"), Severity.CRITICAL, EventKind.ESCALATED, 0.05, 0.1,
                   "Main", NOW + 1),
        AlertEvent(("mm_rate", "Hedge"), Severity.INFO, EventKind.CLEARED, 0.2, 0.5, "Hedge", NOW + 2),
    ])
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
    window.charts.set_series(synthetic_history(accounts=5, days=7, step_s=600, end_s=NOW))
    window.charts.render_now()
    day_ms = 86_400_000
    window.journal.on_report(journal_view(JournalReport(int(NOW * 1000) - 30 * day_ms, int(NOW * 1000), ())))
    return window


def test_the_main_window_speaks_the_language(qtbot, tmp_path: Path, language: str, monkeypatch) -> None:
    window = _filled_window(qtbot, tmp_path, monkeypatch)
    texts = untranslated(window)
    texts += [f"tray: {t!r}" for t in _menu_texts(window.tray.menu) if english_words(t)]
    texts += [f"chart: {p.title!r}" for p in window.charts.plots if english_words(p.title)]
    assert texts == [], "\n".join(texts)


def test_the_check_finds_english(qtbot, tmp_path: Path, monkeypatch) -> None:
    """The same window in English: the collector reaches the rows, the dialogs' results and the axes."""
    assert english_words("Stale · 2 min") == ["Stale", "min"]
    found = "\n".join(untranslated(_filled_window(qtbot, tmp_path, monkeypatch)))
    for english in ("'Portfolio'", "'All accounts'", "'Main BTCUSDT long'", "'cleared'",  # alert log
                    "DateAxis bottom",  # month and day names on the History and Journal axes
                    "'Stale · "):
        assert english in found, english
    dialog = _tested_account_dialog(qtbot, error=None)
    found = "\n".join(untranslated(dialog))
    assert "Connection OK" in found and "Cross" in found and "WITHDRAW" in found
    assert "Connection failed" in "\n".join(untranslated(_tested_account_dialog(qtbot, error="boom")))


class _AnsweringWorker(QObject):
    """Answers a connection test at once, as the worker would after a round trip."""

    sig_connection = Signal(object)

    def __init__(self, report: object, error: str | None) -> None:
        super().__init__()
        self.report, self.error = report, error

    def test_connection(self, request_id: int, spec: object) -> None:
        from desktop_app.ui.worker.messages import ConnectionOutcome

        report = None if self.error else self.report
        self.sig_connection.emit(ConnectionOutcome(request_id, report, self.error))


def _tested_account_dialog(qtbot, *, error: str | None) -> QWidget:  # type: ignore[no-untyped-def]
    """The account dialog after a connection test: a key that can withdraw and is not IP-bound, on a
    classic account, or a test that failed."""
    from desktop_app.domain.account import MarginMode
    from desktop_app.domain.api_key import ApiKeyInfo
    from desktop_app.service import ConnectionReport, key_warnings
    from desktop_app.ui.accounts.edit_dialog import AccountDialog

    key = ApiKeyInfo(key_id="1", note="", read_only=False, ips=("*",), deadline_day=None, expires_at=None,
                     created_at=None, is_unified=True, user_id=1, is_master=True,
                     permissions=(("ContractTrade", ("Order", "Position")), ("Wallet", ("Withdraw",))))
    report = ConnectionReport(margin_mode=MarginMode.CROSS, classic=True, key=key, clock_offset_ms=-1250.0,
                              warnings=key_warnings(key))
    dialog = AccountDialog(worker=_AnsweringWorker(report, error))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Main")
    dialog.key_edit.setText("KEY123456")
    dialog.secret_edit.setText("s3cr3t-HMAC-value-xyz")
    dialog.test_connection()
    return dialog


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
    settings = SettingsDialog(context, object())
    for tab in range(settings.tabs.count()):  # every page built and shown before its texts are read
        settings.tabs.setCurrentIndex(tab)
    dialogs = (settings, AccountDialog(), AccountsDialog(context), calculator,
               _tested_account_dialog(qtbot, error=None), _tested_account_dialog(qtbot, error="[10003] boom"))
    problems: list[str] = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        problems += untranslated(dialog)
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
