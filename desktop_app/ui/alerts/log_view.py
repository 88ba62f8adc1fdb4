"""The alert log: every alert transition, newest first, filterable, in severity colours.

Filled at start from the history database (`HistoryReader.alert_log()`, newest first) and then
live from the engine's events, so it works with and without a system tray.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from desktop_app.alerts import AlertEvent, EventKind, Severity
from desktop_app.alerts.rules import PORTFOLIO, side_text
from desktop_app.alerts.text import event_text, severity_text
from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.table_model import Column, RowTableModel
from desktop_app.ui.tables.table_view import FilterableTable

DEFAULT_LIMIT = 1000  # rows kept in the window; the database keeps the full log
_SEVERITY = {Severity.INFO: fmt.Severity.NONE, Severity.WARNING: fmt.Severity.WARN,
             Severity.CRITICAL: fmt.Severity.DANGER}


def _time_text(event: AlertEvent) -> str:
    return fmt.date_time(event.time_s)


def subject_text(event: AlertEvent) -> str:
    """What the alert is about, as the trader reads it: "Isolated ETHUSDT short" for a position (the
    engine's key is "Isolated/ETHUSDT/short"), "All accounts" for the portfolio; accounts and coins
    by their names."""
    if event.subject == PORTFOLIO:
        return tr("All accounts")
    if event.rule == "liq_distance":
        parts = event.subject.rsplit("/", 2)  # an account name may hold a "/" itself
        if len(parts) == 3:
            account, symbol, side = parts
            return f"{account} {symbol} {side_text(side)}"
    return event.subject


def _severity(event: AlertEvent) -> fmt.Severity:
    # Good news (cleared, eased) is not coloured as an alarm.
    if event.kind in (EventKind.CLEARED, EventKind.EASED):
        return fmt.Severity.OK
    return _SEVERITY[event.severity]


class AlertLogModel(RowTableModel[AlertEvent]):
    def __init__(self, parent: Any = None) -> None:
        columns: list[Column[AlertEvent]] = [
            Column(tr("Time"), _time_text, sort=lambda e: e.time_s, numeric=True),
            Column(tr("Severity"), lambda e: severity_text(e.severity), sort=lambda e: e.severity.rank,
                   severity=_severity),
            Column(tr("Event"), lambda e: event_text(e.kind), severity=_severity),
            Column(tr("Subject"), subject_text),
            Column(tr("Alert"), lambda e: e.message, tooltip=lambda e: e.message),
        ]
        super().__init__(columns, parent=parent)


class AlertLogView(FilterableTable):
    """The alert-log tab. `set_events` loads history; `on_events` adds live transitions on top."""

    def __init__(self, parent: QWidget | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        super().__init__(AlertLogModel(), placeholder=tr("Filter alerts…"), parent=parent)
        self.model.setParent(self)
        self._limit = limit
        self._rows: list[tuple[int, AlertEvent]] = []  # newest first, keyed by arrival number
        self._next_id = 0

    def set_events(self, events: Sequence[AlertEvent]) -> None:
        """Replace the log with `events`, newest first (as `HistoryReader.alert_log()` returns them)."""
        self._rows = []
        self._add(reversed(events))

    @Slot(object)
    def on_events(self, events: Iterable[AlertEvent]) -> None:
        """Add the engine's transitions (oldest first, as `AlertEngine.evaluate` returns them)."""
        self._add(events)

    def events(self) -> tuple[AlertEvent, ...]:
        return tuple(event for _, event in self._rows)

    def _add(self, events: Iterable[AlertEvent]) -> None:
        new = []
        for event in events:
            new.append((self._next_id, event))
            self._next_id += 1
        if not new:
            return
        self._rows = (new[::-1] + self._rows)[: self._limit]
        self.model.set_rows(self._rows)  # type: ignore[attr-defined]
        self.fit_columns_once()
