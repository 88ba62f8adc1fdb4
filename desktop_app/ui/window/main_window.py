"""The main window: alert banner, header, tabs (portfolio tables, alerts, history, journal), stress
panel and status bar, fed by the worker's updates; tray icon and desktop notifications for alerts.

The header renders as updates arrive, the tables and stress panel on a 1 Hz timer, and nothing while
the window is hidden (Friture's pattern). Alerts always reach the banner, the log and the tray colour.
With a tray, closing hides the window and Quit ends the app; elsewhere closing quits. Menus live in
`actions.py`, alerting in `alerts.py`, closing in `closing.py`, the tables in `tables/portfolio.py`.
"""
from __future__ import annotations

import gc
import time
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from desktop_app.domain.credentials import Secret
from desktop_app.live.report_options import ReportOptions
from desktop_app.storage.settings import Settings
from desktop_app.ui.alerts.banner import AlertBanner
from desktop_app.ui.alerts.log_view import AlertLogView
from desktop_app.ui.charts.colours import ACCOUNT_COLOURS
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.context import AppContext
from desktop_app.ui.journal.tab import JournalTab
from desktop_app.ui.stress.panel import StressFn, StressPanel
from desktop_app.ui.tables.portfolio import PortfolioTables
from desktop_app.ui.window.actions import WindowActions
from desktop_app.ui.window.alerts import ALERT_LOG_ROWS, WindowAlerts
from desktop_app.ui.window.closing import WindowCloser
from desktop_app.ui.window.header import HeaderBar, clock_text, header_figures, is_repriced
from desktop_app.ui.window.layout import (
    WIDE_LAYOUT_PX,
    arrange_docks,
    default_size,
    keep_history_range,
    restore_layout,
    top_bar,
)
from desktop_app.ui.window.message_bar import MessageBar, watched_banner
from desktop_app.ui.window.status_bar import FreshnessStatusBar
from desktop_app.ui.window.takeover import WriterTakeover
from desktop_app.ui.worker.host import WorkerHost
from desktop_app.ui.worker.worker import WorkerError

TABLE_RENDER_MS = 1000


class MainWindow(QMainWindow):
    sig_update_rendered = Signal(object)  # the update the tables now show (self-test, screenshots)
    sig_closed = Signal()  # the window really closed (not hidden to the tray): the app should quit

    def __init__(self, context: AppContext, host: WorkerHost, stress_fn: StressFn, *,
                 qsettings: QSettings, tray_available: bool | None = None,
                 parent: QWidget | None = None) -> None:
        """`tray_available` None asks the platform (tests pass it)."""
        super().__init__(parent)
        self.context = context
        self.host = host
        self.qsettings = qsettings
        self._latest: Any = None
        self._tables_dirty = False
        self._frozen = False
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("RiskDesk — demo") if context.demo else self.tr("RiskDesk"))

        self.header = HeaderBar(self)
        self.messages = MessageBar(self)
        if context.demo:
            self.messages.add_banner(self.tr(
                "Demo mode: the accounts and prices come from the built-in simulator on this computer. "
                "Nothing is real and nothing is saved."))
        if context.watched_by is not None:
            self.messages.add_banner(*watched_banner(context.watched_by))
        self.takeover = WriterTakeover(context, host, self.messages, parent=self)
        for message in context.messages:
            self.messages.add_message(message)

        self.portfolio = PortfolioTables(self)
        self.stress_panel = StressPanel(stress_fn, self)
        self.alert_banner = AlertBanner(self)
        self.alert_log = AlertLogView(self, limit=ALERT_LOG_ROWS)
        self.charts = HistoryChartsWidget(self)
        # The accounts the worker runs: no keyring read on the GUI thread for a sync.
        self.journal = JournalTab(lambda: self.host.accounts, host.history_path, parent=self)
        ACCOUNT_COLOURS.set_order(spec.name for spec in host.accounts)  # a colour per account, every session

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.portfolio, self.tr("Portfolio"))
        self.tabs.addTab(self.alert_log, self.tr("Alerts"))
        self.tabs.addTab(self.charts, self.tr("History"))
        self.tabs.addTab(self.journal, self.tr("Journal"))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.exposure_dock = self._dock("exposureDock", self.tr("Exposure by coin"),
                                        self.portfolio.exposure_table,
                                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.stress_dock = self._dock("stressDock", self.tr("Stress test"), self.stress_panel,
                                      Qt.DockWidgetArea.RightDockWidgetArea)

        self.stress_dock.visibilityChanged.connect(self._on_stress_visibility)

        # Messages, alerts and the key figures span the whole width, above the tables and the docks: the
        # header never shares a narrow screen with the docks.
        self.top_bar = top_bar(self, self.tr("Key figures"), (self.messages, self.alert_banner, self.header))

        self.status = FreshnessStatusBar(self)
        self.setStatusBar(self.status)
        self.status.set_worker_state(busy=False, paused=False)
        self.closer = WindowCloser(self)
        self.actions_ = WindowActions(self)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.top_bar)
        self.header.sig_add_account.connect(self.actions_.manage_accounts.trigger)
        self.alerting = WindowAlerts(self, tray_available=tray_available)
        self.tray = self.alerting.tray
        self.notifier = self.alerting.notifier

        worker = host.worker
        worker.sig_snapshot.connect(self.on_update)
        worker.sig_error.connect(self.on_worker_error)
        worker.sig_busy.connect(self.on_busy)
        self.alerting.push_alert_config()
        self.alerting.push_telegram()

        self.table_timer = QTimer(self)
        self.table_timer.setInterval(TABLE_RENDER_MS)
        self.table_timer.timeout.connect(self.render_tables)
        self.table_timer.start()
        self.set_docks_tabbed(False)
        self.resize(default_size(self.screen().availableGeometry().size()))
        self._layout_restored = restore_layout(self, self.tabs, qsettings)
        keep_history_range(self.charts, qsettings)
        self._show_empty_state_if_no_accounts()

    def set_docks_tabbed(self, tabbed: bool) -> None:
        """Exposure and Stress as two tabs of one dock (a laptop screen) or one above the other."""
        arrange_docks(self, self.exposure_dock, self.stress_dock, tabbed=tabbed)

    def _show_empty_state_if_no_accounts(self) -> None:
        """No account configured: invite adding one, instead of figures that read as "all safe"."""
        self.header.set_empty(not self.context.demo and not self.host.accounts)

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() identifies docks by object name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # --- worker signals (queued from the worker thread) ---------------------------------------

    @Slot(object)
    def on_update(self, update: Any) -> None:
        self._latest = update
        self._tables_dirty = True
        self.status.set_error(None)
        self.actions_.set_data_available(True)
        self.status.set_price_source(repriced=is_repriced(update),
                                     rest_at_text=clock_text(getattr(update.snapshot, "taken_at", None)))
        self.alerting.update_tray()
        if self.rendering_allowed():
            self.header.render(header_figures(update))
            if self.portfolio.accounts_model.rowCount() == 0:
                self.render_tables()  # first data: do not make the user wait for the next tick

    @Slot(object)
    def on_worker_error(self, error: WorkerError) -> None:
        self.status.set_error(error.message)

    @Slot(bool)
    def on_busy(self, busy: bool) -> None:
        self.status.set_busy(busy)

    def set_paused(self, paused: bool) -> None:
        self.host.worker.set_paused(paused)
        self.status.set_paused(paused)

    # --- rendering (GUI timer) -------------------------------------------------------------

    def rendering_allowed(self) -> bool:
        return self.isVisible() and not self.isMinimized()

    @Slot()
    def render_tables(self) -> None:
        update = self._latest
        if update is None or not self.rendering_allowed():
            return
        now = time.time()
        # Ages move every second even without a new update, so these two always render.
        self.portfolio.render_accounts(update, now)
        self.status.render_accounts(update.snapshot.accounts, now)
        if not self._tables_dirty:
            return
        self._tables_dirty = False
        self.portfolio.render_update(update)
        if self.stress_dock.isVisible():
            self.stress_panel.set_update(update)
        if not self._frozen:
            # Everything alive after the first update (modules, widgets, caches) lives as long as
            # the app: moving it out of the collector's reach keeps full collections short, and a
            # collection holds the GIL, so a long one would stall this thread from the worker's.
            self._frozen = True
            gc.freeze()
        self.sig_update_rendered.emit(update)

    @Slot(bool)
    def _on_stress_visibility(self, visible: bool) -> None:
        if visible and self._latest is not None and self.rendering_allowed():
            self.stress_panel.set_update(self._latest)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._layout_restored and not event.spontaneous():
            # First show without a saved layout: the docks' tables (stress outcome, hedges) need
            # about 40% of the width, or their last columns scroll out of sight. Sized here, not in
            # the constructor, because the window's final size is only known once it is shown.
            self._layout_restored = True
            narrow = self.width() < WIDE_LAYOUT_PX
            self.set_docks_tabbed(narrow)
            share = 0.42 if narrow else 0.4
            self.resizeDocks([self.exposure_dock], [int(self.width() * share)], Qt.Orientation.Horizontal)
        self.tray.set_window_visible(True)
        if self._latest is not None:
            self._tables_dirty = True
            self.header.render(header_figures(self._latest))
            QTimer.singleShot(0, self.render_tables)

    @property
    def latest(self) -> Any:
        return self._latest

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.tray.set_window_visible(False)

    @Slot()
    def toggle_visible(self) -> None:
        """The tray's show/hide: hide only where the tray can bring the window back."""
        if self.isVisible() and not self.isMinimized() and self.tray.available:
            self.hide()
        else:
            self.bring_to_front()

    @Slot()
    def bring_to_front(self) -> None:
        """Another start of RiskDesk asked this instance to show itself."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # --- accounts --------------------------------------------------------------------------

    def reload_accounts(self) -> None:
        """Push the current account list to the worker (after the account editor changed it)."""
        specs, problems = self.context.specs()
        for problem in problems:
            self.messages.add_message(problem)
        self.host.set_accounts(specs)
        ACCOUNT_COLOURS.set_order(spec.name for spec in specs)
        self._show_empty_state_if_no_accounts()
        self.journal.accounts_changed()

    # --- settings ----------------------------------------------------------------------------

    def apply_settings(self, settings: Settings, session_token: Secret | None = None) -> None:
        """New settings from the settings dialog (already saved): push them to the worker."""
        self.context.settings = settings
        self.alerting.session_token = session_token
        self.host.worker.set_interval(settings.refresh_interval_s)
        self.host.worker.set_request_deadline(settings.request_deadline_s)
        self.host.worker.set_report_options(ReportOptions.from_settings(settings))
        self.alerting.push_alert_config()
        self.alerting.push_telegram()

    def allow_close(self) -> None:
        """Let the next close really close the window, tray or not (Quit, the self-test)."""
        self.closer.allow_close()

    @Slot()
    def quit_app(self) -> None:
        """File → Quit and the tray's Quit: really close (not to the tray), which quits the app."""
        self.allow_close()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closer.on_close(event):
            self.sig_closed.emit()
