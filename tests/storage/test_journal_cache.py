"""The journal cache: exact amounts, idempotent windows, contiguous coverage, another key is never read
and is dropped before a sync with it, row identities to the nanosecond, and every SQLite failure a
HistoryError."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, Side
from desktop_app.storage.history_schema import HistoryError, migrate
from desktop_app.storage.journal_cache import FUNDING_STREAM, Coverage, JournalCache, closed_pnl_stream

D = Decimal
LINEAR = closed_pnl_stream(Category.LINEAR)


def row(closed_ms: int, pnl: str, order: str = "o") -> ClosedPnl:
    return ClosedPnl(Category.LINEAR, "BTCUSDT", f"{order}{closed_ms}", Side.SHORT, D("0.001"), D("65000.1"),
                     None, D(pnl), "Trade", closed_ms, closed_ms, "USDT")


def test_rows_come_back_exact_and_a_window_stored_twice_changes_nothing(tmp_path: Path) -> None:
    cache = JournalCache.open(tmp_path / "history.sqlite3")
    rows = [row(100, "-0.00000001"), row(200, "12345678.12345678")]
    cache.store_closed_pnl("acc", "src", Category.LINEAR, rows, 0, 999)
    cache.store_closed_pnl("acc", "src", Category.LINEAR, rows, 0, 999)
    assert cache.closed_pnl("acc", 0, 999) == tuple(rows)
    assert cache.closed_pnl("acc", 150, 999) == (rows[1],)
    assert cache.closed_pnl("other", 0, 999) == ()
    payment = FundingPayment("e1", None, "BTCPERP", "USDC", 500, D("-0.75"), None)
    cache.store_funding("acc", "src", [payment], 0, 999)
    assert cache.funding("acc", 0, 999) == (payment,)
    cache.close()
    reopened = JournalCache.open(tmp_path / "history.sqlite3")   # it survives a restart
    assert reopened.closed_pnl("acc", 0, 999) == tuple(rows)
    assert reopened.coverage("acc", FUNDING_STREAM, "src") == Coverage(0, 999)
    reopened.close()


def test_coverage_grows_by_adjacent_windows_only() -> None:
    cache = JournalCache.in_memory()
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [], 1000, 1999)
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [], 2000, 2999)   # next to it: joined
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [], 500, 999)     # before it: joined
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [], 2500, 3500)   # overlapping: joined
    assert cache.coverage("acc", LINEAR, "src") == Coverage(500, 3500)
    # A window with a gap before it: only that window is known complete now.
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [], 5000, 6000)
    assert cache.coverage("acc", LINEAR, "src") == Coverage(5000, 6000)
    assert cache.coverage("acc", FUNDING_STREAM, "src") is None


def test_another_source_is_not_read_and_is_dropped_only_on_request() -> None:
    cache = JournalCache.in_memory()
    cache.store_closed_pnl("acc", "key-1", Category.LINEAR, [row(100, "5")], 0, 999)
    cache.store_closed_pnl("keep", "key-9", Category.LINEAR, [row(100, "7")], 0, 999)
    assert cache.coverage("acc", LINEAR, "key-2") is None      # the account now reads with another key
    assert len(cache.closed_pnl("acc", 0, 999)) == 1           # ... and reading it deletes nothing
    assert cache.keep_only_source("acc", "key-1") is False     # the same key: nothing to drop
    assert cache.coverage("acc", LINEAR, "key-1") == Coverage(0, 999)
    assert cache.keep_only_source("acc", "key-2") is True      # a sync with the other key drops it
    assert cache.closed_pnl("acc", 0, 999) == () and cache.coverage("acc", LINEAR, "key-1") is None
    assert cache.coverage("keep", LINEAR, "key-9") == Coverage(0, 999)


def test_two_rows_of_one_order_within_a_millisecond_stay_two() -> None:
    # Bybit's docs show createdTime in nanoseconds: two closes of one order 0.4 µs apart are two rows.
    first = replace(row(100, "5", order="same"), order_id="same", created_ms=1_672_214_887_231,
                    created_time=1_672_214_887_231_423_699)
    second = replace(first, closed_pnl=D("-2"), created_time=1_672_214_887_231_424_100)
    cache = JournalCache.in_memory()
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [first, second], 0, 999)
    assert sorted(r.closed_pnl for r in cache.closed_pnl("acc", 0, 999)) == [D(-2), D(5)]
    assert {r.row_id for r in cache.closed_pnl("acc", 0, 999)} == {first.row_id, second.row_id}
    assert first.row_id.endswith(":1672214887231423699")


def test_a_row_stored_under_its_old_millisecond_id_is_replaced_not_doubled() -> None:
    # Earlier versions keyed the row by createdTime cut to ms; fetching its window again replaces it.
    raw = replace(row(100, "5"), created_ms=1_672_214_887_231, created_time=1_672_214_887_231_423_699)
    cache = JournalCache.in_memory()
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [replace(raw, created_time=None)], 0, 999)
    cache.store_closed_pnl("acc", "src", Category.LINEAR, [raw], 0, 999)
    assert cache.closed_pnl("acc", 0, 999) == (raw,)


def full_cache() -> tuple[JournalCache, sqlite3.Connection]:
    """A cache whose database cannot grow by a page (SQLite's "database or disk is full")."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    migrate(conn)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    return JournalCache(conn), conn


def test_every_database_failure_is_a_history_error() -> None:
    cache, conn = full_cache()
    many = [row(n, "1", order=f"o{n:0200}") for n in range(200)]
    with pytest.raises(HistoryError, match="Cannot write the journal cache: database or disk is full"):
        cache.store_closed_pnl("acc", "src", Category.LINEAR, many, 0, 999)
    assert cache.closed_pnl("acc", 0, 999) == () and cache.coverage("acc", LINEAR, "src") is None
    conn.execute("DROP TABLE journal_funding")       # a damaged file: reads fail too
    with pytest.raises(HistoryError, match="Cannot read the journal cache"):
        cache.funding("acc", 0, 999)
    cache.close()
    with pytest.raises(HistoryError, match="Cannot read the journal cache"):
        cache.marks("host", "BTCUSD", 0, 1)


def test_daily_marks_keep_their_final_flag() -> None:
    cache = JournalCache.in_memory()
    day = 86_400_000
    cache.store_marks("host", "BTCUSD", {0: (D("60000"), True), day: (D("61000.5"), False)})
    cache.store_marks("host", "BTCUSD", {day: (D("61500"), True)})              # the day ended
    assert cache.marks("host", "BTCUSD", 0, day) == {0: (D("60000"), True), day: (D("61500"), True)}
    assert cache.marks("other-host", "BTCUSD", 0, day) == {}
