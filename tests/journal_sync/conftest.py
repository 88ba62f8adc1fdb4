"""A simulator for journal syncs (frozen clock, no page cap so syncs stay quick), with fast retries.

The journal takes "now" from the exchange's clock, so the simulator's exchange clock is its price clock
(`server_clock="price"`) and the tests run the client's clock from it as well."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest

from desktop_app.bybit import http, ratelimit
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.exchange_sim import Simulator, routes_private
from tests.sim_fixtures import SIM_SEED, SIM_START_MS


@pytest.fixture
def jsim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False,
                   page_size_cap=None, history_page_cap=None, server_clock="price") as simulator:
        yield simulator


# Bybit allows 25 transaction-log requests a second per account: a first sync of 90 days would wait
# about a second per account here for nothing these tests check (the limiters have tests of their own).
_UNHURRIED = ("/v5/position/closed-pnl", "/v5/account/transaction-log",
              "/v5/account/contract-transaction-log")


@pytest.fixture(autouse=True)
def _isolated_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    for limits in (ratelimit.UID_LIMITS_PER_S, routes_private.UID_LIMITS):
        for path in _UNHURRIED:
            monkeypatch.setitem(limits, path, 1000)
    limiter = SlidingWindowLimiter(600, 5.25)
    monkeypatch.setattr(http, "process_ip_limiter", lambda: limiter)
    monkeypatch.setattr(http, "RetryPolicy", functools.partial(
        http.RetryPolicy, base_delay_s=0.01, max_delay_s=0.02, max_reset_wait_s=0.05))
