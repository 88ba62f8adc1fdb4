"""The live session's way into the history database: opened off the event loop, nothing lost meanwhile.

Opening the history file migrates one written by an older release, which takes seconds on months of
history. The session does not wait for it: polling starts at once, and what arrives while the file
opens is kept (the newest `BACKLOG` writes) and written, in order, once it is open. Closing lets a
file still opening finish first (`wait_open`), so that backlog is not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from desktop_app.alerts.model import AlertEvent
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.risk.results import RiskReport
from desktop_app.storage.history import DEFAULT_RETENTION_DAYS, HistoryError, HistoryWriter

BACKLOG = 2_000  # writes kept while the file opens: a poll a second for half an hour

Write = Callable[[HistoryWriter], object]


class HistoryFeed:
    """Not thread-safe: the session's event loop only."""

    def __init__(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.retention_days = retention_days  # the writer prunes what is older as it opens, then hourly
        self.writer: HistoryWriter | None = None
        self._backlog: list[Write] | None = None  # None: not opening (open, failed, or never asked)
        self._opened: asyncio.Event | None = None  # set when the last opening ended

    def open(self, path: Path, on_error: Callable[[str], None],
             writer_factory: Callable[[Path], HistoryWriter] | None = None) -> Coroutine[Any, Any, None]:
        """Start keeping writes now, and return the coroutine that opens (and migrates) the file on a
        thread; `on_error` gets a message if it cannot be used. Keeping starts here, not when the
        coroutine first runs: an update may come before the task that runs it gets its turn."""
        self._backlog = []
        self._opened = asyncio.Event()
        factory = writer_factory or functools.partial(HistoryWriter, retention_days=self.retention_days)
        return self._open(path, on_error, factory, self._opened, self.retention_days)

    async def _open(self, path: Path, on_error: Callable[[str], None],
                    factory: Callable[[Path], HistoryWriter], opened: asyncio.Event,
                    retention_days: int) -> None:
        try:
            writer = await asyncio.to_thread(factory, path)
        except (HistoryError, OSError, ValueError) as exc:
            self._backlog = None
            on_error(f"The history database could not be opened: {exc}")
            return
        finally:
            opened.set()
        self.writer = writer
        if self.retention_days != retention_days:  # changed while the file opened
            writer.retention_days = self.retention_days
        backlog, self._backlog = self._backlog or [], None
        for write in backlog:
            write(writer)

    def set_retention(self, days: int) -> None:
        """Keep `days` of history from now on (from the writer's next prune; a file still opening is
        pruned with the days it opened with, then with these). May raise: ValueError (days < 1)."""
        if days < 1:
            raise ValueError("retention_days must be at least 1")
        self.retention_days = days
        if self.writer is not None:
            self.writer.retention_days = days

    async def wait_open(self, timeout_s: float) -> None:
        """Let a file still opening finish, up to `timeout_s` (call before cancelling the opening)."""
        if self._opened is not None and not self._opened.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._opened.wait(), timeout_s)

    def submit(self, report: RiskReport, snapshot: PortfolioSnapshot | None) -> None:
        self._write(lambda writer: writer.submit(report, snapshot))

    def submit_alerts(self, events: Iterable[AlertEvent]) -> None:
        events = tuple(events)
        self._write(lambda writer: writer.submit_alerts(events))

    def close(self, timeout_s: float) -> None:
        """Write what the writer's queue holds and close it (a file still opening is left to finish)."""
        self._backlog = None
        if self.writer is not None:
            self.writer.close(timeout_s=timeout_s)

    def _write(self, write: Write) -> None:
        if self.writer is not None:
            write(self.writer)
        elif self._backlog is not None:
            self._backlog.append(write)
            del self._backlog[:-BACKLOG]
