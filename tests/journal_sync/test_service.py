"""The journal against the simulator: figures equal the simulator's own ledger, a second sync asks for
only what is new, one failing account keeps its cached figures, and offline reads need no network."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from desktop_app.exchange_sim import Simulator
from desktop_app.journal_sync import JournalReport, JournalService, SyncProgress
from desktop_app.storage.journal_cache import JournalCache
from tests.journal_sync.oracle import DAY, expected
from tests.sim_fixtures import spec_of

D = Decimal


def run_sync(sim: Simulator, cache: JournalCache, days: int, progress: list[SyncProgress] | None = None,
             accounts: tuple[str, ...] | None = None) -> JournalReport:
    specs = [spec_of(sim, a) for a in sim.accounts if accounts is None or a.name in accounts]

    async def go() -> JournalReport:
        service = JournalService(cache, now_ms=sim.now_ms)
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
        assert f.funding_next_24h_usd is not None
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


def test_a_failing_account_keeps_its_cached_figures_and_the_others_sync(jsim: Simulator) -> None:
    cache = JournalCache.in_memory()
    good = run_sync(jsim, cache, 30)
    jsim.faults.fail(jsim.account("Isolated").uid)
    report = run_sync(jsim, cache, 30)
    isolated = next(a for a in report.accounts if a.name == "Isolated")
    assert not isolated.ok and not isolated.fresh
    assert isolated.error is not None and "[10016]" in isolated.error
    before = next(a for a in good.accounts if a.name == "Isolated")
    assert isolated.figures is not None and isolated.as_of_ms == good.end_ms
    assert isolated.figures.realised_pnl_usd == before.figures.realised_pnl_usd  # type: ignore[union-attr]
    assert isolated.figures.funding_next_24h_usd is None        # the forecast needs live data
    assert all(a.ok for a in report.accounts if a.name != "Isolated") and not report.complete
    # The total of fresh accounts leaves the stale one out; the plain total includes its cached figures.
    assert report.total(fresh_only=True).trades == report.total().trades - isolated.figures.trades
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
    # A longer period than the cache covers has no figures, rather than partial ones.
    assert all(a.figures is None for a in service.cached_report(specs, 60).accounts)
    # Another key for the same account id: the cache is another Bybit account's, and is dropped.
    assert service.cached_report(other, 30).accounts[0].figures is None
    assert service.cached_report(specs, 30).accounts[1].figures is None


def test_period_bounds() -> None:
    service = JournalService(JournalCache.in_memory(), now_ms=lambda: 10**13)
    for days in (0, -1, 730):
        with pytest.raises(ValueError, match="1 to 729 days"):
            service.period(days)
    assert service.period(729) == (10**13 - 729 * DAY, 10**13)
