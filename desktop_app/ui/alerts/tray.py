"""The system-tray icon: its colour is the worst current alert, its menu drives the window.

Menu: show/hide the window, refresh now, pause alerts for 1 hour (checkable), quit. The icon and the
menu are kept as attributes: a QMenu without a Python owner is garbage-collected and the tray menu
silently disappears (Electrum keeps its menu alive for the same reason).

Tray icons come from `desktop_app/assets` (one PNG per size and state); when a file is missing the
icon is drawn with QPainter (a filled circle in the state's colour), so the tray never goes blank.
Where the platform has no tray (`isSystemTrayAvailable()` is false, e.g. offscreen) the controller
still works but is never shown; `available` tells the main window to keep alerts in the banner and
the log, and closing the window then quits instead of hiding.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from desktop_app import assets
from desktop_app.alerts import Severity
from desktop_app.alerts.text import severity_text
from desktop_app.ui.alerts.notifier import TraySink

# Tray states (names of the asset files): no alert, info, warning, critical, stale data / paused.
STATE_COLOURS = {
    "ok": "#2f9e5b",
    "info": "#3b82f6",
    "warning": "#d98a00",
    "critical": "#e0464b",
    "stale": "#8a8f98",
}


def tray_state(severity: Severity | str | None) -> str:
    """The tray state name of an alert severity (None: no active alert -> "ok").

    May raise: ValueError for an unknown state name.
    """
    if severity is None:
        return "ok"
    name = severity.value if isinstance(severity, Severity) else str(severity)
    if name not in STATE_COLOURS:
        raise ValueError(f"unknown tray state {name!r}")
    return name


def drawn_icon(colour: str, sizes_px: tuple[int, ...] = assets.TRAY_ICON_SIZES_PX) -> QIcon:
    """A filled circle in `colour` at every tray size: the fallback when no icon file is bundled."""
    icon = QIcon()
    for size in sizes_px:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)  # a small icon needs smooth edges
        painter.setBrush(QColor(colour))
        painter.setPen(QPen(QColor(colour).darker(140), max(1.0, size / 16)))
        inset = max(1, size // 10)
        painter.drawEllipse(inset, inset, size - 2 * inset, size - 2 * inset)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def state_icon(state: str) -> QIcon:
    """The bundled tray icon of `state`, or a drawn circle when the files are missing."""
    try:
        paths = assets.tray_icon_pngs(state)
    except (FileNotFoundError, ValueError):
        return drawn_icon(STATE_COLOURS[state])
    icon = QIcon()
    for path in paths:
        icon.addFile(str(path))
    return icon if not icon.isNull() else drawn_icon(STATE_COLOURS[state])


class TrayController(QObject):
    """Owns the QSystemTrayIcon and its menu; the main window connects to its signals."""

    sig_show_hide = Signal()
    sig_refresh_now = Signal()
    sig_pause_alerts = Signal(bool)  # True: pause notifications for 1 hour; False: resume
    sig_quit = Signal()

    def __init__(self, parent: QObject | None = None, *, available: bool | None = None) -> None:
        """`available` None asks the platform; tests pass it explicitly."""
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self._icons: dict[str, QIcon] = {}
        self._window: QWidget | None = None
        self._quitting = False
        self._told_about_tray = False
        self.state = "ok"
        self.tray = QSystemTrayIcon(self)
        # No parent widget: the tray menu must outlive any window. The attribute owns it (PySide
        # deletes a parentless QObject with its Python wrapper, i.e. with this controller).
        self.menu = QMenu()
        self.action_show_hide = QAction(self.tr("Show window"), self.menu)
        self.action_refresh = QAction(self.tr("Refresh now"), self.menu)
        self.action_pause = QAction(self.tr("Pause alerts for 1 hour"), self.menu)
        self.action_pause.setCheckable(True)
        self.action_quit = QAction(self.tr("Quit RiskDesk"), self.menu)
        self.menu.addAction(self.action_show_hide)
        self.menu.addAction(self.action_refresh)
        self.menu.addAction(self.action_pause)
        self.menu.addSeparator()
        self.menu.addAction(self.action_quit)
        self.action_show_hide.triggered.connect(self.sig_show_hide)
        self.action_refresh.triggered.connect(self.sig_refresh_now)
        self.action_pause.toggled.connect(self.sig_pause_alerts)
        self.action_quit.triggered.connect(self._on_quit)
        self.tray.setContextMenu(self.menu)
        self.tray.activated.connect(self._on_activated)
        self.set_severity(None)

    def sink(self) -> TraySink | None:
        """A notification sink on this tray, or None where no tray exists."""
        return TraySink(self.tray) if self.available else None

    def show(self) -> None:
        if self.available:
            self.tray.show()

    @Slot(object)
    def set_severity(self, severity: Severity | str | None, active_count: int = 0) -> None:
        """Show the worst current severity (None = all clear, "stale" = data too old)."""
        state = tray_state(severity)
        if state not in self._icons:
            self._icons[state] = state_icon(state)
        self.state = state
        self.tray.setIcon(self._icons[state])
        if state == "ok":
            tip = self.tr("RiskDesk — no active alerts")
        elif state == "stale":
            tip = self.tr("RiskDesk — data is stale")
        else:
            tip = self.tr("RiskDesk — {count} active alert(s), worst: {state}").format(
                count=active_count, state=severity_text(state))
        self.tray.setToolTip(tip)

    def icon(self) -> QIcon:
        return self._icons[self.state]

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Reflect the notifier's pause state in the menu without re-emitting sig_pause_alerts."""
        blocked = self.action_pause.blockSignals(True)
        self.action_pause.setChecked(paused)
        self.action_pause.blockSignals(blocked)

    @Slot(bool)
    def set_window_visible(self, visible: bool) -> None:
        self.action_show_hide.setText(self.tr("Hide window") if visible else self.tr("Show window"))

    # -- close to tray ---------------------------------------------------------------------------

    def hide_on_close(self, window: QWidget) -> None:
        """Closing `window` hides it to the tray (when a tray exists) instead of quitting."""
        self._window = window
        window.installEventFilter(self)

    def allow_close(self) -> None:
        """Let the next close really close the window (File > Quit, session end)."""
        self._quitting = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close and self.available \
                and not self._quitting:
            event.ignore()
            self._window.hide()
            self.set_window_visible(False)
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.showMessage("RiskDesk", self.tr("RiskDesk keeps monitoring in the tray."),
                                      QSystemTrayIcon.MessageIcon.Information, 5000)
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_quit(self) -> None:
        self._quitting = True
        self.sig_quit.emit()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.sig_show_hide.emit()
