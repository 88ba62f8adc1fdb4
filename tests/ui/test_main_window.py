"""The main window without network: header on arrival, tables on the GUI timer, stale accounts greyed
with age and error in the status bar, nothing rendered while hidden, layout saved in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from desktop_app.storage.paths import AppPaths
from desktop_app.ui.context import demo_context
from desktop_app.ui.window.main_window import MainWindow
from desktop_app.ui.worker.host import WorkerHost
from desktop_app.ui.worker.worker import WorkerError
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update, stress_fn


def _window(qtbot, tmp_path: Path) -> MainWindow:
    context = demo_context(AppPaths.portable(tmp_path), ())
    host = WorkerHost(service_factory=object)  # never started: updates are fed by hand
    qsettings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(context, host, stress_fn, qsettings=qsettings)
    qtbot.addWidget(window)
    return window


def test_update_renders_header_tables_and_status(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    window.on_update(make_update())
    # Totals: equity 20,000 + 5,000; uPnL 2,000 + 500; net exposure 62,000 - 31,000 + 31,000.
    assert window.header.equity.value.text() == "$25,000"
    assert window.header.upnl.value.text() == "+$2,500"
    assert window.header.net.value.text() == "+$62,000"
    assert window.header.gross.value.text() == "$124,000"
    # Worst MM rate: Hedge 300 / 5,000 = 6.00%.
    assert window.header.worst_mm.value.text() == "6.00% · Hedge"
    assert window.header.first_liq.value.text().endswith("→ Hedge liquidated")
    assert window.portfolio.accounts_model.rowCount() == 2
    assert window.portfolio.positions_model.rowCount() == 3
    assert window.portfolio.exposure_model.rowCount() == 2
    assert window.stress_panel.model.rowCount() == 2
    assert "Demo mode" in window.messages.texts()[0]


def test_failing_account_is_stale_never_zero(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.show()
    window.on_update(make_update((main_state(), failed(hedge_state(fetched_at=NOW - 30)))))
    label = window.status.accounts_label  # problems first, then the accounts that are fine
    assert label.text().startswith("● Hedge stale ") and "   ● Main " in label.text()
    assert "API key is invalid" in label.toolTip()
    assert window.portfolio.accounts_model.index(1, 2).data() == "$5,000"  # last good equity, not $0
    assert window.portfolio.accounts_model.index(1, 1).data().startswith("Stale")


def test_nothing_renders_while_hidden(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.on_update(make_update())  # never shown
    window.render_tables()
    assert window.portfolio.accounts_model.rowCount() == 0
    assert window.header.equity.value.text() == "—"
    window.show()
    qtbot.waitUntil(lambda: window.portfolio.accounts_model.rowCount() == 2)
    assert window.header.equity.value.text() == "$25,000"


def test_worker_error_shows_in_status_bar(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.on_worker_error(WorkerError("[-100] cannot connect", NOW))
    assert window.status.worker_label.text() == "Refresh failed: [-100] cannot connect"


def test_layout_is_saved_in_qsettings(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.show()
    window.close()
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    assert settings.value("window/geometry") is not None
    assert settings.value("window/state") is not None


def test_tools_menu_opens_the_copytrade_calculator(qtbot, tmp_path: Path) -> None:
    from desktop_app.ui.copytrade.dialog import CopyTradeDialog

    window = _window(qtbot, tmp_path)
    window.actions_.copytrade.trigger()
    dialogs = window.findChildren(CopyTradeDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].close()


def test_the_history_range_chosen_is_kept_for_the_next_start(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    assert window.charts.range_name == "All"  # a fresh session shows since start
    window.charts.range_buttons["24 h"].click()
    window.close()
    again = _window(qtbot, tmp_path)
    assert again.charts.range_name == "24 h"


def test_without_accounts_the_header_invites_adding_one(qtbot, tmp_path: Path, memory_keyring,
                                                        monkeypatch) -> None:
    from desktop_app.ui.accounts.list_dialog import AccountsDialog
    from desktop_app.ui.context import load_context

    context = load_context(AppPaths.portable(tmp_path))  # nothing configured
    host = WorkerHost(service_factory=object)
    window = MainWindow(context, host, stress_fn,
                        qsettings=QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    # Not a green "No liquidation within ±50%", which reads as "all safe".
    window.on_update(make_update(()))
    assert window.header.empty.isVisible() and not window.header.first_liq.isVisible()
    opened: list[bool] = []
    monkeypatch.setattr(AccountsDialog, "exec", lambda self: opened.append(True) or 0)
    window.header.add_button.click()
    assert opened == [True]  # the button opens the account manager


def _recorded_journal_requests(monkeypatch) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """Journal sync requests, recorded instead of started (no thread, no network)."""
    from desktop_app.ui.journal.worker import JournalHost

    requests: list[tuple[object, ...]] = []

    def request(self, specs, days, *, sync=True):  # type: ignore[no-untyped-def]
        if getattr(self, "closed", False):
            return False
        requests.append((tuple(specs), days, sync))
        return True

    monkeypatch.setattr(JournalHost, "request", request)
    return requests


def test_quitting_with_the_history_tab_current_starts_no_journal_sync(qtbot, tmp_path: Path,
                                                                     monkeypatch) -> None:
    requests = _recorded_journal_requests(monkeypatch)
    window = _window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentWidget(window.charts)
    window.quit_app()
    # Taking the tabs apart must not show the Journal tab for the first time and sync on the way out.
    assert requests == []
    assert window.closer.closed


def test_a_shut_down_journal_starts_no_thread(qtbot) -> None:
    from desktop_app.ui.journal.worker import JournalHost

    host = JournalHost(None)
    assert host.shutdown() is True
    assert host.request((), 30) is False
    assert not host.qthread.isRunning()


def test_the_journal_syncs_the_workers_accounts_without_reading_the_keyring(qtbot, tmp_path: Path,
                                                                           monkeypatch) -> None:
    from desktop_app.bybit.environments import custom
    from desktop_app.domain.credentials import Credentials, KeyType, Secret
    from desktop_app.domain.snapshot import AccountSpec
    from desktop_app.ui.context import AppContext

    requests = _recorded_journal_requests(monkeypatch)
    specs = tuple(AccountSpec(f"acc-{n}", n, custom("http://127.0.0.1:9"),
                              Credentials("key", Secret("secret"), KeyType.HMAC)) for n in ("Main", "Hedge"))
    host = WorkerHost(specs, service_factory=object)
    window = MainWindow(demo_context(AppPaths.portable(tmp_path), specs), host, stress_fn,
                        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    keyring_reads: list[bool] = []
    monkeypatch.setattr(AppContext, "specs", lambda self: keyring_reads.append(True) or ((), ()))
    window.show()
    window.tabs.setCurrentWidget(window.journal)  # first opened: a sync
    window.journal.period_box.setCurrentIndex(0)  # another period: a sync
    window.journal.sync_button.click()
    assert [r[0] for r in requests] == [specs] * 3
    assert keyring_reads == []  # the accounts the worker runs, not a keyring read per sync
