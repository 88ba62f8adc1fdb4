"""The main window's menus and toolbar, CSV export and the settings dialog (kept out of
main_window.py so that stays small). The window is reached through `ActionsHost`, the narrow
interface these actions need, so this module never imports the window back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenuBar, QMessageBox, QStatusBar, QToolBar, QWidget

from desktop_app import __version__
from desktop_app.domain.credentials import Secret
from desktop_app.export_csv import positions_csv, report_csv
from desktop_app.i18n import tr
from desktop_app.storage.settings import Settings
from desktop_app.ui.context import AppContext
from desktop_app.ui.csv_file import save_csv
from desktop_app.ui.window.alerts import WindowAlerts
from desktop_app.ui.worker.host import WorkerHost

log = logging.getLogger(__name__)


class ActionsHost(Protocol):
    """What the menus need from the main window (`MainWindow` provides it)."""

    context: AppContext
    host: WorkerHost
    alerting: WindowAlerts
    exposure_dock: QDockWidget
    stress_dock: QDockWidget

    @property
    def latest(self) -> Any: ...
    def window(self) -> QWidget: ...  # the window itself, as the parent of dialogs
    def menuBar(self) -> QMenuBar: ...
    def addToolBar(self, toolbar: QToolBar) -> None: ...
    def statusBar(self) -> QStatusBar: ...
    def quit_app(self) -> None: ...
    def set_paused(self, paused: bool) -> None: ...
    def reload_accounts(self) -> None: ...
    def apply_settings(self, settings: Settings, session_token: Secret | None = None) -> None: ...


def open_copytrade(parent: QWidget) -> None:
    """Open the copy-trading calculator (a separate dialog module)."""
    try:
        from desktop_app.ui.copytrade.dialog import open_copytrade_dialog
    except ImportError as exc:
        log.warning("copy-trading dialog unavailable: %s", exc)
        QMessageBox.warning(parent, tr("Copy-trading calculator"),
                            tr("The copy-trading calculator is not available in this build."))
        return
    open_copytrade_dialog(parent)


class WindowActions(QObject):
    def __init__(self, window: ActionsHost) -> None:
        super().__init__(window.window())
        self.main = window

        self.quit = QAction(self.tr("&Quit"), self)
        self.quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit.triggered.connect(window.quit_app)

        self.export_positions = QAction(self.tr("Export &positions as CSV…"), self)
        self.export_positions.triggered.connect(self.export_positions_csv)
        self.export_report = QAction(self.tr("Export risk &report as CSV…"), self)
        self.export_report.triggered.connect(self.export_report_csv)
        self.set_data_available(False)

        self.settings = QAction(self.tr("&Settings…"), self)
        self.settings.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings.triggered.connect(self.open_settings)

        self.manage_accounts = QAction(self.tr("&Manage accounts…"), self)
        self.manage_accounts.setShortcut(QKeySequence("Ctrl+M"))
        self.manage_accounts.triggered.connect(self._manage_accounts)
        if window.context.demo:
            self.manage_accounts.setEnabled(False)
            self.manage_accounts.setToolTip(
                self.tr("Demo mode uses the simulator's accounts; nothing can be saved."))

        self.refresh = QAction(self.tr("&Refresh now"), self)
        self.refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh.triggered.connect(window.host.worker.refresh_now)

        self.pause = QAction(self.tr("&Pause refreshing"), self)
        self.pause.setCheckable(True)
        self.pause.setShortcut(QKeySequence("Ctrl+P"))
        self.pause.toggled.connect(self._pause_toggled)

        self.copytrade = QAction(self.tr("&Copy-trading calculator…"), self)
        self.copytrade.triggered.connect(self._copytrade)

        self.about = QAction(self.tr("&About RiskDesk"), self)
        self.about.triggered.connect(self._about)

        bar = window.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.export_positions)
        file_menu.addAction(self.export_report)
        file_menu.addSeparator()
        file_menu.addAction(self.settings)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        accounts_menu = bar.addMenu(self.tr("&Accounts"))
        accounts_menu.addAction(self.manage_accounts)
        accounts_menu.addSeparator()
        accounts_menu.addAction(self.refresh)
        accounts_menu.addAction(self.pause)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(window.exposure_dock.toggleViewAction())
        view_menu.addAction(window.stress_dock.toggleViewAction())
        tools_menu = bar.addMenu(self.tr("&Tools"))
        tools_menu.addAction(self.copytrade)  # Settings… lives in File only: one place for one command
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about)

        toolbar = QToolBar(self.tr("Main toolbar"), window.window())
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.refresh)
        toolbar.addAction(self.pause)
        toolbar.addSeparator()
        toolbar.addAction(self.manage_accounts)
        window.addToolBar(toolbar)
        self.toolbar = toolbar

    def set_data_available(self, available: bool) -> None:
        """Exports need a report: disabled until the first update arrives."""
        for action in (self.export_positions, self.export_report):
            if action.isEnabled() != available:
                action.setEnabled(available)

    # --- CSV export ------------------------------------------------------------------------

    @Slot()
    def export_positions_csv(self) -> Path | None:
        return self._export(self.tr("Export positions"), "positions", positions_csv)

    @Slot()
    def export_report_csv(self) -> Path | None:
        return self._export(self.tr("Export risk report"), "risk-report", report_csv)

    def _export(self, title: str, stem: str, render: Callable[[Any], str]) -> Path | None:
        """Ask where to save the latest report as CSV and write it; the path written, or None."""
        update = self.main.latest
        if update is None:
            return None
        report = update.report
        path = save_csv(self.main.window(), title, stem, report.taken_at, lambda: render(report))
        if path is not None:
            self.main.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 5000)
        return path

    # --- settings --------------------------------------------------------------------------

    @Slot()
    def open_settings(self) -> None:
        from desktop_app.ui.settings_dialog import SettingsDialog

        window = self.main
        dialog = SettingsDialog(window.context, window.host.worker,
                                session_token=window.alerting.session_token, parent=window.window())
        accepted = dialog.exec() == SettingsDialog.DialogCode.Accepted and dialog.settings is not None
        if accepted and dialog.settings is not None:
            window.apply_settings(dialog.settings, dialog.session_token)
        elif dialog.telegram_touched:
            window.alerting.push_telegram()  # back to the saved Telegram settings (a test sent unsaved ones)
        dialog.deleteLater()

    @Slot(bool)
    def _pause_toggled(self, paused: bool) -> None:
        self.main.set_paused(paused)

    @Slot()
    def _manage_accounts(self) -> None:
        from desktop_app.ui.accounts.list_dialog import AccountsDialog

        dialog = AccountsDialog(self.main.context, self.main.host.worker, self.main.window())
        dialog.exec()
        if dialog.changed:
            self.main.reload_accounts()

    @Slot()
    def _copytrade(self) -> None:
        open_copytrade(self.main.window())

    @Slot()
    def _about(self) -> None:
        QMessageBox.about(self.main.window(), self.tr("About RiskDesk"), self.tr(
            "RiskDesk {version}\n\nA read-only risk monitor for several Bybit accounts. It never places, "
            "amends or cancels an order; use read-only API keys.").format(version=__version__))
