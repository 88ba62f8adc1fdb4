"""The trade journal's cache in the history database: closed PnL, funding settlements, which span of
each account's history is complete here, and daily mark closes.

Each window fetched from Bybit is stored together with the coverage it extends, in one transaction,
so an interrupted sync keeps every finished window and the coverage never claims a row it lacks.
Coverage is one contiguous span per account and stream; windows are added next to it (a sync walks
back from it, or forward from it to now). Rows are keyed by their Bybit identity, so fetching a
window again changes nothing. Amounts are exact decimal text. The connection is the caller's thread's.
Every SQLite failure (a full disk, a locked or damaged file) comes out as HistoryError, reads as well
as writes, so a caller has one error to catch.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, Side
from desktop_app.storage.history_schema import HistoryError, migrate, open_history_db

FUNDING_STREAM = "funding"


def closed_pnl_stream(category: Category) -> str:
    return f"closed_pnl:{category.value}"


@dataclass(frozen=True, slots=True)
class Coverage:
    from_ms: int
    to_ms: int


class JournalCache:
    """Use it from one thread at a time (the journal's sync thread, or the CLI)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    def open(cls, path: Path) -> JournalCache:
        """The history database at `path`, created and migrated if needed. May raise: HistoryError."""
        return cls(open_history_db(path, check_same_thread=False))

    @classmethod
    def in_memory(cls) -> JournalCache:
        """A cache that lives as long as the process (scripts given their own accounts file)."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        migrate(conn)
        return cls(conn)

    def close(self) -> None:
        self._conn.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """May raise: HistoryError (nothing of the transaction is kept)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot write the journal cache: {exc}") from None
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise HistoryError(f"Cannot write the journal cache: {exc}") from None
            raise

    def _rows(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        """May raise: HistoryError."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot read the journal cache: {exc}") from None

    # --- coverage -----------------------------------------------------------------------------

    def coverage(self, account_id: str, stream: str, source: str) -> Coverage | None:
        """The complete span of `stream` for `account_id` fetched with `source`, or None (nothing, or
        only another source's: the account now uses another key or host). Reads only.
        May raise: HistoryError."""
        rows = self._rows("SELECT source, from_ms, to_ms FROM journal_coverage WHERE account_id = ?"
                          " AND stream = ?", (account_id, stream))
        if not rows or rows[0][0] != source:
            return None
        return Coverage(int(rows[0][1]), int(rows[0][2]))

    def keep_only_source(self, account_id: str, source: str) -> bool:
        """Before syncing with `source`: drop what the account holds from another source (another
        Bybit account's history must never mix with this one's). True when something was dropped.
        May raise: HistoryError."""
        sources = {r[0] for r in self._rows("SELECT DISTINCT source FROM journal_coverage WHERE"
                                            " account_id = ?", (account_id,))}
        if not sources - {source}:
            return False
        self.forget(account_id)
        return True

    def forget(self, account_id: str) -> None:
        """Drop everything cached for an account."""
        with self._transaction():
            for table in ("journal_closed_pnl", "journal_funding", "journal_coverage"):
                self._conn.execute(f"DELETE FROM {table} WHERE account_id = ?", (account_id,))

    def _extend(self, account_id: str, stream: str, source: str, from_ms: int, to_ms: int) -> None:
        row = self._conn.execute("SELECT source, from_ms, to_ms FROM journal_coverage WHERE account_id = ?"
                                 " AND stream = ?", (account_id, stream)).fetchone()
        if row is not None and row[0] == source and from_ms <= int(row[2]) + 1 and to_ms >= int(row[1]) - 1:
            from_ms, to_ms = min(from_ms, int(row[1])), max(to_ms, int(row[2]))
        # Otherwise the window does not touch the old span: only the window is known complete now.
        self._conn.execute("INSERT OR REPLACE INTO journal_coverage (account_id, stream, source, from_ms,"
                           " to_ms) VALUES (?, ?, ?, ?, ?)", (account_id, stream, source, from_ms, to_ms))

    # --- rows -----------------------------------------------------------------------------------

    def store_closed_pnl(self, account_id: str, source: str, category: Category, rows: Iterable[ClosedPnl],
                         from_ms: int, to_ms: int) -> None:
        """Rows of one fetched window [from_ms, to_ms] and the coverage it completes.
        May raise: HistoryError."""
        rows = list(rows)
        with self._transaction():
            # Earlier versions keyed a row by its createdTime cut to ms: replace such a row, not add to it.
            self._conn.executemany(
                "DELETE FROM journal_closed_pnl WHERE account_id = ? AND row_id = ?",
                [(account_id, r.legacy_row_id) for r in rows if r.legacy_row_id != r.row_id])
            self._conn.executemany(
                "INSERT OR REPLACE INTO journal_closed_pnl (account_id, row_id, category, symbol, order_id,"
                " position_side, closed_size, avg_entry_price, avg_exit_price, closed_pnl, exec_type,"
                " created_ms, closed_ms, settle_coin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(account_id, r.row_id, r.category.value, r.symbol, r.order_id, r.position_side.value,
                  str(r.closed_size), _text(r.avg_entry_price), _text(r.avg_exit_price), str(r.closed_pnl),
                  r.exec_type, r.created_ms, r.closed_ms, r.settle_coin) for r in rows])
            self._extend(account_id, closed_pnl_stream(category), source, from_ms, to_ms)

    def store_funding(self, account_id: str, source: str, payments: Iterable[FundingPayment],
                      from_ms: int, to_ms: int) -> None:
        """May raise: HistoryError."""
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO journal_funding (account_id, entry_id, category, symbol, currency,"
                " time_ms, amount, rate) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(account_id, p.entry_id, p.category.value if p.category else None, p.symbol, p.currency,
                  p.time_ms, str(p.amount), _text(p.rate)) for p in payments])
            self._extend(account_id, FUNDING_STREAM, source, from_ms, to_ms)

    def closed_pnl(self, account_id: str, from_ms: int, to_ms: int) -> tuple[ClosedPnl, ...]:
        """Cached rows closed in [from_ms, to_ms]. May raise: HistoryError (unreadable rows)."""
        rows = self._rows(
            "SELECT category, symbol, order_id, position_side, closed_size, avg_entry_price, avg_exit_price,"
            " closed_pnl, exec_type, created_ms, closed_ms, settle_coin, row_id FROM journal_closed_pnl"
            " WHERE account_id = ? AND closed_ms >= ? AND closed_ms <= ? ORDER BY closed_ms, row_id",
            (account_id, from_ms, to_ms))
        try:
            return tuple(ClosedPnl(Category(r[0]), r[1], r[2], Side(r[3]), Decimal(r[4]), _decimal(r[5]),
                                   _decimal(r[6]), Decimal(r[7]), r[8], int(r[9]), int(r[10]), r[11],
                                   _created_time(r[12], int(r[9]))) for r in rows)
        except (ValueError, ArithmeticError) as exc:
            raise HistoryError(f"The journal cache holds an unreadable closed-PnL row: {exc}") from None

    def funding(self, account_id: str, from_ms: int, to_ms: int) -> tuple[FundingPayment, ...]:
        """May raise: HistoryError."""
        rows = self._rows(
            "SELECT entry_id, category, symbol, currency, time_ms, amount, rate FROM journal_funding"
            " WHERE account_id = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms, entry_id",
            (account_id, from_ms, to_ms))
        try:
            return tuple(FundingPayment(r[0], Category(r[1]) if r[1] else None, r[2], r[3], int(r[4]),
                                        Decimal(r[5]), _decimal(r[6])) for r in rows)
        except (ValueError, ArithmeticError) as exc:
            raise HistoryError(f"The journal cache holds an unreadable funding row: {exc}") from None

    # --- daily marks ----------------------------------------------------------------------------

    def marks(self, host: str, symbol: str, from_day_ms: int,
              to_day_ms: int) -> dict[int, tuple[Decimal, bool]]:
        """{day start ms: (close, final)} of the cached daily mark candles in the range.
        May raise: HistoryError."""
        rows = self._rows(
            "SELECT day_ms, close, final FROM journal_mark_day WHERE host = ? AND symbol = ? AND day_ms >= ?"
            " AND day_ms <= ?", (host, symbol, from_day_ms, to_day_ms))
        try:
            return {int(r[0]): (Decimal(r[1]), bool(r[2])) for r in rows}
        except (ValueError, ArithmeticError) as exc:
            raise HistoryError(f"The journal cache holds an unreadable mark price: {exc}") from None

    def store_marks(self, host: str, symbol: str, closes: Mapping[int, tuple[Decimal, bool]]) -> None:
        """May raise: HistoryError."""
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO journal_mark_day (host, symbol, day_ms, close, final)"
                " VALUES (?, ?, ?, ?, ?)",
                [(host, symbol, day, str(close), int(final)) for day, (close, final) in closes.items()])


def _created_time(row_id: str, created_ms: int) -> int | None:
    """The raw createdTime a row id ends with, when it is not the ms value itself."""
    raw = int(row_id.rpartition(":")[2])
    return None if raw == created_ms else raw


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
