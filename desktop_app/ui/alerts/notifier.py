"""Desktop notifications for alert events: batched, rate-limited, pausable.

The alert engine already de-duplicates and applies hysteresis; the notifier only decides *when* to
interrupt the trader. Events that deserve a notification (raised, escalated) are queued; a GUI
QTimer flushes the queue no sooner than `batch_delay_s` after the first queued event (so the events
of one report arrive together) and never sooner than `min_interval_s` after the previous
notification. A burst therefore becomes one summary: "3 alerts: Hedge: margin rate 82% (critical), …".

Pausing (the tray's "Pause alerts for 1 hour") drops notifications until the pause ends; the alert
log, the banner and the tray colour are fed separately and keep working. The clock is injectable so
the rate limit and the pause are tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app.alerts import AlertEvent, Severity
from desktop_app.alerts.text import severity_text
from desktop_app.i18n import tr

PAUSE_ONE_HOUR_S = 3600.0
_MAX_LINES = 5  # a notification balloon shows a few lines; the rest is in the alert log
_TRAY_ICONS = {
    Severity.INFO: QSystemTrayIcon.MessageIcon.Information,
    Severity.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Severity.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}


class NotificationSink(Protocol):
    """Where a notification goes: the tray balloon in the app, a recorder in tests."""

    def notify(self, title: str, message: str, severity: Severity) -> None: ...


class TraySink:
    """Shows notifications as the tray icon's balloon / OS notification."""

    def __init__(self, tray: QSystemTrayIcon, *, duration_ms: int = 10_000) -> None:
        self._tray = tray
        self._duration_ms = duration_ms

    def notify(self, title: str, message: str, severity: Severity) -> None:
        self._tray.showMessage(title, message, _TRAY_ICONS[severity], self._duration_ms)


def summarise(events: Iterable[AlertEvent]) -> tuple[str, str, Severity] | None:
    """Title, text and worst severity of one notification for `events` (worst first), or None
    when there is nothing to say. One event keeps its own message; several become a summary."""
    latest: dict[tuple[str, str], AlertEvent] = {}
    for event in events:
        latest[event.key] = event  # raised then escalated in one batch: only the newer state counts
    if not latest:
        return None
    ordered = sorted(latest.values(), key=lambda e: (-e.severity.rank, -e.time_s))
    severity = ordered[0].severity
    if len(ordered) == 1:
        title = tr("RiskDesk: {severity} alert").format(severity=severity_text(severity))
        return title, ordered[0].message, severity
    parts = [f"{e.message} ({severity_text(e.severity)})" for e in ordered[:_MAX_LINES]]
    hidden = len(ordered) - len(parts)
    text = tr("{n} alerts: {list}").format(n=len(ordered), list=", ".join(parts))
    if hidden:
        text += tr(", and {n} more").format(n=hidden)
    return tr("RiskDesk: {n} alerts").format(n=len(ordered)), text, severity


class Notifier(QObject):
    """Receives alert events on the GUI thread and sends at most one notification per interval."""

    sig_paused_changed = Signal(bool)  # True while notifications are paused
    sig_notified = Signal(str, str)  # title, text: what was sent (for a status line or the log)

    def __init__(self, sink: NotificationSink | None, *, min_interval_s: float = 5.0,
                 batch_delay_s: float = 0.5, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        """`sink` None: no tray, nothing is shown (events are still counted as handled).

        May raise: ValueError when an interval is negative.
        """
        super().__init__(parent)
        if min_interval_s < 0 or batch_delay_s < 0:
            raise ValueError("intervals must not be negative")
        self._sink = sink
        self._min_interval_s = min_interval_s
        self._batch_delay_s = batch_delay_s
        self._clock = clock
        self._pending: list[AlertEvent] = []
        self._last_sent_s: float | None = None
        self._paused_until_s: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        # Ends a pause on time even when no event arrives, so the tray menu's check mark clears.
        self._pause_timer = QTimer(self)
        self._pause_timer.setSingleShot(True)
        self._pause_timer.timeout.connect(self._on_pause_timer)

    def set_sink(self, sink: NotificationSink | None) -> None:
        """Swap the sink (a tray appeared or went away)."""
        self._sink = sink

    @property
    def pending(self) -> tuple[AlertEvent, ...]:
        return tuple(self._pending)

    # -- pause ---------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        if self._paused_until_s is not None and self._clock() >= self._paused_until_s:
            self._paused_until_s = None
            self.sig_paused_changed.emit(False)
        return self._paused_until_s is not None

    def paused_for_s(self) -> float:
        """Seconds of pause left; 0.0 when not paused."""
        return max(0.0, self._paused_until_s - self._clock()) if self.paused else 0.0  # type: ignore[operator]

    @Slot()
    def pause_one_hour(self) -> None:
        self.pause(PAUSE_ONE_HOUR_S)

    def pause(self, duration_s: float) -> None:
        """Drop notifications for `duration_s` seconds; what is queued now is dropped too."""
        self._paused_until_s = self._clock() + duration_s
        self._pending.clear()
        self._timer.stop()
        self._pause_timer.start(max(0, round(duration_s * 1000)))
        self.sig_paused_changed.emit(True)

    @Slot()
    def resume(self) -> None:
        self._pause_timer.stop()
        if self._paused_until_s is not None:
            self._paused_until_s = None
            self.sig_paused_changed.emit(False)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """For the tray's checkable action: True pauses for one hour, False resumes."""
        if paused:
            self.pause_one_hour()
        else:
            self.resume()

    @Slot()
    def _on_pause_timer(self) -> None:
        if self.paused:  # the injected clock says not yet (tests): look again in a second
            self._pause_timer.start(1000)

    # -- events --------------------------------------------------------------------------------

    @Slot(object)
    def on_event(self, event: AlertEvent) -> None:
        self.on_events((event,))

    @Slot(object)
    def on_events(self, events: Iterable[AlertEvent]) -> None:
        """Queue the events worth a notification (raised, escalated) and arm the flush timer."""
        if self.paused:
            return
        wanted = [e for e in events if e.kind.notify]
        if not wanted:
            return
        self._pending.extend(wanted)
        if not self._timer.isActive():
            self._arm(self._batch_delay_s)

    @Slot()
    def flush(self) -> bool:
        """Send the queued events as one notification if the rate limit allows, else re-arm the
        timer for when it will. Returns whether a notification was sent."""
        if not self._pending:
            return False
        if self.paused:
            self._pending.clear()
            return False
        now = self._clock()
        if self._last_sent_s is not None:
            wait_s = self._last_sent_s + self._min_interval_s - now
            if wait_s > 0:
                self._arm(wait_s)
                return False
        summary = summarise(self._pending)
        self._pending.clear()
        self._timer.stop()
        if summary is None:
            return False
        title, text, severity = summary
        self._last_sent_s = now
        if self._sink is not None:
            self._sink.notify(title, text, severity)
        self.sig_notified.emit(title, text)
        return True

    def _arm(self, delay_s: float) -> None:
        self._timer.start(max(0, round(delay_s * 1000)))
