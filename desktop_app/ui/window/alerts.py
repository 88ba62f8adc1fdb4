"""The main window's alerting: tray icon, desktop notifications, banner, alert log, history charts,
and the alert / Telegram settings the worker runs with (kept out of main_window.py so that stays small).

Alert updates always reach the banner, the log and the tray colour, whether the window is shown or
hidden to the tray; the notifier decides which become desktop notifications. The history database
is the worker's: it is read here (on a loader thread with a connection of its own, never on the GUI
thread) once it exists, so the reader never creates the writer's file. The window is reached through
`AlertsHost`, the narrow interface this needs, so this module never imports the window back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QStatusBar, QTabWidget, QWidget

from desktop_app.alerts import ActiveAlert, Severity
from desktop_app.domain.credentials import Secret
from desktop_app.storage.errors import SecretStoreError
from desktop_app.ui.alerts.banner import AlertBanner
from desktop_app.ui.alerts.log_view import AlertLogView
from desktop_app.ui.alerts.notifier import Notifier
from desktop_app.ui.alerts.telegram_page import make_telegram_settings
from desktop_app.ui.alerts.tray import TrayController
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.charts.loader import HistoryLoaderHost
from desktop_app.ui.context import AppContext
from desktop_app.ui.settings_dialog import stored_telegram_token
from desktop_app.ui.window.message_bar import MessageBar
from desktop_app.ui.worker.host import WorkerHost

HISTORY_RETRY_MS = 5000  # the worker creates the history database with its first write
ALERT_LOG_ROWS = 1000
# Reading the stored alert log is tried again this often before the failure is shown: right after an
# update the writer may still be migrating the database (seconds on months of history).
ALERT_LOG_TRIES = 12


class AlertsHost(Protocol):
    """What alerting needs from the main window (`MainWindow` provides it)."""

    context: AppContext
    host: WorkerHost
    messages: MessageBar
    alert_banner: AlertBanner
    alert_log: AlertLogView
    charts: HistoryChartsWidget
    tabs: QTabWidget
    status: QStatusBar

    @property
    def latest(self) -> Any: ...
    def window(self) -> QWidget: ...  # the window itself, the parent of the tray and the notifier
    def toggle_visible(self) -> None: ...
    def quit_app(self) -> None: ...


class WindowAlerts(QObject):
    def __init__(self, window: AlertsHost, *, tray_available: bool | None = None) -> None:
        """`tray_available` None asks the platform (tests pass it)."""
        super().__init__(window.window())
        self.window = window
        self.active: tuple[ActiveAlert, ...] = ()
        self.worst: Severity | None = None
        self.session_token: Secret | None = None  # demo mode's Telegram token (never stored)
        self.history_loader: HistoryLoaderHost | None = None
        self._alert_log_tries = 0
        self._closed = False

        self.tray = TrayController(window.window(), available=tray_available)
        self.notifier = Notifier(self.tray.sink(), parent=window.window())
        worker = window.host.worker
        self.tray.sig_show_hide.connect(window.toggle_visible)
        self.tray.sig_refresh_now.connect(worker.refresh_now)
        self.tray.sig_pause_alerts.connect(self.notifier.set_paused)
        self.notifier.sig_paused_changed.connect(self.tray.set_paused)
        self.tray.sig_quit.connect(window.quit_app)
        self.tray.show()
        if hasattr(worker, "sig_alerts"):
            worker.sig_alerts.connect(self.on_alerts)
        if hasattr(worker, "sig_telegram_result"):
            worker.sig_telegram_result.connect(self.on_telegram_result)

        self.history_timer = QTimer(self)  # retries opening the history until the worker created it
        self.history_timer.setInterval(HISTORY_RETRY_MS)
        self.history_timer.timeout.connect(self.open_history)
        QTimer.singleShot(0, self.open_history)  # after the window is up: reading takes a moment

    # --- alerts ------------------------------------------------------------------------------

    @Slot(object)
    def on_alerts(self, update: Any) -> None:
        """An `AlertUpdate`: transitions to the notifier and the log, the active list to the banner."""
        window = self.window
        events = tuple(update.events)
        self.active = tuple(update.active)
        self.worst = update.worst
        self.notifier.on_events(events)
        window.alert_log.on_events(events)
        window.alert_banner.set_active(self.active)
        count = len(self.active)
        title = self.tr("Alerts ({count})").format(count=count) if count else self.tr("Alerts")
        index = window.tabs.indexOf(window.alert_log)
        if window.tabs.tabText(index) != title:  # every update brings the list; the tab bar relays out
            window.tabs.setTabText(index, title)
        self.update_tray()

    def update_tray(self) -> None:
        """Warnings and critical alerts colour the tray first; then stale data; then info / all clear."""
        latest = self.window.latest
        stale = latest is not None and any(not a.ok for a in latest.snapshot.accounts)
        severity: Severity | str | None = self.worst
        if stale and (self.worst is None or self.worst is Severity.INFO):
            severity = "stale"
        self.tray.set_severity(severity, len(self.active))

    @Slot(object)
    def on_telegram_result(self, result: Any) -> None:
        """A failed alert message (a test is answered in the settings dialog as well)."""
        if not result.ok:
            text = self.tr("Telegram: {message}").format(message=result.message)
            self.window.status.showMessage(text, 15_000)

    # --- settings pushed to the worker -------------------------------------------------------

    def push_alert_config(self) -> None:
        worker = self.window.host.worker
        if hasattr(worker, "set_alert_config"):
            worker.set_alert_config(self.window.context.settings.alerts)

    def push_telegram(self) -> None:
        """Send the worker the saved Telegram settings (off without chat id or token)."""
        worker = self.window.host.worker
        if not hasattr(worker, "set_telegram"):
            return
        context = self.window.context
        chat_id = context.settings.telegram_chat_id
        token = None
        if chat_id:  # no keyring read (and no unlock prompt) while Telegram is not set up
            try:
                token = stored_telegram_token(context, self.session_token)
            except SecretStoreError as exc:
                self.window.messages.add_message(str(exc))
        worker.set_telegram(make_telegram_settings(token, chat_id))

    # --- history -----------------------------------------------------------------------------

    @Slot()
    def open_history(self) -> None:
        """Point the charts and the alert log at the worker's history database, once it exists.

        Both are read on the history loader's thread; the alert log once, now, the charts when
        the History tab is shown and then on its timer.
        """
        if self.history_loader is not None or self._closed:
            self.history_timer.stop()
            return
        window = self.window
        path = getattr(window.host, "history_path", None)
        if path is None:
            window.charts.status_label.setText(self.tr("History is not recorded in this session."))
            return
        if not Path(path).exists():
            self.history_timer.start()
            return
        self.history_timer.stop()
        loader = HistoryLoaderHost(Path(path), parent=self)
        self.history_loader = loader
        loader.sig_alert_log.connect(self._on_stored_alert_log)
        loader.sig_alert_log_failed.connect(self._on_alert_log_failed)
        self._alert_log_tries = 1
        loader.request_alert_log(ALERT_LOG_ROWS)
        window.charts.set_loader(loader)

    @Slot(str)
    def _on_alert_log_failed(self, message: str) -> None:
        if self._alert_log_tries >= ALERT_LOG_TRIES:
            self.window.messages.add_message(message)
            return
        self._alert_log_tries += 1
        QTimer.singleShot(HISTORY_RETRY_MS, self._retry_alert_log)

    @Slot()
    def _retry_alert_log(self) -> None:
        if self.history_loader is not None and not self._closed:
            self.history_loader.request_alert_log(ALERT_LOG_ROWS)

    @Slot(object)
    def _on_stored_alert_log(self, history: tuple[Any, ...]) -> None:
        """The stored log (newest first) under the live events that arrived before it was read."""
        log_view = self.window.alert_log
        newest_s = history[0].time_s if history else float("-inf")
        live = [e for e in log_view.events() if e.time_s > newest_s]
        log_view.set_events(history)
        log_view.on_events(reversed(live))

    def close(self) -> None:
        """The window really closes: hide the tray icon, stop reading the history."""
        self._closed = True
        self.history_timer.stop()
        self.tray.tray.hide()
        if self.history_loader is not None:
            self.history_loader.shutdown()
            self.history_loader = None
