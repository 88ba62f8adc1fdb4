"""`JournalService`: sync every account's closed PnL and funding into the cache, then build the journal.

A sync asks Bybit only for what the cache lacks. Per account and stream (linear closed PnL, inverse
closed PnL, funding) the cache knows one complete span; a sync fetches from a day before its end up to
now (history that arrived since, oldest window first so the span stays contiguous), then, if the
period reaches further back, the older windows newest first. Reopening a 90-day journal therefore
costs one window per stream, plus the account's type, its positions and the host's funding terms for
the forecast: a handful of requests. Accounts sync concurrently; one failure never stops the others,
and an account that failed shows its cached figures with their age when the cache covers the period.
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
from desktop_app.journal.usd import DAY_MS, USD_COINS, day_start_ms
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
STREAMS = (closed_pnl_stream(Category.LINEAR), closed_pnl_stream(Category.INVERSE), FUNDING_STREAM)

ProgressFn = Callable[["SyncProgress"], None]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    done: int  # steps finished (one per history window, plus the account's type and its forecast)
    total: int
    account: str  # the account the last step belonged to


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
    newer_from = max(coverage.from_ms, coverage.to_ms - OVERLAP_MS + 1)
    windows = list(reversed(history_windows(newer_from, now_ms)))
    if start_ms < coverage.from_ms:
        windows += history_windows(start_ms, coverage.from_ms - 1)
    return windows


class JournalService:
    """Owns an HTTP pool (unless given one) and uses the cache from the thread it runs on."""

    def __init__(self, cache: JournalCache, pool: HttpPool | None = None, *,
                 now_ms: Callable[[], int] = wall_ms) -> None:
        self.cache = cache
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else HttpPool()
        self._now_ms = now_ms

    async def aclose(self) -> None:
        if self._owns_pool:
            await self._pool.aclose()

    def period(self, days: int) -> tuple[int, int]:
        """[start, now] in ms for a journal of `days` days. May raise: ValueError (days out of range)."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"the period must be 1 to {MAX_DAYS} days")
        now = self._now_ms()
        return now - days * DAY_MS, now

    # --- offline --------------------------------------------------------------------------------

    def cached_report(self, specs: Sequence[AccountSpec], days: int = DEFAULT_DAYS) -> JournalReport:
        """The journal from the cache alone (no network): each account as of its last sync, or without
        figures when the cache does not cover the period. May raise: ValueError (days)."""
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
        """Bring the cache up to now for every enabled account and build the journal of `days` days.
        Account failures are inside the report. May raise: ValueError (days)."""
        start, now = self.period(days)
        start = max(start, now - MAX_HISTORY_MS)
        enabled = [s for s in specs if s.enabled]
        plans = {s.account_id: self._plans(s, start, now) for s in enabled}
        total = sum(2 + sum(len(w) for w in plans[s.account_id].values()) for s in enabled) + 1
        done = 0

        def step(name: str) -> None:
            nonlocal done
            done += 1
            if on_progress is not None:
                on_progress(SyncProgress(done, total, name))

        market = MarketData(self.cache, self._pool)
        outcomes = await asyncio.gather(*(self._sync_account(s, plans[s.account_id], market, step)
                                          for s in enabled))
        await self._fetch_marks(enabled, start, now, market)
        step("")
        accounts = []
        for spec, (error, forecast) in zip(enabled, outcomes, strict=True):
            if error is None:
                prices = cached_prices(self.cache, spec.environment, day_start_ms(start), day_start_ms(now))
                accounts.append(account_journal(self.cache, spec.account_id, spec.name, start, now, prices,
                                                fresh=True, forecast=forecast))
            else:
                accounts.append(self._from_cache(spec, start, error))
        return JournalReport(start, now, tuple(accounts))

    def _plans(self, spec: AccountSpec, start_ms: int, now_ms: int) -> dict[str, list[tuple[int, int]]]:
        source = source_of(spec)
        try:
            return {stream: plan_windows(self.cache.coverage(spec.account_id, stream, source), start_ms,
                                         now_ms) for stream in STREAMS}
        except HistoryError:
            return {stream: history_windows(start_ms, now_ms) for stream in STREAMS}

    async def _sync_account(self, spec: AccountSpec, plans: dict[str, list[tuple[int, int]]],
                            market: MarketData,
                            step: Callable[[str], None]) -> tuple[str | None, Decimal | None]:
        """(error or None, the funding forecast)."""
        source = source_of(spec)
        try:
            client = BybitClient(spec.environment, spec.credentials, self._pool)
            info = await client.account_info()
            step(spec.name)

            async def walk(stream: str) -> None:
                for lower, upper in plans[stream]:
                    if stream == FUNDING_STREAM:
                        payments = await client.funding_payments(lower, upper, classic=info.is_classic)
                        self.cache.store_funding(spec.account_id, source, payments, lower, upper)
                    else:
                        category = Category(stream.partition(":")[2])
                        rows = await client.closed_pnl(category, lower, upper)
                        self.cache.store_closed_pnl(spec.account_id, source, category, rows, lower, upper)
                    step(spec.name)

            await gather_or_cancel(*(walk(stream) for stream in STREAMS))
            positions, (rates, intervals) = await gather_or_cancel(
                client.all_positions(), market.funding_terms(spec.environment))
            step(spec.name)
            return None, funding_next_24h_usd(positions, rates, intervals)
        except BybitError as exc:
            log.info("journal sync of %s failed: %s", spec.name, exc)
            return str(exc), None
        except HistoryError as exc:
            return str(exc), None

    async def _fetch_marks(self, specs: Sequence[AccountSpec], start_ms: int, now_ms: int,
                           market: MarketData) -> None:
        """Daily marks of every inverse symbol with coin-settled rows in the period, per host."""
        wanted: dict[tuple[str, str], tuple[AccountSpec, set[int]]] = {}
        for spec in specs:
            try:
                closed = self.cache.closed_pnl(spec.account_id, start_ms, now_ms)
                funding = self.cache.funding(spec.account_id, start_ms, now_ms)
            except HistoryError:
                continue
            rows = [(r.symbol, r.closed_ms, r.settle_coin) for r in closed]
            rows += [(p.symbol, p.time_ms, p.currency) for p in funding]
            for symbol, time_ms, coin in rows:
                if coin not in USD_COINS:
                    entry = wanted.setdefault((spec.environment.rest_url, symbol), (spec, set()))
                    entry[1].add(day_start_ms(time_ms))
        for (_, symbol), (spec, days) in wanted.items():
            try:
                await market.ensure_marks(spec.environment, symbol, days, now_ms)
            except (BybitError, HistoryError) as exc:
                # The rows stay unvalued: the account reports the missing price instead of a figure.
                log.info("journal: no daily marks of %s: %s", symbol, exc)
