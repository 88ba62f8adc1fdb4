"""Client-side rate limiting, so that Bybit's limits are never hit instead of hit and retried.

Bybit counts per UID and endpoint in a rolling 1 s window (10006 when exceeded) and per IP across
all its hosts, 600 requests per 5 s (HTTP 403 and a ban of at least 10 minutes). A request that
would exceed a limit here *waits* for its slot; nothing is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Per-UID limits per endpoint (REFERENCE.md §5). Market endpoints have none; the IP limit covers them.
UID_LIMITS_PER_S: dict[str, int] = {
    "/v5/position/list": 50,
    "/v5/account/wallet-balance": 50,
    "/v5/account/info": 50,
    "/v5/user/query-api": 10,
    "/v5/account/fee-rate": 5,
    "/v5/position/closed-pnl": 50,
    "/v5/account/transaction-log": 25,
    "/v5/account/contract-transaction-log": 25,
}
UID_WINDOW_S = 1.0
IP_LIMIT = 600  # Bybit's: requests per IP per 5 s across all its hosts; more is a 10-minute ban (403)
IP_WINDOW_S = 5.0
# What the client allows itself. A request granted a slot reaches Bybit a little later (signing, a busy
# event loop, the network), so grants spaced to exactly 600 per window can arrive as ~690 in one
# (measured with 20 accounts polled every second against an in-process simulator). A ban stops
# every account for ten minutes, so the client keeps a quarter of the budget as headroom.
IP_BUDGET = 450
# Requests sent evenly can still arrive bunched (network jitter), so each window is counted a little
# longer than Bybit's; 5% of throughput is a cheap price for never seeing a 10006 or a 403.
WINDOW_MARGIN = 1.05


class SlidingWindowLimiter:
    """At most `limit` acquisitions in any `window_s` interval, granted first come, first served.

    Each caller reserves the earliest time its slot is free and sleeps until then, so waiters never
    race each other after a wake-up. A cancelled waiter keeps its reservation, which only errs on
    the safe side.
    """

    __slots__ = ("_blocked_until", "_monotonic", "_sleep", "_starts", "limit", "window_s")

    def __init__(self, limit: int, window_s: float, *, monotonic: Monotonic = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._starts: deque[float] = deque()  # granted start times, non-decreasing; may lie in the future
        self._blocked_until = 0.0

    def _reserve(self) -> float:
        now = self._monotonic()
        # Only the last `limit` reservations matter: the oldest of them decides when a slot opens.
        while len(self._starts) > self.limit:
            self._starts.popleft()
        start = max(now, self._blocked_until)
        if len(self._starts) == self.limit:
            start = max(start, self._starts[0] + self.window_s)
        if self._starts:
            start = max(start, self._starts[-1])  # grants stay in arrival order
        self._starts.append(start)
        return start - now

    async def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited (0.0 when a slot was free)."""
        wait_s = self._reserve()
        if wait_s > 0:
            await self._sleep(wait_s)
        return max(0.0, wait_s)

    def block_for(self, seconds: float) -> None:
        """Grant nothing for the next `seconds` (Bybit said the quota is spent until its reset)."""
        self._blocked_until = max(self._blocked_until, self._monotonic() + max(0.0, seconds))

    def pending(self) -> int:
        """Reservations still inside the window (for diagnostics and tests)."""
        now = self._monotonic()
        return sum(1 for t in self._starts if t > now - self.window_s)


_process_ip_limiter: SlidingWindowLimiter | None = None


def process_ip_limiter() -> SlidingWindowLimiter:
    """The IP limiter shared by every pool of this process: Bybit counts the IP, not the pool."""
    global _process_ip_limiter
    if _process_ip_limiter is None:
        _process_ip_limiter = SlidingWindowLimiter(IP_BUDGET, IP_WINDOW_S * WINDOW_MARGIN)
    return _process_ip_limiter


class RateLimits:
    """The limiters of one HttpPool: one for the IP, one per (host, api_key, endpoint)."""

    __slots__ = ("_by_endpoint", "_monotonic", "_sleep", "ip")

    def __init__(self, *, ip: SlidingWindowLimiter | None = None, monotonic: Monotonic = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self.ip = ip or SlidingWindowLimiter(IP_BUDGET, IP_WINDOW_S * WINDOW_MARGIN, monotonic=monotonic,
                                             sleep=sleep)
        self._by_endpoint: dict[tuple[str, str, str], SlidingWindowLimiter] = {}

    def for_endpoint(self, host: str, api_key: str | None, path: str) -> SlidingWindowLimiter | None:
        """The per-UID limiter of an endpoint, or None for endpoints without one (market data)."""
        limit = UID_LIMITS_PER_S.get(path)
        if limit is None or api_key is None:
            return None
        key = (host, api_key, path)
        limiter = self._by_endpoint.get(key)
        if limiter is None:
            limiter = SlidingWindowLimiter(limit, UID_WINDOW_S * WINDOW_MARGIN, monotonic=self._monotonic,
                                           sleep=self._sleep)
            self._by_endpoint[key] = limiter
        return limiter

    async def acquire(self, host: str, api_key: str | None, path: str) -> None:
        """Wait for the endpoint's slot first, then for the IP's, so a slow account does not hold IP slots."""
        limiter = self.for_endpoint(host, api_key, path)
        if limiter is not None:
            await limiter.acquire()
        await self.ip.acquire()
