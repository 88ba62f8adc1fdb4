"""In-window banner with the worst active alert, in its severity colour, with a dismiss button.

It works with or without a system tray: where no tray exists (offscreen, some Linux desktops) it is
how the trader sees an alert. Feed it either the engine's transitions (`on_events`, it keeps its own
table of active alerts) or the engine's authoritative list (`set_active`). Dismissing hides the
banner until a different alert becomes the worst one, or the same one gets worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_app.alerts import ActiveAlert, AlertEvent, AlertKey, EventKind, Severity

SEVERITY_COLOURS = {
    Severity.INFO: "#3b82f6",
    Severity.WARNING: "#d98a00",
    Severity.CRITICAL: "#e0464b",
}
_MARKS = {Severity.INFO: "ℹ", Severity.WARNING: "⚠", Severity.CRITICAL: "✖"}


class AlertBanner(QFrame):
    """Hidden while nothing is active; otherwise one line with the worst alert."""

    sig_dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip(self.tr("Dismiss until a new alert"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss_button)
        # key -> (severity, message, raised-or-updated time)
        self._active: dict[AlertKey, tuple[Severity, str, float]] = {}
        self._dismissed: tuple[AlertKey, Severity] | None = None
        self.shown_key: AlertKey | None = None
        self.shown_severity: Severity | None = None
        self._styled: tuple[str, str] | None = None  # (text, colour) last applied
        self.setVisible(False)

    @Slot(object)
    def on_events(self, events: Iterable[AlertEvent]) -> None:
        """Apply the engine's transitions: raised/escalated/eased update an alert, cleared removes it."""
        for event in events:
            if event.kind is EventKind.CLEARED:
                self._active.pop(event.key, None)
            else:
                self._active[event.key] = (event.severity, event.message, event.time_s)
        self._render()

    @Slot(object)
    def on_event(self, event: AlertEvent) -> None:
        self.on_events((event,))

    @Slot(object)
    def set_active(self, alerts: Sequence[ActiveAlert]) -> None:
        """Replace the table with the engine's list of active alerts (`AlertEngine.active()`)."""
        self._active = {a.key: (a.severity, a.message, a.updated_at_s) for a in alerts}
        self._render()

    def active_count(self) -> int:
        return len(self._active)

    def worst(self) -> tuple[AlertKey, Severity, str] | None:
        """The alert shown: highest severity, then the most recent."""
        if not self._active:
            return None
        key, (severity, message, _) = max(self._active.items(), key=lambda kv: (kv[1][0].rank, kv[1][2]))
        return key, severity, message

    @Slot()
    def dismiss(self) -> None:
        if self.shown_key is not None and self.shown_severity is not None:
            self._dismissed = (self.shown_key, self.shown_severity)
        self.setVisible(False)
        self.sig_dismissed.emit()

    def _render(self) -> None:
        shown = self.worst()
        if shown is None:
            self.shown_key = self.shown_severity = None
            self._dismissed = None
            self.setVisible(False)
            return
        key, severity, message = shown
        self.shown_key, self.shown_severity = key, severity
        more = len(self._active) - 1
        text = f"{_MARKS[severity]}  {message}"
        if more:
            text += "  " + self.tr("(+{count} more in the alert log)").format(count=more)
        colour = SEVERITY_COLOURS[severity]
        # The engine's list arrives with every update (ten a second while marks stream): a style sheet
        # set again re-polishes the banner and lays out the window, so only a change is applied.
        if self._styled != (text, colour):
            self._styled = (text, colour)
            self.label.setText(text)
            # Text and border carry the colour; the background stays the palette's (light and dark themes).
            self.label.setStyleSheet(f"color: {colour}; font-weight: 600;")
            self.setStyleSheet(f"#AlertBanner {{ border: 1px solid {colour}; border-radius: 3px; }}")
        dismissed = self._dismissed is not None and self._dismissed[0] == key \
            and severity.rank <= self._dismissed[1].rank
        self.setVisible(not dismissed)
