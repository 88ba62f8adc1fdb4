"""The main window's layout kept between runs: geometry, dock state and the current tab (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget


def restore_layout(window: QMainWindow, tabs: QTabWidget, qsettings: QSettings) -> bool:
    """Apply the saved layout; True when a saved dock state was restored (docks need no first sizing)."""
    geometry = qsettings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = qsettings.value("window/state")
    restored = state is not None and bool(window.restoreState(state))
    tab = qsettings.value("window/tab")
    if tab is not None and str(tab).isdigit() and int(tab) < tabs.count():
        tabs.setCurrentIndex(int(tab))
    return restored


def save_layout(window: QMainWindow, tabs: QTabWidget, qsettings: QSettings) -> None:
    qsettings.setValue("window/geometry", window.saveGeometry())
    qsettings.setValue("window/state", window.saveState())
    qsettings.setValue("window/tab", tabs.currentIndex())
    qsettings.sync()
