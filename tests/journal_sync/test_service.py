"""The journal against the simulator: figures equal the simulator's own ledger, a second sync asks for
only what is new (also after a sync with a fast local clock), one failing account keeps its cached
figures and leaves the total, the cache's own failures (a full disk) stay per account, the cache is
used off the event loop, and offline reads need no network."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.exchange_sim import Simulator
from desktop_app.journal_sync import JournalReport, JournalService, SyncProgress
from desktop_app.storage.history_schema import migrate
from desktop_app.storage.journal_cache import JournalCache
from tests.journal_sync.oracle import DAY, expected, forecast
from tests.sim_fixtures import spec_of

D = Decimal


def run_sync(sim: Simulator, cache: JournalCache, days: int, progress: list[SyncProgress] | None = None,
             accounts: tuple[str, ...] | None = None, local_clock_error_ms: int = 0) -> JournalReport:
    """A sync by a computer whose clock is `local_clock_error_ms` ahead of the exchange's."""
    specs = [spec_of(sim, a) for a in sim.accounts if accounts is None or a.name in accounts]

    async def go() -> JournalReport:
        service = JournalService(cache, now_ms=lambda: sim.now_ms() + local_clock_error_ms)
        try:
            return await service.sync(specs, days, on_progress=None if progress is None else progress.append)
        finally:
            await service.aclose()

    return asyncio.run(go())


def test_figures_match_the_simulators_ledger(jsim: Simulator) -> None:
    progress: list[SyncProgress] = []
    report = run_sync(jsim, JournalCache.in_memory(), 30, progress)
    assert report.complete and report.end_ms == jsim.now_ms() and report.start_ms == report.end_ms - 30 * DAY
    for journal in report.accounts:
        account = jsim.account(journal.name)
        want = expected(jsim, account, report.start_ms, report.end_ms)
        f = journal.figures
        assert f is not None and journal.ok and journal.fresh
        assert (f.trades, f.wins, f.losses) == (want.trades, want.wins, want.losses), journal.name
        assert f.realised_pnl_usd == want.realised, journal.name
        assert f.funding_usd == want.funding, journal.name
        assert f.net_pnl_usd == want.realised + want.funding
        assert f.max_drawdown_usd == want.drawdown, journal.name
        assert f.funding_next_24h_usd == forecast(jsim, account), journal.name
        assert sum((s.trades for s in f.by_symbol), 0) == f.trades
    # The classic account has inverse (BTC-settled) trades: valued at the day's mark, not 1:1.
    classic = next(a for a in report.accounts if a.name == "Classic")
    assert any(t.symbol == "BTCUSD" for t in classic.trades)
    total = report.total()
    assert total.trades == sum(a.figures.trades for a in report.accounts if a.figures)
    assert total.realised_pnl_usd == sum((a.figures.realised_pnl_usd for a in report.accounts if a.figures),
                                         D(0))
    assert progress[-1].done == progress[-1].total
    assert [p.done for p in progress] == list(range(1, len(progress) + 1))


def test_a_second_sync_asks_only_for_what_is_new(jsim: Simulator) -> None:
    cache = JournalCache.in_memory()
    two = ("Main", "Classic")   # a unified and a classic account (with inverse trades)
    before = jsim.stats.requests
    first = run_sync(jsim, cache, 90, accounts=two)
    first_requests = jsim.stats.requests - before
    before = jsim.stats.requests
    second = run_sync(jsim, cache, 90, accounts=two)
    second_requests = jsim.stats.requests - before
    # Per account: its type, one window per stream (linear and inverse closed PnL, funding) and the four
    # position lists; per host: the clock, tickers and instruments (linear, inverse), today's inverse mark.
    assert second_requests <= 8 * len(two) + 6 < first_requests / 4
    assert [a.figures for a in second.accounts] == [a.figures for a in first.accounts]
    # Two days later the incremental journal equals one synced from an empty cache.
    jsim.step(2 * 86_400)
    incremental = run_sync(jsim, cache, 90, accounts=two)
    fresh = run_sync(jsim, JournalCache.in_memory(), 90, accounts=two)
    assert [a.figures for a in incremental.accounts] == [a.figures for a in fresh.accounts]
    assert incremental.total() == fresh.total()


def test_a_fast_local_clock_leaves_no_gap(jsim: Simulator) -> None:
    # One sync with this computer's clock 3 days fast, then 4 days on with the clock corrected: the
    # journal equals one synced from an empty cache (the windows and coverage end at the exchange's now).
    cache = JournalCache.in_memory()
    two = ("Main", "Classic")
    first = run_sync(jsim, cache, 90, accounts=two, local_clock_error_ms=3 * DAY)
    assert first.complete and first.end_ms == jsim.now_ms()
    jsim.step(4 * 86_400)
    incremental = run_sync(jsim, cache, 90, accounts=two)
    fresh = run_sync(jsim, JournalCache.in_memory(), 90, accounts=two)
    assert incremental.complete and fresh.complete
    assert [a.figures for a in incremental.accounts] == [a.figures for a in fresh.accounts]
    assert incremental.total() == fresh.total()
    assert fresh.total().trades > 0


def test_a_failing_account_keeps_its_cached_figures_and_the_others_sync(jsim: Simulator) -> None:
    cache = JournalCache.in_memory()
    good = run_sync(jsim, cache, 30)
    jsim.faults.fail(jsim.account("Isolated").uid)
    progress: list[SyncProgress] = []
    report = run_sync(jsim, cache, 30, progress)
    isolated = next(a for a in report.accounts if a.name == "Isolated")
    assert not isolated.ok and not isolated.fresh
    assert isolated.error is not None and "[10016]" in isolated.error
    before = next(a for a in good.accounts if a.name == "Isolated")
    assert isolated.figures is not None and isolated.as_of_ms == good.end_ms
    assert isolated.figures.realised_pnl_usd == before.figures.realised_pnl_usd  # type: ignore[union-attr]
    assert isolated.figures.funding_next_24h_usd is None        # the forecast needs live data
    assert all(a.ok for a in report.accounts if a.name != "Isolated") and not report.complete
    # The total adds up the accounts synced now; the failed one is listed failed and left out.
    assert [a.name for a in report.in_total] == [a.name for a in report.accounts if a.name != "Isolated"]
    assert report.total().trades == sum(a.figures.trades for a in report.in_total)  # type: ignore[union-attr]
    assert report.total_as_of_ms == report.end_ms
    # The progress bar ends full although one account stopped early.
    assert progress[-1].done == progress[-1].total
    assert [p.done for p in progress] == sorted(p.done for p in progress)
    # Never synced and failing: no figures at all (never zeros).
    lonely = run_sync(jsim, JournalCache.in_memory(), 30, accounts=("Isolated",))
    assert lonely.accounts[0].figures is None and lonely.accounts[0].error


def test_offline_report_reads_the_cache_only(jsim: Simulator) -> None:
    cache = JournalCache.in_memory()
    synced = run_sync(jsim, cache, 30)
    specs = [spec_of(jsim, a) for a in jsim.accounts]
    other = [spec_of(jsim, jsim.account("Main"), account_id=specs[1].account_id)]
    service = JournalService(cache, now_ms=jsim.now_ms)
    jsim.stop()
    offline = service.cached_report(specs, 30)
    for online, cached in zip(synced.accounts, offline.accounts, strict=True):
        assert not cached.fresh and cached.error is None and cached.as_of_ms == synced.end_ms
        assert cached.figures is not None and online.figures is not None
        assert cached.figures.realised_pnl_usd == online.figures.realised_pnl_usd
        assert cached.figures.max_drawdown_usd == online.figures.max_drawdown_usd
        assert cached.figures.funding_next_24h_usd is None
    # Offline the total adds up the cached accounts, as of the oldest of them.
    assert offline.total_as_of_ms == synced.end_ms and len(offline.in_total) == len(synced.accounts)
    assert (offline.total().trades, offline.total().net_pnl_usd) == (synced.total().trades,
                                                                     synced.total().net_pnl_usd)
    # A longer period than the cache covers has no figures, rather than partial ones.
    assert all(a.figures is None for a in service.cached_report(specs, 60).accounts)
    # Another key for the same account id: the cache is another Bybit account's, not shown as this one's.
    assert service.cached_report(other, 30).accounts[0].figures is None
    assert service.cached_report(specs, 30).accounts[1].figures is not None   # reading dropped nothing


def test_a_sync_with_another_key_replaces_the_accounts_cached_history(jsim: Simulator) -> None:
    cache = JournalCache.in_memory()
    synced = run_sync(jsim, cache, 30, accounts=("Main", "Isolated"))
    isolated = spec_of(jsim, jsim.account("Isolated"))
    main_key = spec_of(jsim, jsim.account("Main"), account_id=isolated.account_id, name="Isolated")

    async def go() -> JournalReport:
        service = JournalService(cache, now_ms=jsim.now_ms)
        try:
            return await service.sync([main_key], 30)
        finally:
            await service.aclose()

    (replaced,) = asyncio.run(go()).accounts
    main = next(a for a in synced.accounts if a.name == "Main")
    # Main's history under Isolated's id, with nothing of Isolated's left in it.
    assert replaced.ok and replaced.figures == main.figures
    service = JournalService(cache, now_ms=jsim.now_ms)
    assert service.cached_report([isolated], 30).accounts[0].figures is None


class ThreadRecordingCache(JournalCache):
    """Notes the thread of every call that touches the database."""

    def __init__(self) -> None:
        base = JournalCache.in_memory()
        super().__init__(base._conn)
        self.threads: set[int] = set()

    def _rows(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        self.threads.add(threading.get_ident())
        return super()._rows(sql, params)

    def _transaction(self):  # type: ignore[no-untyped-def]
        self.threads.add(threading.get_ident())
        return super()._transaction()


def test_the_cache_is_used_off_the_event_loop_on_one_thread(jsim: Simulator) -> None:
    # A SQLite busy wait (a watcher writing history) must never stall the requests of every account.
    cache = ThreadRecordingCache()
    report = run_sync(jsim, cache, 10)
    assert report.complete
    assert len(cache.threads) == 1 and threading.get_ident() not in cache.threads


def test_a_full_disk_fails_each_account_clearly_and_the_sync_ends(jsim: Simulator) -> None:
    full = "Cannot write the journal cache: database or disk is full"
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    migrate(conn)
    cache = JournalCache(conn)
    first = run_sync(jsim, cache, 7, accounts=("Main",))
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")  # disk full
    progress: list[SyncProgress] = []
    report = run_sync(jsim, cache, 7, progress)
    by_name = {a.name: a for a in report.accounts}
    # A window that fits in a page's free space may still be kept, as on a real full disk; a week of
    # four positions' funding (84 rows) never does.
    assert all(a.ok or a.error == full for a in report.accounts)
    assert by_name["Isolated"].error == full and by_name["Portfolio"].error == full
    assert by_name["Isolated"].figures is None                    # nothing cached: no figures, not zeros
    if not by_name["Main"].ok:                                    # its cached figures, with their age
        cached, synced = by_name["Main"].figures, first.accounts[0].figures
        assert cached is not None and synced is not None and by_name["Main"].as_of_ms == first.end_ms
        assert (cached.trades, cached.net_pnl_usd) == (synced.trades, synced.net_pnl_usd)
    assert progress[-1].done == progress[-1].total
    assert report.in_total == tuple(a for a in report.accounts if a.ok)


def test_one_accounts_cache_failure_leaves_the_others_synced(jsim: Simulator) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    migrate(conn)
    hedge = spec_of(jsim, jsim.account("Hedge")).account_id
    conn.execute(f"CREATE TRIGGER no_room BEFORE INSERT ON journal_funding WHEN NEW.account_id = '{hedge}'"
                 " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    report = run_sync(jsim, JournalCache(conn), 7)
    by_name = {a.name: a for a in report.accounts}
    assert by_name["Hedge"].error == "Cannot write the journal cache: database or disk is full"
    assert all(a.ok for a in report.accounts if a.name != "Hedge")


def test_period_bounds() -> None:
    service = JournalService(JournalCache.in_memory(), now_ms=lambda: 10**13)
    for days in (0, -1, 730):
        with pytest.raises(ValueError, match="1 to 729 days"):
            service.period(days)
    assert service.period(729) == (10**13 - 729 * DAY, 10**13)


def test_an_account_whose_sync_outlasts_its_bound_fails_and_the_sync_ends(jsim: Simulator) -> None:
    """Every request answers within the request deadline, just slowly: two years of 7-day windows
    would take minutes. The account's own bound ends its sync (what arrived stays cached)."""
    jsim.faults.latency_ms = 20.0
    cache = JournalCache.in_memory()
    specs = [spec_of(jsim, jsim.account("Main"))]
    progress: list[SyncProgress] = []

    async def go() -> JournalReport:
        service = JournalService(cache, now_ms=jsim.now_ms, account_timeout_s=0.5)
        try:
            return await service.sync(specs, 729, on_progress=progress.append)
        finally:
            await service.aclose()

    report = asyncio.run(asyncio.wait_for(go(), 10.0))
    [main] = report.accounts
    assert not main.ok and main.figures is None and not report.complete
    assert main.error == ("the journal sync did not finish within 0.5 s; what arrived is kept and the "
                          "next sync goes on from there")
    assert progress[-1].done == progress[-1].total  # the bar ends full
