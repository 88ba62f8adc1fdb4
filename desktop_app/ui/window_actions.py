"""The main window's menus and toolbar (kept out of main_window.py so that stays small)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from desktop_app import __version__

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def open_copytrade(parent: MainWindow) -> None:
    """Open the copy-trading calculator (a separate dialog module)."""
    try:
        from desktop_app.ui.copytrade_dialog import open_copytrade_dialog
    except ImportError as exc:
        log.warning("copy-trading dialog unavailable: %s", exc)
        QMessageBox.warning(parent, parent.tr("Copy-trading calculator"),
                            parent.tr("The copy-trading calculator is not available in this build."))
        return
    open_copytrade_dialog(parent)


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        tr = self.tr

        self.quit = QAction(tr("&Quit"), self)
        self.quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit.triggered.connect(window.close)

        self.manage_accounts = QAction(tr("&Manage accounts…"), self)
        self.manage_accounts.setShortcut(QKeySequence("Ctrl+M"))
        self.manage_accounts.triggered.connect(self._manage_accounts)
        if window.context.demo:
            self.manage_accounts.setEnabled(False)
            self.manage_accounts.setToolTip(
                tr("Demo mode uses the simulator's accounts; nothing can be saved."))

        self.refresh = QAction(tr("&Refresh now"), self)
        self.refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh.triggered.connect(window.host.worker.refresh_now)

        self.pause = QAction(tr("&Pause refreshing"), self)
        self.pause.setCheckable(True)
        self.pause.setShortcut(QKeySequence("Ctrl+P"))
        self.pause.toggled.connect(self._pause_toggled)

        self.copytrade = QAction(tr("&Copy-trading calculator…"), self)
        self.copytrade.triggered.connect(self._copytrade)

        self.about = QAction(tr("&About RiskDesk"), self)
        self.about.triggered.connect(self._about)

        bar = window.menuBar()
        file_menu = bar.addMenu(tr("&File"))
        file_menu.addAction(self.quit)
        accounts_menu = bar.addMenu(tr("&Accounts"))
        accounts_menu.addAction(self.manage_accounts)
        accounts_menu.addSeparator()
        accounts_menu.addAction(self.refresh)
        accounts_menu.addAction(self.pause)
        view_menu = bar.addMenu(tr("&View"))
        view_menu.addAction(window.exposure_dock.toggleViewAction())
        view_menu.addAction(window.stress_dock.toggleViewAction())
        tools_menu = bar.addMenu(tr("&Tools"))
        tools_menu.addAction(self.copytrade)
        help_menu = bar.addMenu(tr("&Help"))
        help_menu.addAction(self.about)

        toolbar = QToolBar(tr("Main toolbar"), window)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.refresh)
        toolbar.addAction(self.pause)
        toolbar.addSeparator()
        toolbar.addAction(self.manage_accounts)
        window.addToolBar(toolbar)
        self.toolbar = toolbar

    @Slot(bool)
    def _pause_toggled(self, paused: bool) -> None:
        self.window.set_paused(paused)

    @Slot()
    def _manage_accounts(self) -> None:
        from desktop_app.ui.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.window.context, self.window.host.worker, self.window)
        dialog.exec()
        if dialog.changed:
            self.window.reload_accounts()

    @Slot()
    def _copytrade(self) -> None:
        open_copytrade(self.window)

    @Slot()
    def _about(self) -> None:
        QMessageBox.about(self.window, self.tr("About RiskDesk"), self.tr(
            "RiskDesk {version}\n\nA read-only risk monitor for several Bybit accounts. It never places, "
            "amends or cancels an order; use read-only API keys.").format(version=__version__))
