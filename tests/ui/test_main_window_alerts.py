"""The main window's issue-6 parts with a fake worker: alerts reach the banner, the log, the notifier
and the tray; streamed-price figures are marked until the next REST update; CSV export; close to tray;
the history database feeds the alert log; settings are pushed to the worker."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog

from desktop_app.alerts import ActiveAlert, AlertConfig, AlertEvent, AlertRule, EventKind, Severity
from desktop_app.export_csv import positions_csv
from desktop_app.live.alerts import AlertUpdate
from desktop_app.live.report_options import ReportOptions
from desktop_app.storage.history import HistoryWriter
from desktop_app.storage.history_schema import open_history_db
from desktop_app.storage.paths import AppPaths
from desktop_app.ui.context import demo_context
from desktop_app.ui.window import alerts as window_alerts
from desktop_app.ui.window.main_window import MainWindow
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update, stress_fn


class FakeWorker(QObject):
    """The RiskWorker's signals, and its commands recorded as (name, argument) pairs."""

    sig_snapshot = Signal(object)
    sig_error = Signal(object)
    sig_busy = Signal(bool)
    sig_alerts = Signal(object)
    sig_telegram_result = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []

    def refresh_now(self) -> None:
        self.calls.append(("refresh_now", None))

    def set_paused(self, paused: bool) -> None:
        self.calls.append(("set_paused", paused))

    def set_interval(self, seconds: float) -> None:
        self.calls.append(("set_interval", seconds))

    def set_request_deadline(self, seconds: float) -> None:
        self.calls.append(("set_request_deadline", seconds))

    def set_alert_config(self, config: AlertConfig) -> None:
        self.calls.append(("set_alert_config", config))

    def set_report_options(self, options: Any) -> None:
        self.calls.append(("set_report_options", options))

    def set_telegram(self, settings: Any) -> None:
        self.calls.append(("set_telegram", settings))

    def send_telegram_test(self) -> None:
        self.calls.append(("send_telegram_test", None))

    def called(self, name: str) -> list[Any]:
        return [arg for call, arg in self.calls if call == name]


class FakeHost:
    def __init__(self, history_path: Path | None = None) -> None:
        self.worker = FakeWorker()
        self.history_path = history_path
        self.accounts: tuple[object, ...] = ()
        self.shutdowns = 0

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        self.shutdowns += 1
        return True


@dataclass
class FakeSink:
    sent: list[tuple[str, str, Severity]] = field(default_factory=list)

    def notify(self, title: str, message: str, severity: Severity) -> None:
        self.sent.append((title, message, severity))


def make_window(qtbot, tmp_path: Path, *, tray: bool = False, history_path: Path | None = None,
                ) -> tuple[MainWindow, FakeHost]:
    context = demo_context(AppPaths.portable(tmp_path), ())
    host = FakeHost(history_path)
    qsettings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(context, host, stress_fn, qsettings=qsettings, tray_available=tray)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    return window, host


def alert(subject: str, severity: Severity, kind: EventKind = EventKind.RAISED, *, rule: str = "mm_rate",
          message: str | None = None, time_s: float = NOW) -> AlertEvent:
    return AlertEvent((rule, subject), severity, kind, 0.9, 0.8, message or f"{subject}: {severity.value}",
                      time_s)


def active(event: AlertEvent) -> ActiveAlert:
    return ActiveAlert(event.key, event.severity, event.value, event.threshold, event.message,  # type: ignore[call-arg]
                       event.time_s, event.time_s)


def test_alert_update_reaches_banner_log_notifier_and_tray(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path)
    sink = FakeSink()
    window.notifier.set_sink(sink)
    critical = alert("Hedge", Severity.CRITICAL, message="Hedge: margin rate 82% — liquidation at 100%")
    warning = alert("Main", Severity.WARNING, rule="drawdown", message="Total equity down 6%")
    host.worker.sig_alerts.emit(AlertUpdate((critical, warning), (active(critical), active(warning)),
                                            Severity.CRITICAL))
    assert window.alert_log.events() == (warning, critical)  # newest (last of the batch) first
    assert not window.alert_banner.isHidden()
    assert "Hedge: margin rate 82%" in window.alert_banner.label.text()
    assert window.tray.state == "critical"
    assert window.tabs.tabText(window.tabs.indexOf(window.alert_log)) == "Alerts (2)"
    assert window.notifier.flush()
    assert len(sink.sent) == 1 and sink.sent[0][2] is Severity.CRITICAL
    assert "Hedge: margin rate 82%" in sink.sent[0][1] and "Total equity down 6%" in sink.sent[0][1]

    cleared = alert("Hedge", Severity.CRITICAL, EventKind.CLEARED, message="Hedge: margin rate 40%")
    host.worker.sig_alerts.emit(AlertUpdate((cleared,), (active(warning),), Severity.WARNING))
    assert window.tray.state == "warning"
    assert window.alert_banner.worst()[1] is Severity.WARNING  # type: ignore[index]
    assert len(window.alert_log.events()) == 3
    host.worker.sig_alerts.emit(AlertUpdate((), (), None))
    assert window.tray.state == "ok"
    assert window.alert_banner.isHidden()
    assert window.tabs.tabText(window.tabs.indexOf(window.alert_log)) == "Alerts"


def test_tray_shows_stale_data_below_warnings(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path)
    window.on_update(make_update((main_state(), failed(hedge_state()))))
    assert window.tray.state == "stale"
    warning = alert("Main", Severity.WARNING)
    host.worker.sig_alerts.emit(AlertUpdate((warning,), (active(warning),), Severity.WARNING))
    assert window.tray.state == "warning"  # an alert outranks stale data
    host.worker.sig_alerts.emit(AlertUpdate((), (), None))
    window.on_update(make_update())  # every account fresh again
    assert window.tray.state == "ok"


def test_streamed_prices_are_marked_until_the_next_rest_update(qtbot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    rest = make_update()
    window.on_update(rest)
    assert window.header.stream_badge.isHidden()
    assert window.status.price_label.isHidden()
    repriced = dataclasses.replace(rest.report, repriced=True, source="stream")
    streamed = dataclasses.replace(rest, report=repriced)
    window.on_update(streamed)
    assert not window.header.stream_badge.isHidden()
    assert "streamed" in window.header.stream_badge.text()
    assert "awaiting REST confirmation" in window.header.stream_badge.toolTip()
    assert not window.status.price_label.isHidden()
    assert "awaiting REST confirmation" in window.status.price_label.text()
    window.on_update(make_update(taken_at=NOW + 5))
    assert window.header.stream_badge.isHidden()
    assert window.status.price_label.isHidden()


def test_export_positions_csv_writes_the_file(qtbot, tmp_path: Path, monkeypatch) -> None:
    window, _ = make_window(qtbot, tmp_path)
    assert not window.actions_.export_positions.isEnabled()  # nothing to export yet
    target = tmp_path / "out" / "positions.csv"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV files (*.csv)"))
    update = make_update()
    window.on_update(update)
    assert window.actions_.export_positions.isEnabled()
    window.actions_.export_positions.trigger()
    data = target.read_bytes()
    assert data == positions_csv(update.report).encode("utf-8")
    lines = data.split(b"\r\n")
    # The factories hold three positions (Main BTC long; Hedge BTC short and ETH long): a header
    # row, three rows and the empty string after the last line end.
    assert len(lines) == 5 and lines[-1] == b""
    assert b"BTCUSDT" in lines[1] + lines[2] + lines[3]


def test_export_report_csv_and_a_cancelled_dialog(qtbot, tmp_path: Path, monkeypatch) -> None:
    window, _ = make_window(qtbot, tmp_path)
    window.on_update(make_update())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert window.actions_.export_report_csv() is None  # cancelled: nothing written
    target = tmp_path / "report.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.actions_.export_report_csv() == target
    assert target.read_bytes().startswith(b"section,subject,field,value\r\nreport,,taken_at,")


def test_close_hides_to_the_tray_and_quit_really_closes(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path, tray=True)
    closed: list[bool] = []
    window.sig_closed.connect(lambda: closed.append(True))
    window.show()
    qtbot.waitExposed(window)
    window.close()
    assert not window.isVisible() and host.shutdowns == 0 and closed == []
    assert window.tray.action_show_hide.text() == "Show window"
    window.tray.sig_show_hide.emit()
    assert window.isVisible()
    assert window.tray.action_show_hide.text() == "Hide window"
    window.tray.action_quit.trigger()
    assert closed == [True] and host.shutdowns == 1


def test_without_a_tray_closing_quits(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path, tray=False)
    closed: list[bool] = []
    window.sig_closed.connect(lambda: closed.append(True))
    window.show()
    window.close()
    assert closed == [True] and host.shutdowns == 1


def test_tray_refresh_and_pause_reach_worker_and_notifier(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path)
    window.tray.action_refresh.trigger()
    assert host.worker.called("refresh_now") == [None]
    window.tray.action_pause.setChecked(True)
    assert window.notifier.paused
    window.notifier.resume()
    assert not window.tray.action_pause.isChecked()  # the notifier's state flows back to the menu


def test_history_database_fills_the_alert_log(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    stored = alert("Hedge", Severity.WARNING, message="stored alert", time_s=NOW - 60)
    with HistoryWriter(db) as writer:
        writer.submit_alerts([stored])
        assert writer.flush(5.0)
    window, _ = make_window(qtbot, tmp_path, history_path=db)
    live = alert("Main", Severity.CRITICAL, message="live alert", time_s=NOW)
    # An alert arrives before the database is opened.
    window.alerting.on_alerts(AlertUpdate((live,), (active(live),), Severity.CRITICAL))
    window.alerting.open_history()
    assert window.alerting.history_loader is not None
    # Read on the loader thread: the stored log arrives a moment later, under the live event.
    qtbot.waitUntil(lambda: len(window.alert_log.events()) == 2)
    assert [e.message for e in window.alert_log.events()] == ["live alert", "stored alert"]
    window.close()
    assert window.alerting.history_loader is None


def test_the_stored_alert_log_waits_for_the_writer_to_upgrade_the_file(qtbot, tmp_path: Path,
                                                                        monkeypatch) -> None:
    monkeypatch.setattr(window_alerts, "HISTORY_RETRY_MS", 20)
    db = tmp_path / "history.sqlite3"
    older = open_history_db(db, target_version=2)  # a file from the previous release, not yet migrated
    older.execute("INSERT INTO alert_log VALUES (1, ?, 'mm_rate', 'Hedge', 'warning', 'raised', 0.6, 0.5,"
                  " 'stored alert')", (NOW - 60,))
    older.close()
    window, _ = make_window(qtbot, tmp_path, history_path=db)
    window.alerting.open_history()
    qtbot.waitUntil(lambda: window.alerting._alert_log_tries >= 2)  # "being upgraded": tried again
    open_history_db(db).close()  # the writer migrates
    qtbot.waitUntil(lambda: [e.message for e in window.alert_log.events()] == ["stored alert"])
    # A passing upgrade is not reported as a problem (only the demo banner is there).
    assert [t for t in window.messages._texts if not t.startswith("Demo mode")] == []
    window.close()


def test_missing_history_is_retried_and_none_is_explained(qtbot, tmp_path: Path) -> None:
    window, _ = make_window(qtbot, tmp_path, history_path=tmp_path / "not-yet.sqlite3")
    window.alerting.open_history()
    assert window.alerting.history_loader is None and window.alerting.history_timer.isActive()
    assert not (tmp_path / "not-yet.sqlite3").exists()  # the reader never creates the writer's file
    other, _ = make_window(qtbot, tmp_path / "b", history_path=None)
    other.alerting.open_history()
    assert other.charts.status_label.text() == "History is not recorded in this session."


def test_settings_reach_the_worker_at_start_and_on_apply(qtbot, tmp_path: Path) -> None:
    window, host = make_window(qtbot, tmp_path)
    assert host.worker.called("set_alert_config") == [AlertConfig()]
    assert host.worker.called("set_telegram") == [None]  # no chat id: Telegram off
    config = AlertConfig().with_rule("mm_rate", AlertRule(True, 0.4, 0.7, 0.05))
    settings = dataclasses.replace(window.context.settings, refresh_interval_s=12.0, alerts=config,
                                   telegram_chat_id="-100123", request_deadline_s=7.0,
                                   var_confidence_levels=(0.975,), var_horizon_days=10,
                                   history_retention_days=30)
    from desktop_app.domain.credentials import Secret

    window.apply_settings(settings, Secret("123:token"))  # demo mode: the token is the session's
    assert host.worker.called("set_interval") == [12.0]
    assert host.worker.called("set_request_deadline") == [7.0]
    assert host.worker.called("set_report_options") == [ReportOptions((0.975,), 10, 30)]
    assert host.worker.called("set_alert_config")[-1] == config
    sent = host.worker.called("set_telegram")[-1]
    assert sent.chat_id == "-100123" and sent.token == Secret("123:token")
