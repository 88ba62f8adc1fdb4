"""The history writer: risk figures of every refresh and the alert log, written off the GUI thread.

`submit()` only puts the (immutable) report on a queue and never blocks; a writer thread drains the
queue and writes each batch in one transaction, so a kill at any moment leaves every earlier batch
committed and the file consistent (SQLite WAL). Reading is `HistoryReader` (history_query.py) on a
connection of its own.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop_app.alerts.model import AlertEvent
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.risk.results import RiskReport
from desktop_app.storage.history_query import HistoryReader
from desktop_app.storage.history_rollup import WIDTHS_S, add_samples
from desktop_app.storage.history_rows import RefreshRecord, alert_row, refresh_record
from desktop_app.storage.history_schema import SCHEMA_VERSION, HistoryError, open_history_db

__all__ = ["DEFAULT_RETENTION_DAYS", "SCHEMA_VERSION", "HistoryError", "HistoryReader", "HistoryWriter"]

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90
_SECONDS_PER_DAY = 86_400.0
_STOP = object()


class HistoryWriter:
    """Owns a thread and a connection that write the history database."""

    def __init__(self, path: Path, *, retention_days: int = DEFAULT_RETENTION_DAYS,
                 clock: Callable[[], float] = time.time, max_batch: int = 500, max_queue: int = 10_000,
                 prune_every_s: float = 3600.0) -> None:
        """Opens (and migrates) the database and prunes rows older than the retention at once.

        May raise: HistoryError, ValueError (retention_days < 1).
        """
        self._conn = open_history_db(path, check_same_thread=False)  # used by the writer thread only
        self.path = path
        self.retention_days = retention_days
        self._clock = clock
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._prune_every_s = prune_every_s
        self._queue: queue.Queue[object] = queue.Queue()
        self._lock = threading.Lock()
        self._dropped = 0
        self._last_error: str | None = None
        self._last_snapshot_s: float | None = None
        self._closed = False
        self._pruned_at = self._clock()
        try:
            self._prune(self._pruned_at)
        except sqlite3.Error as exc:
            self._conn.close()
            raise HistoryError(f"Cannot prune the history database {path}: {exc}") from None
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    @property
    def retention_days(self) -> int:
        return self._retention_days

    @retention_days.setter
    def retention_days(self, days: int) -> None:
        if days < 1:
            raise ValueError("retention_days must be at least 1")
        self._retention_days = int(days)

    @property
    def dropped(self) -> int:
        """Items refused because the queue was full or the writer closed (a stuck disk, not a bug)."""
        return self._dropped

    @property
    def last_error(self) -> str | None:
        """The latest write failure (that batch was lost; later batches are tried again)."""
        return self._last_error

    def submit(self, report: RiskReport, snapshot: PortfolioSnapshot | None = None) -> bool:
        """Queue the figures of one refresh; never blocks. Reports repriced from streamed marks
        between two polls are skipped: history keeps one row per account per refresh (a new
        `snapshot.taken_at`, or without a snapshot a report that is not repriced). Returns whether
        the report was queued."""
        if snapshot is not None:
            if snapshot.taken_at == self._last_snapshot_s:
                return False
            self._last_snapshot_s = snapshot.taken_at
        elif report.repriced:
            return False
        return self._put(report)

    def submit_alerts(self, events: Iterable[AlertEvent]) -> bool:
        """Queue alert events for the alert log; never blocks."""
        batch = tuple(events)
        return True if not batch else self._put(batch)

    def flush(self, timeout_s: float | None = None) -> bool:
        """Wait until everything submitted so far is committed; False on timeout or when closed."""
        if self._closed:
            return False
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued, then stop the thread and close the database. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout_s)

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _put(self, item: object) -> bool:
        with self._lock:
            if self._closed or self._queue.qsize() >= self._max_queue:
                self._dropped += 1
                return False
            self._queue.put(item)
        return True

    # --- writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = any(item is _STOP for item in batch)
            self._write([item for item in batch if isinstance(item, RiskReport | tuple)])
            now = self._clock()
            if now - self._pruned_at >= self._prune_every_s:
                self._pruned_at = now
                self._guarded(functools.partial(self._prune, now))
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def _write(self, items: list[object]) -> None:
        if not items:
            return

        def transaction() -> None:
            self._conn.execute("BEGIN")
            try:
                for item in items:
                    if isinstance(item, RiskReport):
                        self._insert_refresh(refresh_record(item))
                    else:
                        self._conn.executemany(
                            "INSERT INTO alert_log (time_s, rule, subject, severity, kind, value, threshold,"
                            " message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [alert_row(e) for e in item])
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise

        self._guarded(transaction)

    def _insert_refresh(self, record: RefreshRecord) -> None:
        r = record.refresh
        cursor = self._conn.execute(
            "INSERT INTO refresh (time_s, equity_usd, upnl_usd, gross_exposure_usd, net_exposure_usd,"
            " accounts_ok, accounts_stale, accounts_missing) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (r.time_s, r.equity_usd, r.upnl_usd, r.gross_exposure_usd, r.net_exposure_usd, r.accounts_ok,
             r.accounts_stale, r.accounts_missing))
        refresh_id = cursor.lastrowid
        self._conn.executemany(
            "INSERT INTO account_sample (refresh_id, account_id, account, stale, equity_usd, upnl_usd,"
            " im_rate, mm_rate, available_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(refresh_id, a.account_id, a.account, int(a.stale), a.equity_usd, a.upnl_usd, a.im_rate,
              a.mm_rate, a.available_usd) for a in record.accounts])
        self._conn.executemany(
            "INSERT INTO exposure_sample (refresh_id, account_id, coin, long_usd, short_usd, net_usd)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(refresh_id, e.account_id, e.coin, e.long_usd, e.short_usd, e.net_usd) for e in record.exposure])
        # The name of the newest sample wins (accounts can be renamed; samples may arrive out of order).
        self._conn.executemany(
            "INSERT INTO account_seen (account_id, account, first_s, last_s) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (account_id) DO UPDATE SET"
            " account = CASE WHEN excluded.last_s >= last_s THEN excluded.account ELSE account END,"
            " first_s = MIN(first_s, excluded.first_s), last_s = MAX(last_s, excluded.last_s)",
            [(a.account_id, a.account, r.time_s, r.time_s) for a in record.accounts])
        self._conn.executemany(
            "INSERT INTO coin_seen (coin, first_s, last_s) VALUES (?, ?, ?) ON CONFLICT (coin) DO UPDATE SET"
            " first_s = MIN(first_s, excluded.first_s), last_s = MAX(last_s, excluded.last_s)",
            [(coin, r.time_s, r.time_s) for coin in sorted({e.coin for e in record.exposure})])
        self._roll_up(record)

    def _roll_up(self, record: RefreshRecord) -> None:
        """The refresh's figures into the roll-ups, as the charts read them (history_rollup.py)."""
        net: dict[str, float] = {}
        for e in record.exposure:
            net[e.coin] = net.get(e.coin, 0.0) + e.net_usd
        figures: list[tuple[str, str, float | None]] = [("total", "", record.refresh.equity_usd)]
        for a in record.accounts:
            if not a.stale:
                figures += [("equity", a.account_id, a.equity_usd), ("mm", a.account_id, a.mm_rate)]
        # Every coin the history knows counts, at 0 when no account holds it now.
        figures += [("net", coin, net.get(coin, 0.0))
                    for (coin,) in self._conn.execute("SELECT coin FROM coin_seen")]
        add_samples(self._conn, record.refresh.time_s, figures)

    def _prune(self, now_s: float) -> None:
        cutoff_s = now_s - self._retention_days * _SECONDS_PER_DAY
        self._conn.execute("BEGIN")
        try:
            # Children go with their refresh through ON DELETE CASCADE.
            self._conn.execute("DELETE FROM refresh WHERE time_s < ?", (cutoff_s,))
            self._conn.execute("DELETE FROM alert_log WHERE time_s < ?", (cutoff_s,))
            # A bucket goes once all of it is past the cutoff.
            for width_s in WIDTHS_S:
                self._conn.execute("DELETE FROM history_rollup WHERE width_s = ? AND bucket_s + ? <= ?",
                                   (width_s, width_s, cutoff_s))
            # What was seen only before the cutoff is gone; what remains starts at its oldest sample
            # left (the refresh index finds it at once: refreshes are walked in time order).
            self._conn.execute("DELETE FROM account_seen WHERE last_s < ?", (cutoff_s,))
            self._conn.execute("DELETE FROM coin_seen WHERE last_s < ?", (cutoff_s,))
            self._conn.execute(
                "UPDATE account_seen SET first_s = (SELECT r.time_s FROM refresh r"
                " CROSS JOIN account_sample a"
                " ON a.refresh_id = r.id AND a.account_id = account_seen.account_id"
                " ORDER BY r.time_s LIMIT 1) WHERE first_s < ?", (cutoff_s,))
            self._conn.execute(
                "UPDATE coin_seen SET first_s = (SELECT r.time_s FROM refresh r CROSS JOIN exposure_sample e"
                " ON e.refresh_id = r.id AND e.coin = coin_seen.coin ORDER BY r.time_s LIMIT 1)"
                " WHERE first_s < ?", (cutoff_s,))
            self._conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise

    def _guarded(self, action: Callable[[], None]) -> None:
        # A failed write (disk full, a locked file) loses that batch but never the thread: the
        # next batch may succeed, and the GUI shows `last_error`.
        try:
            action()
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            self._last_error = f"{type(exc).__name__}: {exc}"
            log.warning("history write failed: %s", self._last_error)
