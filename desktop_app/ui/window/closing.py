"""Closing the main window: to the tray (monitoring goes on), or for good, taken apart in an order that
starts nothing and leaves no thread running.

Close-to-tray is decided here rather than by TrayController.hide_on_close's event filter: a Python
event filter can be called on a half-destroyed wrapper at interpreter exit. The window is reached
through `ClosingHost`, the narrow interface this needs, so this module never imports the window back.
"""

from __future__ import annotations

from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QSystemTrayIcon, QTabWidget, QWidget

from desktop_app.ui.alerts.tray import TrayController
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.journal.tab import JournalTab
from desktop_app.ui.window.alerts import WindowAlerts
from desktop_app.ui.window.layout import save_layout
from desktop_app.ui.worker.host import WorkerHost


class ClosingHost(Protocol):
    """What closing needs from the main window (`MainWindow` provides it)."""

    host: WorkerHost
    qsettings: QSettings
    tabs: QTabWidget
    charts: HistoryChartsWidget
    journal: JournalTab
    alerting: WindowAlerts
    tray: TrayController
    table_timer: QTimer

    def window(self) -> QWidget: ...
    def hide(self) -> None: ...


class WindowCloser(QObject):
    def __init__(self, window: ClosingHost) -> None:
        super().__init__(window.window())
        self.main = window
        self.quitting = False  # the next close really closes (Quit, the self-test, logging out)
        self.closed = False  # torn down: the window never shows its charts again
        self._told_about_tray = False

    def allow_close(self) -> None:
        self.quitting = True
        self.main.tray.allow_close()

    def on_close(self, event: QCloseEvent) -> bool:
        """Handle the window's close event; True when the window really closed (the app should quit)."""
        window = self.main
        if window.tray.available and not self.quitting:
            event.ignore()  # the tray can bring the window back: keep monitoring
            window.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                window.tray.tray.showMessage("RiskDesk", self.tr("RiskDesk keeps monitoring in the tray."),
                                             QSystemTrayIcon.MessageIcon.Information, 5000)
            return False
        event.accept()
        if self.closed:  # closed before (a test, or Quit after the self-test): already torn down
            return False
        self.closed = True
        self.tear_down()
        return True

    def tear_down(self) -> None:
        """Stop everything that runs, then delete what must go before the interpreter's exit.

        The journal goes first: taking the tabs apart makes another tab current, and a Journal tab
        shown for the first time would start a sync with Bybit (and its thread) on the way out.
        """
        window = self.main
        window.table_timer.stop()
        save_layout(window.window(), window.tabs, window.qsettings)  # type: ignore[arg-type]
        journal_stopped = window.journal.shutdown()
        window.host.shutdown()
        window.alerting.close()
        # pyqtgraph's scene must go before the interpreter tears down the Python wrappers of its
        # items, or the exit crashes. A journal thread still running (it did not stop in time) is left
        # to its widget: deleting a running QThread aborts the process.
        if journal_stopped:
            shiboken6.delete(window.journal)
        shiboken6.delete(window.charts)
