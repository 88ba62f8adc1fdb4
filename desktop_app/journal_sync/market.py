"""Market data the journal needs, per exchange host, fetched at most once per sync: the funding
rate and interval of every perpetual (for the forecast) and each settle coin's daily USD price, the
mark closes of its inverse perpetual (for valuing coin-settled PnL, journal.usd), kept in the cache
once a day is over."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from decimal import Decimal

from desktop_app.bybit.client import BybitClient, gather_or_cancel
from desktop_app.bybit.http import HttpPool
from desktop_app.domain.environment import Environment
from desktop_app.domain.market import Category
from desktop_app.journal.usd import DAY_MS, PriceOf, usd_price_symbol
from desktop_app.journal_sync.cache_thread import CacheThread
from desktop_app.storage.journal_cache import JournalCache

FundingTerms = tuple[dict[str, Decimal | None], dict[str, int | None]]  # (rates, intervals in minutes)
MAX_MARK_DAYS = 1000  # Bybit's kline limit; two years of history fit in one request


class MarketData:
    """Lives for one sync; shared by every account on the same host."""

    def __init__(self, cache: CacheThread, pool: HttpPool) -> None:
        self._cache = cache
        self._pool = pool
        self._terms: dict[str, asyncio.Task[FundingTerms]] = {}

    def _client(self, environment: Environment) -> BybitClient:
        return BybitClient(environment, None, self._pool)

    async def funding_terms(self, environment: Environment) -> FundingTerms:
        """Current funding rate and interval of every linear and inverse symbol on the host.
        May raise: BybitError."""
        task = self._terms.get(environment.rest_url)
        if task is None or (task.done() and task.exception() is not None):
            task = asyncio.ensure_future(self._fetch_terms(environment))
            self._terms[environment.rest_url] = task
        return await asyncio.shield(task)

    async def _fetch_terms(self, environment: Environment) -> FundingTerms:
        client = self._client(environment)
        linear, inverse, linear_specs, inverse_specs = await gather_or_cancel(
            client.tickers(Category.LINEAR), client.tickers(Category.INVERSE),
            client.instruments(Category.LINEAR), client.instruments(Category.INVERSE))
        rates = {t.symbol: t.funding_rate for t in (*linear, *inverse)}
        intervals = {i.symbol: i.funding_interval_min for i in (*linear_specs, *inverse_specs)}
        return rates, intervals

    async def ensure_marks(self, environment: Environment, coin: str, days: Iterable[int],
                           now_ms: int) -> None:
        """Make sure the cache holds `coin`'s USD price (its inverse perpetual's daily mark close) for
        each UTC day start in `days`: days already final are not asked again.
        May raise: BybitError, HistoryError."""
        wanted = sorted(set(days))
        if not wanted:
            return
        host = environment.rest_url
        symbol = usd_price_symbol(coin)
        cached = await self._cache.run(self._cache.cache.marks, host, symbol, wanted[0], wanted[-1])
        missing = [d for d in wanted if d not in cached or not cached[d][1]]
        if not missing:
            return
        first = max(missing[0], missing[-1] - (MAX_MARK_DAYS - 1) * DAY_MS)
        candles = await self._client(environment).mark_price_klines(
            Category.INVERSE, symbol, "D", start_ms=first, end_ms=missing[-1] + DAY_MS - 1,
            limit=MAX_MARK_DAYS)
        # A day's close is final once the day is over; today's candle is the latest mark so far.
        closes = {k.start_ms: (k.close, k.start_ms + DAY_MS <= now_ms)
                  for k in candles if k.start_ms % DAY_MS == 0}
        if closes:
            await self._cache.run(self._cache.cache.store_marks, host, symbol, closes)


def cached_prices(cache: JournalCache, environment: Environment, first_day_ms: int,
                  last_day_ms: int) -> PriceOf:
    """The host's cached daily USD prices as a `price_of(coin, day)` function (no network).
    The function may raise: HistoryError."""
    host = environment.rest_url
    tables: dict[str, dict[int, tuple[Decimal, bool]]] = {}

    def lookup(coin: str, day_ms: int) -> Decimal | None:
        table = tables.get(coin)
        if table is None:
            table = tables[coin] = cache.marks(host, usd_price_symbol(coin), first_day_ms, last_day_ms)
        found = table.get(day_ms)
        return None if found is None else found[0]

    return lookup
