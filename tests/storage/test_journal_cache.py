"""The journal cache: exact amounts, idempotent windows, contiguous coverage, another key drops it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, Side
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


def test_another_source_drops_the_accounts_cache() -> None:
    cache = JournalCache.in_memory()
    cache.store_closed_pnl("acc", "key-1", Category.LINEAR, [row(100, "5")], 0, 999)
    cache.store_closed_pnl("keep", "key-9", Category.LINEAR, [row(100, "7")], 0, 999)
    assert cache.coverage("acc", LINEAR, "key-2") is None      # the account now reads with another key
    assert cache.closed_pnl("acc", 0, 999) == ()
    assert cache.coverage("keep", LINEAR, "key-9") == Coverage(0, 999)


def test_daily_marks_keep_their_final_flag() -> None:
    cache = JournalCache.in_memory()
    day = 86_400_000
    cache.store_marks("host", "BTCUSD", {0: (D("60000"), True), day: (D("61000.5"), False)})
    cache.store_marks("host", "BTCUSD", {day: (D("61500"), True)})              # the day ended
    assert cache.marks("host", "BTCUSD", 0, day) == {0: (D("60000"), True), day: (D("61500"), True)}
    assert cache.marks("other-host", "BTCUSD", 0, day) == {}
