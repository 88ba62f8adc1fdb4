"""Daily mark-price history per coin for VaR, beta and stress, fetched once per UTC day and cached.

Bybit's market endpoints are public and have no per-UID limit, but a year of daily klines per coin
on every 5-second refresh would waste the IP budget: a coin's history changes once a day.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.errors import MALFORMED, BybitError
from desktop_app.domain.market import Category

log = logging.getLogger(__name__)

HISTORY_DAYS = 365  # the VaR window: up to a year of daily closes
RETRY_AFTER_FAILURE_S = 600.0  # a failed coin is asked again after 10 minutes, not on every refresh


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """Daily closes per coin, oldest first. `missing` names coins whose history could not be fetched."""

    closes: Mapping[str, np.ndarray] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _utc_day(now_s: float) -> str:
    return datetime.fromtimestamp(now_s, UTC).strftime("%Y-%m-%d")


class PriceHistoryCache:
    """Caches each coin's closes per (host, coin, UTC day)."""

    def __init__(self, *, days: int = HISTORY_DAYS, now: Callable[[], float] = time.time) -> None:
        self._days = days
        self._now = now
        self._closes: dict[tuple[str, str], tuple[str, np.ndarray]] = {}
        self._failed_at: dict[tuple[str, str], float] = {}

    async def history(self, client: BybitClient, coins: Iterable[str]) -> PriceHistory:
        """Closes for `coins` from `client`'s host; a coin that fails is listed in `missing`."""
        wanted = sorted(set(coins))
        results = await asyncio.gather(*(self._coin(client, coin) for coin in wanted))
        closes = {coin: arr for coin, arr in zip(wanted, results, strict=True) if arr is not None}
        missing = tuple(coin for coin, arr in zip(wanted, results, strict=True) if arr is None)
        return PriceHistory(closes=closes, missing=missing)

    async def _coin(self, client: BybitClient, coin: str) -> np.ndarray | None:
        key = (client.environment.rest_url, coin)
        now_s = self._now()
        day = _utc_day(now_s)
        cached = self._closes.get(key)
        if cached is not None and cached[0] == day:
            return cached[1]
        failed_at = self._failed_at.get(key)
        if failed_at is not None and now_s - failed_at < RETRY_AFTER_FAILURE_S:
            return cached[1] if cached is not None else None
        try:
            arr = await self._fetch(client, coin)
        except BybitError as exc:
            log.info("no price history for %s: %s", coin, exc)
            self._failed_at[key] = now_s
            # Yesterday's history is still a fair estimate of volatility; better than none.
            return cached[1] if cached is not None else None
        self._failed_at.pop(key, None)
        self._closes[key] = (day, arr)
        return arr

    async def _fetch(self, client: BybitClient, coin: str) -> np.ndarray:
        # The USDT perpetual is the deepest market for almost every coin; the inverse contract is
        # the fallback for coins held only as inverse positions.
        last_error: BybitError | None = None
        for category, symbol in ((Category.LINEAR, f"{coin}USDT"), (Category.INVERSE, f"{coin}USD")):
            try:
                klines = await client.mark_price_klines(category, symbol, "D", limit=self._days)
            except BybitError as exc:
                last_error = exc
                continue
            closes = np.array([float(k.close) for k in klines], dtype=np.float64)
            if closes.size >= 2 and np.all(np.isfinite(closes)) and np.all(closes > 0):
                closes.flags.writeable = False
                return closes
        raise last_error or BybitError(MALFORMED, f"no daily price history for {coin}")
