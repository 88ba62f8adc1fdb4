"""Reading the history database for charts and the alert log, on a connection of its own.

WAL lets this connection read while the writer thread writes; each query sees the last committed
state. Series come back as two float64 numpy arrays (epoch seconds, values), oldest first, ready for
pyqtgraph's `setData`. Per-account series skip refreshes in which the account was stale (its
figures were not refreshed then), so a chart never shows old figures as new.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop_app.alerts.model import AlertEvent, EventKind, Severity
from desktop_app.storage.history_rollup import bucket_start_s
from desktop_app.storage.history_schema import HistoryError, open_history_reader

Series = tuple[np.ndarray, np.ndarray]
NO_END = float("inf")  # until_s default: no upper bound (SQLite compares REAL infinity)
_MEASURES = {"net": "net_usd", "long": "long_usd", "short": "short_usd", "gross": "long_usd + short_usd"}


@dataclass(frozen=True, slots=True)
class HistoryAccount:
    account_id: str
    name: str  # the name in the latest sample (accounts can be renamed)
    first_s: float
    last_s: float


def _account_sql(columns: str, condition: str = "") -> str:
    """Time and `columns` of one account's non-stale samples (parameters: account id, since, until).

    CROSS JOIN keeps SQLite's join order: the refreshes in the time range in time order (their
    index), then each one's sample by primary key. Left to itself, SQLite starts from the account's
    samples, reads all of them (a week of 5-second polls) and sorts: 80 ms for an hour.
    """
    return (f"SELECT r.time_s, {columns} FROM refresh r CROSS JOIN account_sample a"
            " ON a.refresh_id = r.id AND a.account_id = ?"
            f" WHERE r.time_s >= ? AND r.time_s <= ? AND a.stale = 0{condition} ORDER BY r.time_s")


class HistoryReader:
    """Chart queries, on a connection of its own; use it from one thread at a time (`interrupt`
    excepted, which is for another thread)."""

    def __init__(self, path: Path) -> None:
        """Opens the existing, current database (the writer creates and migrates it).

        May raise: HistoryError."""
        self._conn = open_history_reader(path)

    def close(self) -> None:
        self._conn.close()

    def interrupt(self) -> None:
        """Abort the query running now (it raises HistoryError). Unlike every other method, this one
        may be called from any thread: it is how a reader thread is stopped mid-read on quit."""
        self._conn.interrupt()

    def __enter__(self) -> HistoryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def latest_s(self) -> float | None:
        """The time of the newest refresh, None when there is none. May raise: HistoryError."""
        rows = self._fetch("SELECT MAX(time_s) FROM refresh", ())
        return None if rows[0][0] is None else float(rows[0][0])  # type: ignore[arg-type]

    def first_s(self) -> float | None:
        """The time of the oldest refresh, None when there is none. May raise: HistoryError."""
        rows = self._fetch("SELECT MIN(time_s) FROM refresh", ())
        return None if rows[0][0] is None else float(rows[0][0])  # type: ignore[arg-type]

    def rollup_series(self, kind: str, subject: str, width_s: int, since_s: float, until_s: float = NO_END,
                      ) -> tuple[np.ndarray, ...]:
        """(bucket start, min, max, last value, last sample time) of the `width_s` buckets of one series
        (history_rollup.py) that hold samples from `since_s` to `until_s`, oldest first.

        May raise: HistoryError.
        """
        start = bucket_start_s(since_s, width_s) if math.isfinite(since_s) else since_s
        rows = self._fetch(
            "SELECT bucket_s, min_value, max_value, last_value, last_s FROM history_rollup"
            " WHERE width_s = ? AND kind = ? AND subject = ? AND bucket_s >= ? AND bucket_s <= ?"
            " ORDER BY bucket_s", (width_s, kind, subject, start, until_s))
        if not rows:
            return tuple(np.empty(0, dtype=np.float64) for _ in range(5))
        table = np.array(rows, dtype=np.float64)
        return tuple(np.ascontiguousarray(table[:, k]) for k in range(5))

    def equity_series(self, account_id: str | None, since_s: float, until_s: float = NO_END) -> Series:
        """Equity in USD: of one account (by id), or of the whole portfolio when None. Every series
        method reads the refreshes with since_s <= time <= until_s.

        May raise: HistoryError.
        """
        return self._account_or_total("equity_usd", account_id, since_s, until_s)

    def upnl_series(self, account_id: str | None, since_s: float, until_s: float = NO_END) -> Series:
        """Unrealised PnL in USD, of one account or of the portfolio. May raise: HistoryError."""
        return self._account_or_total("upnl_usd", account_id, since_s, until_s)

    def mm_rate_series(self, account_id: str, since_s: float, until_s: float = NO_END) -> Series:
        """An account's maintenance-margin rate (fraction). May raise: HistoryError."""
        return self._account_or_total("mm_rate", account_id, since_s, until_s)

    def account_series(self, account_id: str, since_s: float, until_s: float = NO_END,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times, equity in USD, MM rate) of an account at every refresh in which it was not stale,
        NaN where a figure is missing: the two charted per-account series in one pass (a week of one
        account is 120,960 rows, and reading them costs the same for one column as for two).

        May raise: HistoryError.
        """
        rows = self._fetch(_account_sql("a.equity_usd, a.mm_rate"), (account_id, since_s, until_s))
        if not rows:
            return np.empty(0), np.empty(0), np.empty(0)
        table = np.array(rows, dtype=np.float64)  # None (NULL) becomes NaN
        return (np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]),
                np.ascontiguousarray(table[:, 2]))

    def exposure_series(self, coin: str, since_s: float, until_s: float = NO_END, *,
                        measure: str = "net") -> Series:
        """The portfolio's exposure to `coin` in USD at every refresh, summed over accounts;
        `measure` is "net" (long − short), "long", "short" or "gross". A refresh without the coin
        counts as 0, so a closed position shows as a fall to zero.

        May raise: HistoryError, ValueError (unknown measure).
        """
        if measure not in _MEASURES:
            raise ValueError(f"measure must be one of {', '.join(_MEASURES)}")
        sql = (f"SELECT r.time_s, COALESCE(SUM(e.{_MEASURES[measure]}), 0.0) FROM refresh r"
               " LEFT JOIN exposure_sample e ON e.refresh_id = r.id AND e.coin = ?"
               " WHERE r.time_s >= ? AND r.time_s <= ? GROUP BY r.time_s, r.id ORDER BY r.time_s")
        return self._series(sql, (coin, since_s, until_s))

    def accounts(self) -> tuple[HistoryAccount, ...]:
        """Every account with history, by name. May raise: HistoryError."""
        rows = self._fetch("SELECT account_id, account, first_s, last_s FROM account_seen", ())
        accounts = [HistoryAccount(str(account_id), str(name), float(first), float(last))  # type: ignore[arg-type]
                    for account_id, name, first, last in rows]
        return tuple(sorted(accounts, key=lambda a: (a.name.casefold(), a.account_id)))

    def coins(self, since_s: float = 0.0) -> tuple[str, ...]:
        """Coins with any exposure since `since_s`, sorted. May raise: HistoryError."""
        rows = self._fetch("SELECT coin FROM coin_seen WHERE last_s >= ? ORDER BY coin", (since_s,))
        return tuple(str(row[0]) for row in rows)

    def alert_log(self, limit: int = 200) -> tuple[AlertEvent, ...]:
        """The latest `limit` alert events, newest first. May raise: HistoryError."""
        rows = self._fetch("SELECT time_s, rule, subject, severity, kind, value, threshold, message"
                           " FROM alert_log ORDER BY time_s DESC, id DESC LIMIT ?", (max(0, limit),))
        events = []
        for time_s, rule, subject, severity, kind, value, threshold, message in rows:
            if severity not in Severity.__members__.values() or kind not in EventKind.__members__.values():
                continue  # written by a newer version with kinds this one does not know
            events.append(AlertEvent((rule, subject), Severity(severity), EventKind(kind), value, threshold,
                                     message, time_s))
        return tuple(events)

    def _account_or_total(self, column: str, account_id: str | None, since_s: float, until_s: float,
                          ) -> Series:
        if account_id is None:
            sql = (f"SELECT time_s, {column} FROM refresh WHERE time_s >= ? AND time_s <= ?"
                   f" AND {column} IS NOT NULL ORDER BY time_s")
            return self._series(sql, (since_s, until_s))
        sql = _account_sql(f"a.{column}", f" AND a.{column} IS NOT NULL")
        return self._series(sql, (account_id, since_s, until_s))

    def _series(self, sql: str, params: tuple[object, ...]) -> Series:
        rows = self._fetch(sql, params)
        if not rows:
            return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)
        table = np.asarray(rows, dtype=np.float64)
        return np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1])

    def _fetch(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot read the history database: {exc}") from None
