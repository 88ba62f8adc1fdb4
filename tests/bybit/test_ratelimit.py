"""Client-side rate limiting: sliding windows, first-come-first-served waits, Bybit's reset blocks."""

from __future__ import annotations

import asyncio
import bisect

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bybit.ratelimit import (
    IP_BUDGET,
    IP_LIMIT,
    IP_WINDOW_S,
    UID_LIMITS_PER_S,
    RateLimits,
    SlidingWindowLimiter,
)


class ManualClock:
    """Time moves only when the test moves it; sleeping records the wait and does not advance."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def max_in_any_window(grants: list[float], window_s: float) -> int:
    grants = sorted(grants)
    # For each grant g, how many grants fall in [g, g + window): the worst such count.
    return max(bisect.bisect_left(grants, g + window_s - 1e-9) - i for i, g in enumerate(grants))


def test_sequential_acquisitions_wait_for_the_window() -> None:
    clock = ManualClock()

    async def advancing_sleep(seconds: float) -> None:
        clock.waits.append(seconds)
        clock.now += seconds

    limiter = SlidingWindowLimiter(5, 1.0, monotonic=clock.monotonic, sleep=advancing_sleep)

    async def go() -> list[float]:
        granted = []
        for _ in range(12):
            await limiter.acquire()
            granted.append(clock.now)
        return granted

    # 5 per second: requests 1-5 at t=0, 6-10 at t=1, 11-12 at t=2.
    assert asyncio.run(go()) == [0.0] * 5 + [1.0] * 5 + [2.0] * 2
    assert clock.waits == [1.0, 1.0]


def test_concurrent_waiters_are_served_in_order() -> None:
    clock = ManualClock()
    limiter = SlidingWindowLimiter(5, 1.0, monotonic=clock.monotonic, sleep=clock.sleep)

    async def go() -> list[float]:
        return list(await asyncio.gather(*(limiter.acquire() for _ in range(12))))

    # All twelve arrive at t=0: five go now, the next five reserve t=1, the last two t=2.
    assert asyncio.run(go()) == [0.0] * 5 + [1.0] * 5 + [2.0] * 2


def test_block_for_delays_the_next_grant() -> None:
    clock = ManualClock()
    limiter = SlidingWindowLimiter(50, 1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    limiter.block_for(0.4)
    assert asyncio.run(limiter.acquire()) == 0.4
    clock.now = 0.5
    assert asyncio.run(limiter.acquire()) == 0.0


@given(st.lists(st.floats(min_value=0, max_value=20, allow_nan=False), min_size=1, max_size=200),
       st.integers(min_value=1, max_value=10), st.sampled_from([0.5, 1.0, 5.0]))
def test_no_window_ever_holds_more_than_the_limit(arrivals: list[float], limit: int, window_s: float) -> None:
    clock = ManualClock()
    limiter = SlidingWindowLimiter(limit, window_s, monotonic=clock.monotonic, sleep=clock.sleep)
    grants = []
    for arrival in sorted(arrivals):
        clock.now = arrival
        grants.append(arrival + asyncio.run(limiter.acquire()))
    assert max_in_any_window(grants, window_s) <= limit
    # Nothing is dropped, and nobody is served before arriving.
    assert len(grants) == len(arrivals)
    assert all(g >= a for g, a in zip(grants, sorted(arrivals), strict=True))


def test_fifty_accounts_polled_every_second_stay_under_the_ip_limit() -> None:
    clock = ManualClock()
    limits = RateLimits(monotonic=clock.monotonic, sleep=clock.sleep)
    paths = ["/v5/account/wallet-balance", "/v5/account/info"] + ["/v5/position/list"] * 4
    grants: list[float] = []

    async def poll_all() -> None:
        for account in range(50):
            for path in paths:
                limiter = limits.for_endpoint("https://api.bybit.com", f"key{account}", path)
                assert limiter is not None
                endpoint_wait = await limiter.acquire()
                assert endpoint_wait == 0.0  # 6 calls per account per second, far under 50/s
                grants.append(clock.now + await limits.ip.acquire())

    for second in range(10):
        clock.now = float(second)
        asyncio.run(poll_all())
    # 50 accounts x 6 calls x 10 polls = 3000 requests, all granted, none in a burst over the client's
    # budget (450 per 5 s, well under Bybit's 600).
    assert len(grants) == 3000
    assert max_in_any_window(grants, IP_WINDOW_S) <= IP_BUDGET < IP_LIMIT
    # 3000 requests need at least 3000 / 450 = 6.7 windows: the last one waits >= 6 windows past t=0.
    assert max(grants) >= 6 * IP_WINDOW_S


def test_limits_are_keyed_by_host_key_and_endpoint() -> None:
    limits = RateLimits()
    a = limits.for_endpoint("https://api.bybit.com", "k1", "/v5/position/list")
    assert a is limits.for_endpoint("https://api.bybit.com", "k1", "/v5/position/list")
    assert a is not limits.for_endpoint("https://api.bybit.com", "k2", "/v5/position/list")
    assert a is not limits.for_endpoint("https://api-testnet.bybit.com", "k1", "/v5/position/list")
    assert a is not None and a.limit == 50
    fee = limits.for_endpoint("https://api.bybit.com", "k1", "/v5/account/fee-rate")
    assert fee is not None and fee.limit == 5
    assert limits.for_endpoint("https://api.bybit.com", "k1", "/v5/market/tickers") is None
    assert UID_LIMITS_PER_S["/v5/user/query-api"] == 10
