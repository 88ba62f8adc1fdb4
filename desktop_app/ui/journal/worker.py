"""The journal's own thread: it opens the cache, builds the journal from it at once (offline), then
syncs with Bybit on an asyncio loop of its own and sends the result back as a `JournalView` (the
report with its total, daily PnL and curves already computed here). The GUI thread only sends
requests and receives immutable views and progress values on queued signals.

Requests are numbered: one that a newer request replaced before it started is skipped, so a burst of
period changes costs one sync. `cancel` (any thread) stops the sync in flight. Once the host is shut
down (the window is closing) it starts nothing again: no sync, and no thread left running at exit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.domain.snapshot import AccountSpec
from desktop_app.journal_sync import JournalReport, JournalService
from desktop_app.journal_sync.service import wall_ms
from desktop_app.storage.history_schema import HistoryError
from desktop_app.storage.journal_cache import JournalCache
from desktop_app.ui.journal.view import journal_view

log = logging.getLogger(__name__)
STOP_TIMEOUT_MS = 2000


class JournalWorker(QObject):
    sig_report = Signal(object)  # JournalView (from the cache first, then from the sync)
    sig_progress = Signal(object)  # SyncProgress
    sig_failed = Signal(str)  # the cache cannot be opened; a message for the user
    sig_busy = Signal(bool)

    def __init__(self, cache_path: Path | None, *, now_ms: Callable[[], int] = wall_ms) -> None:
        super().__init__()
        self._cache_path = cache_path
        self._now_ms = now_ms
        self._cache: JournalCache | None = None
        self._lock = threading.Lock()
        self._latest = 0
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[JournalReport] | None = None

    def note_request(self, request_id: int) -> None:
        """The GUI made request `request_id` (any thread): older ones still queued are skipped."""
        with self._lock:
            self._latest = max(self._latest, request_id)

    def cancel(self, *, stopping: bool = False) -> None:
        """Stop the sync in flight (any thread); with `stopping`, run no further request."""
        with self._lock:
            self._stopping = self._stopping or stopping
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)

    def _open(self) -> JournalCache:
        if self._cache is None:
            self._cache = JournalCache.in_memory() if self._cache_path is None \
                else JournalCache.open(self._cache_path)
        return self._cache

    @Slot(int, object, int, bool)
    def run(self, request_id: int, specs: Sequence[AccountSpec], days: int, sync: bool) -> None:
        with self._lock:
            if self._stopping or request_id < self._latest:
                return
        self.sig_busy.emit(True)
        try:
            service = JournalService(self._open(), now_ms=self._now_ms)
            self.sig_report.emit(journal_view(service.cached_report(specs, days)))
            if sync:
                report = self._sync(service, specs, days)
                if report is not None:
                    self.sig_report.emit(journal_view(report))
        except HistoryError as exc:
            self.sig_failed.emit(str(exc))
        except Exception as exc:  # a bug must not take the thread down; say so instead
            log.exception("journal sync failed")
            self.sig_failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.sig_busy.emit(False)

    def _sync(self, service: JournalService, specs: Sequence[AccountSpec], days: int) -> JournalReport | None:
        loop = asyncio.new_event_loop()

        async def go() -> JournalReport:
            try:
                return await service.sync(specs, days, on_progress=self.sig_progress.emit)
            finally:
                await service.aclose()

        task = loop.create_task(go())
        with self._lock:
            if self._stopping:
                task.cancel()
            self._loop, self._task = loop, task
        try:
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            return None
        finally:
            with self._lock:
                self._loop = self._task = None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def close(self) -> None:
        """Close the cache (call once the thread has ended)."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None


class JournalHost(QObject):
    """Owns the journal's QThread, started on the first request and never again after `shutdown`."""

    sig_request = Signal(int, object, int, bool)

    def __init__(self, cache_path: Path | None, *, now_ms: Callable[[], int] = wall_ms,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qthread = QThread(self)
        self.qthread.setObjectName("riskdesk-journal")
        self.worker = JournalWorker(cache_path, now_ms=now_ms)
        self.worker.moveToThread(self.qthread)
        self.sig_request.connect(self.worker.run)
        self._next_id = 0
        self.closed = False

    def request(self, specs: Sequence[AccountSpec], days: int, *, sync: bool = True) -> bool:
        """Build the journal (and sync it); False once shut down, when nothing is started."""
        if self.closed:
            return False
        if not self.qthread.isRunning():
            self.qthread.start()
        self._next_id += 1
        self.worker.note_request(self._next_id)
        self.sig_request.emit(self._next_id, tuple(specs), days, sync)
        return True

    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel the sync in flight, end the thread and close the cache. True when it ended in time."""
        self.closed = True
        self.worker.cancel(stopping=True)
        if not self.qthread.isRunning():
            self.worker.close()
            return True
        self.qthread.quit()
        finished = bool(self.qthread.wait(timeout_ms))
        if finished:
            self.worker.close()
        else:
            log.warning("the journal thread did not stop within %d ms", timeout_ms)
        return finished
