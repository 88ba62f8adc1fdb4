"""The live session's way into the history database: opened off the event loop, nothing lost meanwhile.

Opening the history file migrates one written by an older release, which takes seconds on months of
history. The session does not wait for it: polling starts at once, and what arrives while the file
opens is kept (the newest `BACKLOG` writes) and written, in order, once it is open. Closing lets a
file still opening finish first (`wait_open`), so that backlog is not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any

from desktop_app.alerts.model import AlertEvent
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.risk.results import RiskReport
from desktop_app.storage.history import HistoryError, HistoryWriter

BACKLOG = 2_000  # writes kept while the file opens: a poll a second for half an hour

Write = Callable[[HistoryWriter], object]


class HistoryFeed:
    """Not thread-safe: the session's event loop only."""

    def __init__(self) -> None:
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
        return self._open(path, on_error, writer_factory or HistoryWriter, self._opened)

    async def _open(self, path: Path, on_error: Callable[[str], None],
                    factory: Callable[[Path], HistoryWriter], opened: asyncio.Event) -> None:
        try:
            writer = await asyncio.to_thread(factory, path)
        except (HistoryError, OSError, ValueError) as exc:
            self._backlog = None
            on_error(f"The history database could not be opened: {exc}")
            return
        finally:
            opened.set()
        self.writer = writer
        backlog, self._backlog = self._backlog or [], None
        for write in backlog:
            write(writer)

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
