"""`JournalService`: sync every account's closed PnL and funding into the cache, then build the journal.

A sync asks Bybit only for what the cache lacks. Per account and stream (linear closed PnL, inverse
closed PnL, funding) the cache knows one complete span; a sync fetches from a day before its end up to
now (history that arrived since, oldest window first so the span stays contiguous), then, if the
period reaches further back, the older windows newest first. Reopening a 90-day journal therefore
costs one window per stream, plus the account's type, its positions and the host's funding terms for
the forecast: a handful of requests. Accounts sync concurrently; one failure never stops the others,
and an account that failed shows its cached figures with their age when the cache covers the period.

"Now" is the exchange's clock (this computer's clock plus the offset measured to the host), never the
local clock alone: a window or a coverage recorded past the server's time would claim history that
did not exist yet, and the next sync, starting a day before that end, would never fetch it. The cache
is used on a thread of its own (cache_thread.py), so a locked database never stalls the requests.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.bybit.client import BybitClient, gather_or_cancel
from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.history import MAX_HISTORY_MS, history_windows
from desktop_app.bybit.http import HttpPool
from desktop_app.domain.market import Category
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.journal import funding_next_24h_usd
from desktop_app.journal.usd import DAY_MS, day_start_ms
from desktop_app.journal_sync.cache_thread import CacheThread
from desktop_app.journal_sync.fetch import coins_to_value, funding_payments
from desktop_app.journal_sync.market import MarketData, cached_prices
from desktop_app.journal_sync.report import AccountJournal, JournalReport, account_journal
from desktop_app.storage.history_schema import HistoryError
from desktop_app.storage.journal_cache import FUNDING_STREAM, Coverage, JournalCache, closed_pnl_stream

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
MAX_DAYS = MAX_HISTORY_MS // DAY_MS  # Bybit keeps two years
# Each sync reads the last day of what the cache holds again: a close that settles over several fills
# can be listed a little after its timestamp.
OVERLAP_MS = DAY_MS
# A request's deadline bounds each request only; two years are ~104 windows per stream, so a server
# answering each just in time would hold a sync for half an hour. An account's whole sync has this.
ACCOUNT_SYNC_TIMEOUT_S = 300.0
STREAMS = (closed_pnl_stream(Category.LINEAR), closed_pnl_stream(Category.INVERSE), FUNDING_STREAM)

ProgressFn = Callable[["SyncProgress"], None]
Plans = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    done: int  # steps finished (one per history window, plus the account's type and its forecast)
    total: int
    account: str  # the account the last step belonged to


class _Progress:
    """Counts steps; an account that fails counts the steps it will not take, so the bar ends full."""

    def __init__(self, total: int, on_progress: ProgressFn | None) -> None:
        self.total, self.done, self._on_progress = total, 0, on_progress

    def step(self, account: str, count: int = 1) -> None:
        self.done += count
        if self._on_progress is not None and count > 0:
            self._on_progress(SyncProgress(self.done, self.total, account))


def wall_ms() -> int:
    return int(time.time() * 1000)


def source_of(spec: AccountSpec) -> str:
    """Which Bybit account the cached rows came from: a digest of host and API key (not a secret)."""
    identity = f"{spec.environment.rest_url}\n{spec.credentials.api_key}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def plan_windows(coverage: Coverage | None, start_ms: int, now_ms: int) -> list[tuple[int, int]]:
    """The windows to fetch so that the cache covers [start_ms, now_ms], in an order that keeps the
    covered span contiguous after each one."""
    if coverage is None or coverage.to_ms < start_ms or coverage.from_ms > now_ms:
        return history_windows(start_ms, now_ms)
    newer_from = max(coverage.from_ms, min(coverage.to_ms, now_ms) - OVERLAP_MS + 1)
    windows = list(reversed(history_windows(newer_from, now_ms)))
    if start_ms < coverage.from_ms:
        windows += history_windows(start_ms, coverage.from_ms - 1)
    return windows


class JournalService:
    """Owns an HTTP pool (unless given one). `now_ms` is this computer's clock (the pool's, when the
    service makes it); a sync reads the exchange's time from the pool's measured offset."""

    def __init__(self, cache: JournalCache, pool: HttpPool | None = None, *,
                 now_ms: Callable[[], int] = wall_ms,
                 account_timeout_s: float = ACCOUNT_SYNC_TIMEOUT_S) -> None:
        self.cache = cache
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else HttpPool(now_ms=now_ms)
        self._now_ms = now_ms
        self.account_timeout_s = account_timeout_s  # an account's whole sync; each request has its deadline

    async def aclose(self) -> None:
        if self._owns_pool:
            await self._pool.aclose()

    def period(self, days: int, now_ms: int | None = None) -> tuple[int, int]:
        """[start, now] in ms for a journal of `days` days up to `now_ms` (default: this computer's
        clock). May raise: ValueError (days out of range)."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"the period must be 1 to {MAX_DAYS} days")
        now = self._now_ms() if now_ms is None else now_ms
        return max(now - days * DAY_MS, now - MAX_HISTORY_MS), now

    # --- offline --------------------------------------------------------------------------------

    def cached_report(self, specs: Sequence[AccountSpec], days: int = DEFAULT_DAYS) -> JournalReport:
        """The journal from the cache alone (no network, this computer's clock): each account as of its
        last sync, or without figures when the cache does not cover the period. May raise: ValueError."""
        start, now = self.period(days)
        return JournalReport(start, now, tuple(self._from_cache(s, start, None) for s in specs if s.enabled))

    def _from_cache(self, spec: AccountSpec, start_ms: int, error: str | None) -> AccountJournal:
        try:
            spans = [self.cache.coverage(spec.account_id, stream, source_of(spec)) for stream in STREAMS]
        except HistoryError as exc:
            return AccountJournal(spec.account_id, spec.name, False, error or str(exc), None, None)
        if any(span is None or span.from_ms > start_ms for span in spans):
            return AccountJournal(spec.account_id, spec.name, False, error, None, None)
        as_of = min(span.to_ms for span in spans if span is not None)
        prices = cached_prices(self.cache, spec.environment, day_start_ms(start_ms), day_start_ms(as_of))
        return account_journal(self.cache, spec.account_id, spec.name, start_ms, as_of, prices, fresh=False,
                               forecast=None, error=error)

    # --- sync -----------------------------------------------------------------------------------

    async def sync(self, specs: Sequence[AccountSpec], days: int = DEFAULT_DAYS,
                   on_progress: ProgressFn | None = None) -> JournalReport:
        """Bring the cache up to the exchange's now for every enabled account and build the journal of
        `days` days. Account failures (the exchange, the cache) are inside the report.
        May raise: ValueError (days)."""
        self.period(days)
        enabled = [s for s in specs if s.enabled]
        io = CacheThread(self.cache)
        try:
            return await self._sync(enabled, days, on_progress, io)
        finally:
            io.close()

    async def _sync(self, enabled: list[AccountSpec], days: int, on_progress: ProgressFn | None,
                    io: CacheThread) -> JournalReport:
        host_now = await self._server_times({s.environment.rest_url for s in enabled})
        now = min((t for t in host_now.values() if isinstance(t, int)), default=self._now_ms())
        start, now = self.period(days, now)
        errors: dict[str, str] = {}
        plans: dict[str, Plans] = {}
        for spec in enabled:
            server_now = host_now[spec.environment.rest_url]
            try:
                if isinstance(server_now, str):
                    errors[spec.account_id] = server_now
                else:
                    plans[spec.account_id] = await io.run(self._plans, spec, start, server_now)
            except HistoryError as exc:
                errors[spec.account_id] = str(exc)
        progress = _Progress(sum(2 + sum(map(len, p.values())) for p in plans.values()) + len(errors) + 1,
                             on_progress)
        for spec in enabled:
            if spec.account_id in errors:
                progress.step(spec.name)
        market = MarketData(io, self._pool)
        synced = [s for s in enabled if s.account_id in plans]
        outcomes = await gather_or_cancel(*(self._sync_account(s, plans[s.account_id], market, progress, io)
                                            for s in synced))
        forecasts: dict[str, Decimal | None] = {}
        for spec, (error, forecast) in zip(synced, outcomes, strict=True):
            if error is None:
                forecasts[spec.account_id] = forecast
            else:
                errors[spec.account_id] = error
        await self._fetch_marks([s for s in synced if s.account_id in forecasts], start, now, market, io)
        progress.step("")
        return await io.run(self._report, enabled, start, now, forecasts, errors)

    async def _server_times(self, hosts: set[str]) -> dict[str, int | str]:
        """Each host's current time from the pool's measured clock offset, or why it is unknown."""
        async def one(host: str) -> int | str:
            clock = self._pool.clock_for(host)
            try:
                if clock.needs_sync():
                    await self._pool.sync_clock(host)
            except BybitError as exc:
                log.info("journal: no server time from %s: %s", host, exc)
                return str(exc)
            return clock.server_now_ms()

        ordered = sorted(hosts)
        return dict(zip(ordered, await gather_or_cancel(*(one(h) for h in ordered)), strict=True))

    def _plans(self, spec: AccountSpec, start_ms: int, now_ms: int) -> Plans:
        """(cache thread) May raise: HistoryError."""
        source = source_of(spec)
        if self.cache.keep_only_source(spec.account_id, source):
            log.info("journal: %s now uses another key or host; its cached history was dropped", spec.name)
        return {stream: plan_windows(self.cache.coverage(spec.account_id, stream, source), start_ms, now_ms)
                for stream in STREAMS}

    def _report(self, enabled: list[AccountSpec], start_ms: int, now_ms: int,
                forecasts: dict[str, Decimal | None], errors: dict[str, str]) -> JournalReport:
        """(cache thread) The journal over [start_ms, now_ms]: fresh figures of the accounts synced,
        cached ones (with their age) of the accounts that failed."""
        accounts = []
        first_day, last_day = day_start_ms(start_ms), day_start_ms(now_ms)
        for spec in enabled:
            if spec.account_id in forecasts:
                prices = cached_prices(self.cache, spec.environment, first_day, last_day)
                accounts.append(account_journal(self.cache, spec.account_id, spec.name, start_ms, now_ms,
                                                prices, fresh=True, forecast=forecasts[spec.account_id]))
            else:
                accounts.append(self._from_cache(spec, start_ms, errors[spec.account_id]))
        return JournalReport(start_ms, now_ms, tuple(accounts))

    async def _sync_account(self, spec: AccountSpec, plans: Plans, market: MarketData, progress: _Progress,
                            io: CacheThread) -> tuple[str | None, Decimal | None]:
        """(error or None, the funding forecast); an error when it outlasts `account_timeout_s` (what
        arrived stays cached)."""
        account_id, source = spec.account_id, source_of(spec)
        steps_left = 2 + sum(len(windows) for windows in plans.values())

        def step() -> None:
            nonlocal steps_left
            steps_left -= 1
            progress.step(spec.name)

        bound = asyncio.timeout(self.account_timeout_s)
        try:
            async with bound:
                client = BybitClient(spec.environment, spec.credentials, self._pool)
                info = await client.account_info()
                step()

                async def walk(stream: str) -> None:
                    for lower, upper in plans[stream]:
                        if stream == FUNDING_STREAM:
                            payments = await funding_payments(client, info, lower, upper)
                            await io.run(self.cache.store_funding, account_id, source, payments, lower, upper)
                        else:
                            category = Category(stream.partition(":")[2])
                            rows = await client.closed_pnl(category, lower, upper)
                            await io.run(self.cache.store_closed_pnl, account_id, source, category, rows,
                                         lower, upper)
                        step()

                await gather_or_cancel(*(walk(stream) for stream in STREAMS))
                positions, (rates, intervals) = await gather_or_cancel(
                    client.all_positions(), market.funding_terms(spec.environment))
                step()
                return None, funding_next_24h_usd(positions, rates, intervals)
        except TimeoutError:
            if not bound.expired():
                raise
            progress.step(spec.name, steps_left)
            return (f"the journal sync did not finish within {self.account_timeout_s:g} s; what arrived is "
                    "kept and the next sync goes on from there"), None
        except (BybitError, HistoryError) as exc:
            log.info("journal sync of %s failed: %s", spec.name, exc)
            progress.step(spec.name, steps_left)
            return str(exc), None

    async def _fetch_marks(self, specs: Sequence[AccountSpec], start_ms: int, now_ms: int,
                           market: MarketData, io: CacheThread) -> None:
        """The daily USD price of every coin with coin-settled rows in the period, per host."""
        wanted: dict[tuple[str, str], tuple[AccountSpec, set[int]]] = {}
        for spec in specs:
            try:
                coins = await io.run(coins_to_value, self.cache, spec.account_id, start_ms, now_ms)
            except HistoryError:
                continue  # the account's journal reports the cache's error itself
            for coin, days in coins.items():
                wanted.setdefault((spec.environment.rest_url, coin), (spec, set()))[1].update(days)
        for (_, coin), (spec, days) in wanted.items():
            try:
                await market.ensure_marks(spec.environment, coin, days, now_ms)
            except (BybitError, HistoryError) as exc:
                # The rows stay unvalued: the account reports the missing price instead of a figure.
                log.info("journal: no daily USD price of %s: %s", coin, exc)
