"""Price-history cache against the simulator: one kline request per coin per UTC day, the inverse
contract as the fallback, failures listed in `missing` and retried only after 10 minutes."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import numpy as np
import pytest

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import custom
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.exchange_sim import Simulator
from desktop_app.price_history import RETRY_AFTER_FAILURE_S, PriceHistory, PriceHistoryCache
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

KLINE_PATH = "/v5/market/mark-price-kline"
DAY_S = 86_400.0
# 2026-01-01T01:00:00Z, one hour into a UTC day (the simulator's own price clock starts at 00:00).
MORNING_S = SIM_START_MS / 1000 + 3_600


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS) as simulator:
        yield simulator


class KlineTransport(httpx.AsyncBaseTransport):
    """The real transport, counting mark-price kline requests per symbol; symbols in `broken` are
    answered with Bybit's 10001 envelope, as Bybit does for a symbol it does not list."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncHTTPTransport | None = None   # one per event loop: opened on demand
        self.klines: Counter[str] = Counter()
        self.broken: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == KLINE_PATH:
            symbol = parse_qs(request.url.query.decode())["symbol"][0]
            self.klines[symbol] += 1
            if symbol in self.broken:
                body = {"retCode": 10001, "retMsg": "Not supported symbols", "result": {}, "time": 0}
                return httpx.Response(200, content=json.dumps(body).encode(), request=request)
        if self.inner is None:
            self.inner = httpx.AsyncHTTPTransport(retries=0)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
            self.inner = None


class Clock:
    def __init__(self, now_s: float) -> None:
        self.now_s = now_s

    def __call__(self) -> float:
        return self.now_s


class Harness:
    """A cache with an injected clock and one public client of the simulator over a counting transport."""

    def __init__(self, sim: Simulator) -> None:
        self.transport = KlineTransport()
        self.clock = Clock(MORNING_S)
        self.cache = PriceHistoryCache(now=self.clock)
        self.sim = sim

    def history(self, *coins: str) -> PriceHistory:
        async def go() -> PriceHistory:
            pool = HttpPool(transport=self.transport, timeout_s=5.0, retry=RetryPolicy(max_attempts=1),
                            ip_limiter=SlidingWindowLimiter(600, 5.25))
            try:
                return await self.cache.history(BybitClient(custom(self.sim.base_url), None, pool), coins)
            finally:
                await pool.aclose()

        return asyncio.run(go())


def test_a_year_of_daily_closes_oldest_first(sim: Simulator) -> None:
    h = Harness(sim)
    history = h.history("BTC", "ETH")
    assert history.missing == ()
    assert set(history.closes) == {"BTC", "ETH"}
    btc = history.closes["BTC"]
    assert btc.dtype == np.float64 and btc.shape == (365,)
    # Oldest first: the last close is today's (still open) candle, i.e. the mark price right now.
    assert btc[-1] == float(sim.mark_price("BTCUSDT"))
    assert not btc.flags.writeable   # shared between updates, so nobody may change it
    assert h.transport.klines == Counter({"BTCUSDT": 1, "ETHUSDT": 1})


def test_fetched_once_per_utc_day_per_coin(sim: Simulator) -> None:
    h = Harness(sim)
    first = h.history("BTC", "ETH")
    assert h.transport.klines == Counter({"BTCUSDT": 1, "ETHUSDT": 1})

    h.clock.now_s = MORNING_S + 22 * 3_600 + 3_599   # 23:59:59 the same UTC day
    again = h.history("ETH", "BTC", "BTC")
    assert h.transport.klines == Counter({"BTCUSDT": 1, "ETHUSDT": 1})   # no new request
    assert again.closes["BTC"] is first.closes["BTC"]

    h.history("SOL", "BTC")   # a newly held coin is fetched on its own, the others stay cached
    assert h.transport.klines == Counter({"BTCUSDT": 1, "ETHUSDT": 1, "SOLUSDT": 1})

    h.clock.now_s = MORNING_S + 23 * 3_600   # 00:00:00 the next UTC day
    h.history("BTC", "ETH")
    assert h.transport.klines == Counter({"BTCUSDT": 2, "ETHUSDT": 2, "SOLUSDT": 1})


def test_an_unknown_coin_is_missing_and_retried_only_after_ten_minutes(sim: Simulator) -> None:
    h = Harness(sim)
    history = h.history("BTC", "NOPE")
    assert history.missing == ("NOPE",)
    assert set(history.closes) == {"BTC"}
    # Both the USDT perpetual and the inverse contract were tried.
    assert h.transport.klines["NOPEUSDT"] == 1 and h.transport.klines["NOPEUSD"] == 1

    h.clock.now_s = MORNING_S + RETRY_AFTER_FAILURE_S - 1   # 9 min 59 s later: not asked again
    assert h.history("BTC", "NOPE").missing == ("NOPE",)
    assert h.transport.klines["NOPEUSDT"] == 1 and h.transport.klines["BTCUSDT"] == 1

    h.clock.now_s = MORNING_S + RETRY_AFTER_FAILURE_S   # 10 minutes later: asked again
    assert h.history("NOPE").missing == ("NOPE",)
    assert h.transport.klines["NOPEUSDT"] == 2 and h.transport.klines["NOPEUSD"] == 2


def test_a_coin_that_recovers_is_fetched_after_the_retry_delay(sim: Simulator) -> None:
    h = Harness(sim)
    h.transport.broken = {"SOLUSDT"}
    # No inverse SOL contract either, so SOL has no history for now.
    assert h.history("SOL").missing == ("SOL",)
    h.transport.broken = set()
    h.clock.now_s += 60
    assert h.history("SOL").missing == ("SOL",)   # within 10 minutes: still the failure
    assert h.transport.klines["SOLUSDT"] == 1
    h.clock.now_s += RETRY_AFTER_FAILURE_S
    recovered = h.history("SOL")
    assert recovered.missing == () and recovered.closes["SOL"].shape == (365,)
    assert h.transport.klines["SOLUSDT"] == 2


def test_the_inverse_contract_is_the_fallback(sim: Simulator) -> None:
    h = Harness(sim)
    h.transport.broken = {"BTCUSDT"}
    history = h.history("BTC")
    assert history.missing == ()
    assert h.transport.klines == Counter({"BTCUSDT": 1, "BTCUSD": 1})
    # BTCUSD's mark (tick 0.5) is the same coin price as BTCUSDT's (tick 0.1) to within a tick.
    assert history.closes["BTC"][-1] == pytest.approx(float(sim.mark_price("BTCUSD")))


def test_yesterdays_history_stands_in_when_todays_fetch_fails(sim: Simulator) -> None:
    h = Harness(sim)
    yesterday = h.history("ETH").closes["ETH"]
    h.transport.broken = {"ETHUSDT", "ETHUSD"}
    h.clock.now_s += DAY_S
    today = h.history("ETH")
    assert today.missing == () and today.closes["ETH"] is yesterday
    assert h.transport.klines == Counter({"ETHUSDT": 2, "ETHUSD": 1})
    h.clock.now_s += 300   # still within the retry delay: no new request
    assert h.history("ETH").closes["ETH"] is yesterday
    assert h.transport.klines == Counter({"ETHUSDT": 2, "ETHUSD": 1})


def test_no_coins_no_requests(sim: Simulator) -> None:
    h = Harness(sim)
    assert h.history() == PriceHistory(closes={}, missing=())
    assert sum(h.transport.klines.values()) == 0
