"""Reading the history charts' series on a thread of their own, so the window never waits for SQLite.

A week of 20 accounts is 2.4 million samples: the first read of the 7-day range takes seconds, an
hour's tens of milliseconds, a reload of what is new about a millisecond. All of it runs on the
loader's QThread with its own database connection; the GUI thread only sends "read since T" and
receives an immutable `ChartData`.

The alert log is read there as well, once, when the window opens the database.

`HistoryLoaderHost` (GUI side) keeps at most one read in flight: a request made while one runs
replaces any request still waiting, so a burst of range changes costs one extra read, not a queue.
Quitting interrupts a read in progress (SQLite's interrupt) instead of waiting for it to finish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.storage.history_query import NO_END, HistoryReader, Series
from desktop_app.storage.history_schema import HistoryError
from desktop_app.ui.charts.data import DEFAULT_COLUMNS, ChartData, HistoryAccountLike, SeriesCache

log = logging.getLogger(__name__)

STOP_TIMEOUT_MS = 1000


class _Stopped(HistoryError):
    """The loader is stopping: the read in progress is abandoned."""


class _StoppableSource:
    """The reader, checked for a stop request before each query (a read is ~45 queries)."""

    def __init__(self, reader: HistoryReader, stopping: threading.Event) -> None:
        self._reader = reader
        self._stopping = stopping

    def _check(self) -> None:
        if self._stopping.is_set():
            raise _Stopped("stopped")

    def latest_s(self) -> float | None:
        self._check()
        return self._reader.latest_s()

    def first_s(self) -> float | None:
        self._check()
        return self._reader.first_s()

    def rollup_series(self, kind: str, subject: str, width_s: int, since_s: float, until_s: float = NO_END,
                      ) -> tuple[np.ndarray, ...]:
        self._check()
        return self._reader.rollup_series(kind, subject, width_s, since_s, until_s)

    def equity_series(self, account_id: str | None, since_s: float, until_s: float = NO_END) -> Series:
        self._check()
        return self._reader.equity_series(account_id, since_s, until_s)

    def account_series(self, account_id: str, since_s: float, until_s: float = NO_END,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check()
        return self._reader.account_series(account_id, since_s, until_s)

    def exposure_series(self, coin: str, since_s: float, until_s: float = NO_END, *,
                        measure: str = "net") -> Series:
        self._check()
        return self._reader.exposure_series(coin, since_s, until_s, measure=measure)

    def accounts(self) -> tuple[HistoryAccountLike, ...]:
        self._check()
        return self._reader.accounts()

    def coins(self, since_s: float = 0.0) -> tuple[str, ...]:
        self._check()
        return self._reader.coins(since_s)


class HistoryLoader(QObject):
    """Lives on the loader thread. Opens the database on its first read (so a file the writer has not
    created or migrated yet is retried on the next read) and keeps a `SeriesCache` across reads."""

    sig_loaded = Signal(float, object)  # since_s, ChartData
    sig_failed = Signal(float, str)  # since_s, a message for the user
    sig_alert_log = Signal(object)  # tuple[AlertEvent, ...], newest first
    sig_alert_log_failed = Signal(str)
    sig_window_loaded = Signal(float, float, object)  # start_s, end_s, ChartData of that window or None

    def __init__(self, path: Path, reader_factory: Callable[[Path], HistoryReader] = HistoryReader) -> None:
        super().__init__()
        self._path = path
        self._reader_factory = reader_factory
        self._reader: HistoryReader | None = None
        self._cache = SeriesCache()
        self.stopping = threading.Event()
        self._reader_lock = threading.Lock()  # `interrupt` (GUI thread) vs opening/closing (here)

    def _open(self) -> HistoryReader:
        """May raise: HistoryError (missing, not yet migrated by the writer, unreadable)."""
        if self._reader is None:
            reader = self._reader_factory(self._path)
            with self._reader_lock:
                self._reader = reader
        return self._reader

    @Slot(int)
    def load_alert_log(self, limit: int) -> None:
        try:
            events = self._open().alert_log(limit)
        except HistoryError as exc:
            if not self.stopping.is_set():
                self.sig_alert_log_failed.emit(str(exc))
            return
        self.sig_alert_log.emit(events)

    @Slot(float, int)
    def load(self, since_s: float, columns: int = DEFAULT_COLUMNS) -> None:
        try:
            data = self._cache.load(_StoppableSource(self._open(), self.stopping), since_s, columns)
        except HistoryError as exc:
            if not self.stopping.is_set():
                self._cache = SeriesCache()  # a failed read may have left part of a range behind
                self.sig_failed.emit(since_s, str(exc))
            return
        except Exception as exc:  # a bug must not leave the window waiting for this read forever
            log.exception("reading the history failed")
            self._cache = SeriesCache()
            self.sig_failed.emit(since_s, f"Reading the history failed ({type(exc).__name__}).")
            return
        self.sig_loaded.emit(since_s, data)

    @Slot(float, float, int)
    def load_window(self, start_s: float, end_s: float, columns: int) -> None:
        """Read `start_s`..`end_s` at the resolution that fits it (a window zoomed into), once."""
        try:
            data = SeriesCache().load(_StoppableSource(self._open(), self.stopping), start_s, columns, end_s)
        except HistoryError as exc:
            log.info("reading a zoomed window of the history failed: %s", exc)
            data = None  # the coarser curves stay; the next zoom asks again
        except Exception:
            log.exception("reading a zoomed window of the history failed")
            data = None
        self.sig_window_loaded.emit(start_s, end_s, data)

    def interrupt(self) -> None:
        """Any thread: abandon the read in progress."""
        self.stopping.set()
        with self._reader_lock:
            if self._reader is not None:
                self._reader.interrupt()

    def close(self) -> None:
        """Close the connection; only once the loader thread has ended (see HistoryLoaderHost.shutdown)."""
        with self._reader_lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()


class HistoryLoaderHost(QObject):
    """GUI side: `request(since_s)`, then `sig_data(ChartData)` or `sig_error(message)`."""

    sig_data = Signal(object)
    sig_error = Signal(str)
    _sig_load = Signal(float, int)
    _sig_load_alert_log = Signal(int)
    _sig_load_window = Signal(float, float, int)
    sig_window = Signal(float, float, object)  # start_s, end_s, ChartData of that window

    def __init__(self, path: Path, *, reader_factory: Callable[[Path], HistoryReader] = HistoryReader,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.qthread = QThread()
        self.qthread.setObjectName("riskdesk-history")
        self.loader = HistoryLoader(path, reader_factory)
        self.loader.moveToThread(self.qthread)
        self._sig_load.connect(self.loader.load)
        self._sig_load_alert_log.connect(self.loader.load_alert_log)
        # The alert log comes back through these two (connect to them before asking).
        self.sig_alert_log = self.loader.sig_alert_log
        self.sig_alert_log_failed = self.loader.sig_alert_log_failed
        self._sig_load_window.connect(self.loader.load_window)
        self.loader.sig_window_loaded.connect(self._on_window_loaded)
        self._window_in_flight = False
        self._window_waiting: tuple[float, float, int] | None = None
        self.loader.sig_loaded.connect(self._on_loaded)
        self.loader.sig_failed.connect(self._on_failed)
        self._in_flight = False
        self._waiting_since_s: float | None = None
        self._columns = DEFAULT_COLUMNS
        self.qthread.start()

    @property
    def busy(self) -> bool:
        """A read is in progress (or waiting for one)."""
        return self._in_flight

    def request(self, since_s: float, columns: int | None = None) -> None:
        """Read every series from `since_s` on (only what is new, when that range was read before), at
        the resolution that fits a chart `columns` pixels wide (the last width given, by default)."""
        if self.loader.stopping.is_set():
            return
        if columns is not None:
            self._columns = max(1, int(columns))
        if self._in_flight:
            self._waiting_since_s = since_s if self._waiting_since_s is None else min(self._waiting_since_s,
                                                                                      since_s)
            return
        self._in_flight = True
        self._sig_load.emit(since_s, self._columns)

    @Slot(float, object)
    def _on_loaded(self, _since_s: float, data: ChartData) -> None:
        self._next()
        self.sig_data.emit(data)

    @Slot(float, str)
    def _on_failed(self, _since_s: float, message: str) -> None:
        self._next()
        self.sig_error.emit(message)

    def _next(self) -> None:
        self._in_flight = False
        if self._waiting_since_s is not None:
            since_s, self._waiting_since_s = self._waiting_since_s, None
            self.request(since_s)

    def request_window(self, start_s: float, end_s: float, columns: int) -> None:
        """Read the window `start_s`..`end_s` finer than its range (answered by `sig_window`); while
        one is read, only the latest request waits."""
        if self.loader.stopping.is_set():
            return
        if self._window_in_flight:
            self._window_waiting = (start_s, end_s, columns)
            return
        self._window_in_flight = True
        self._sig_load_window.emit(start_s, end_s, max(1, int(columns)))

    @Slot(float, float, object)
    def _on_window_loaded(self, start_s: float, end_s: float, data: ChartData | None) -> None:
        self._window_in_flight = False
        waiting, self._window_waiting = self._window_waiting, None
        if waiting is not None:
            self.request_window(*waiting)  # a newer window was asked for: this one is already old
        elif data is not None:
            self.sig_window.emit(start_s, end_s, data)

    def request_alert_log(self, limit: int) -> None:
        """Read the latest `limit` alert events (answered by `sig_alert_log` or `sig_alert_log_failed`)."""
        if not self.loader.stopping.is_set():
            self._sig_load_alert_log.emit(limit)

    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Interrupt any read, join the thread, then close the connection. True when it ended in time.

        An interrupted query ends at once and a read checks for the stop between queries; what can
        outlast `timeout_ms` is SQLite waiting for a lock (at most its busy timeout). The thread is
        then waited for anyway: destroying a running QThread aborts the process.
        """
        self._in_flight, self._waiting_since_s = False, None  # an abandoned read never reports back
        if self.qthread.isRunning():
            self.loader.interrupt()
            self.qthread.quit()
            finished = bool(self.qthread.wait(timeout_ms))
            if not finished:
                log.warning("the history thread did not stop within %d ms; waiting for it", timeout_ms)
                self.qthread.wait()
        else:
            finished = True
        self.loader.close()
        return finished
