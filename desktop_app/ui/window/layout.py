"""The main window's layout: the key-figures bar across the top, the docks side by side or as tabs, the
first size, and what is kept between runs (geometry, dock state, the current tab, the History tab's
range; QSettings)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QToolBar, QVBoxLayout, QWidget

from desktop_app.ui.charts.history_view import RANGES_S, HistoryChartsWidget

# Below this width the Exposure and Stress docks share one column as tabs (a 1280- or 1366-px laptop);
# above it they are stacked, both in sight.
WIDE_LAYOUT_PX = 1600
HISTORY_RANGE_KEY = "history/range"  # the History tab's last chosen range, kept between runs


def default_size(available: QSize) -> QSize:
    """The first window size: most of the screen, never larger than it (a laptop's 1280 x 720)."""
    return QSize(min(1600, available.width()), min(1000, available.height()))


def top_bar(window: QMainWindow, title: str, widgets: Sequence[QWidget]) -> QToolBar:
    """`widgets` stacked in a fixed bar across the whole window, above the tables and the docks: the
    header never shares a narrow screen with the docks. The caller adds it to the window."""
    holder = QWidget(window)
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 2, 4, 2)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    bar = QToolBar(title, window)
    bar.setObjectName("keyFiguresBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setVisible(False)  # never hidden by mistake
    bar.addWidget(holder)
    return bar


def arrange_docks(window: QMainWindow, first: QDockWidget, second: QDockWidget, *, tabbed: bool) -> None:
    """Two docks as tabs of one (a laptop screen), or one above the other."""
    if tabbed:
        window.tabifyDockWidget(first, second)
        second.raise_()
    else:
        window.splitDockWidget(first, second, Qt.Orientation.Vertical)


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


def keep_history_range(charts: HistoryChartsWidget, qsettings: QSettings) -> None:
    """Open the History tab on the range chosen last time, and remember each new choice."""
    saved = str(qsettings.value(HISTORY_RANGE_KEY, ""))
    if saved in RANGES_S:
        charts.set_range(saved)
    charts.range_group.buttonClicked.connect(lambda _button: qsettings.setValue(HISTORY_RANGE_KEY,
                                                                                 charts.range_name))
