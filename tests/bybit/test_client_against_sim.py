"""The client against the real loopback simulator: signing (HMAC and RSA), pagination, clock skew,
rate limits, bans, timeouts, malformed bodies and bad credentials, over real HTTP."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import custom
from desktop_app.bybit.errors import (
    HTTP_STATUS,
    TIMEOUT,
    TRANSPORT_ERROR,
    BybitBanError,
    BybitError,
    BybitParseError,
)
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.market import Category
from desktop_app.exchange_sim import SimAccount, Simulator

FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, max_reset_wait_s=0.05)


class RecordingTransport(httpx.AsyncBaseTransport):
    """The pool's real transport, remembering every request target it sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.sent: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.raw_path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=7, realtime=False) as simulator:
        yield simulator


def make_pool(**kwargs: Any) -> HttpPool:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("timeout_s", 5.0)
    # A private IP limiter: tests must not share the process-wide one with each other.
    return HttpPool(ip_limiter=SlidingWindowLimiter(600, 5.25), **kwargs)


def client_of(sim: Simulator, account: SimAccount | None, pool: HttpPool, *, secret: str | None = None,
              key: str | None = None) -> BybitClient:
    if account is None:
        return BybitClient(custom(sim.base_url), None, pool)
    credentials = Credentials(key or account.api_key, Secret(secret or account.api_secret),
                              KeyType(account.key_type))
    return BybitClient(custom(sim.base_url), credentials, pool)


def run(pool: HttpPool, call: Callable[[], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        try:
            return await call()
        finally:
            await pool.aclose()

    return asyncio.run(go())


def test_every_demo_account_reads_back_hmac_and_rsa(sim: Simulator) -> None:
    assert {a.key_type for a in sim.accounts} == {"hmac", "rsa"}
    pool = make_pool()

    async def read_all() -> list[tuple[SimAccount, Any, Any, Any]]:
        out = []
        for account in sim.accounts:
            client = client_of(sim, account, pool)
            positions, wallet, info = await asyncio.gather(client.all_positions(), client.wallet(),
                                                           client.account_info())
            out.append((account, positions, wallet, info))
        return out

    for account, positions, wallet, info in run(pool, read_all):
        expected = Counter((p.symbol, p.position_idx) for p in account.positions)
        assert Counter((p.symbol, p.position_idx) for p in positions) == expected, account.name
        assert wallet.account_type == ("CONTRACT" if account.classic else "UNIFIED")
        assert info.margin_mode.value == account.margin_mode


def test_pagination_sends_cursors_verbatim(sim: Simulator) -> None:
    main = sim.account("Main")
    usdt = [p for p in main.positions if p.symbol.endswith("USDT")]
    transport = RecordingTransport()
    pool = make_pool(transport=transport)
    positions = run(pool, lambda: client_of(sim, main, pool).positions(Category.LINEAR, settle_coin="USDT"))
    assert len(positions) == len(usdt)
    pages = [t for t in transport.sent if t.startswith(b"/v5/position/list")]
    assert len(pages) == math.ceil(len(usdt) / 3)  # the simulator caps pages at 3 rows
    assert len(pages) >= 2
    for target in pages[1:]:
        cursor = target.split(b"cursor=")[1].split(b"&")[0]
        assert b"%" in cursor and b"%25" not in cursor  # Bybit's encoding kept, not encoded again


@pytest.mark.parametrize("skew_ms", [3000, -3000])
def test_clock_skew_of_three_seconds(sim: Simulator, skew_ms: int) -> None:
    sim.faults.clock_skew_ms = skew_ms
    pool = make_pool()
    info = run(pool, lambda: client_of(sim, sim.accounts[0], pool).account_info())
    assert info.margin_mode is not None
    offset = pool.clock_for(sim.base_url).offset_ms
    assert offset is not None and abs(offset - skew_ms) < 500  # loopback round trips are ~1 ms


def test_clock_jump_after_sync_resyncs_once(sim: Simulator) -> None:
    pool = make_pool()
    client = client_of(sim, sim.accounts[0], pool)

    async def go() -> int | None:
        await client.account_info()  # synced with no skew
        sim.faults.clock_skew_ms = 6000  # now every old-offset timestamp is 6 s behind: 10002
        await client.account_info()
        return pool.clock_for(sim.base_url).offset_ms

    offset = run(pool, go)
    assert offset is not None and abs(offset - 6000) < 500


def test_injected_10006_is_retried_then_reported(sim: Simulator) -> None:
    sim.faults.error_rate_10006 = 1.0
    pool = make_pool()
    with pytest.raises(BybitError) as info:
        run(pool, lambda: client_of(sim, sim.accounts[0], pool).account_info())
    assert info.value.ret_code == 10006 and info.value.retryable


def test_real_per_uid_limit_waits_for_reset(sim: Simulator) -> None:
    """Two pools (two app instances) share one key: query-api allows 10/s per UID, so the simulator
    answers 10006 to some of the 24 calls; every call still succeeds after waiting for the reset."""
    account = sim.accounts[0]
    policy = RetryPolicy(max_attempts=8, base_delay_s=0.01, max_delay_s=0.05, max_reset_wait_s=1.2)
    pools = [make_pool(retry=policy), make_pool(retry=policy)]

    async def go() -> int:
        try:
            calls = [client_of(sim, account, pool).api_key_info() for pool in pools for _ in range(12)]
            return len(await asyncio.gather(*calls))
        finally:
            for pool in pools:
                await pool.aclose()

    assert asyncio.run(go()) == 24
    # 24 answered calls + one clock sync per pool; anything beyond that was a 10006 that was retried.
    assert sim.stats.requests > 24 + 2


def test_403_bans_the_host_and_stops_calling_it() -> None:
    with Simulator(seed=7, realtime=False, ip_limit=5, ip_window_s=5.0, ip_ban_s=600.0) as small:
        pool = make_pool()
        client = client_of(small, None, pool)

        async def go() -> None:
            for _ in range(5):
                await client.tickers(Category.LINEAR, "BTCUSDT")
            with pytest.raises(BybitBanError) as first:
                await client.tickers(Category.LINEAR, "BTCUSDT")
            assert "rate-limited or banned" in str(first.value)
            sent = small.stats.requests
            with pytest.raises(BybitBanError):
                await client.instruments(Category.LINEAR)
            assert small.stats.requests == sent  # refused locally, nothing sent

        run(pool, go)


def test_held_requests_time_out(sim: Simulator) -> None:
    sim.faults.timeout_rate = 1.0
    sim.faults.timeout_hold_s = 5.0
    pool = make_pool(timeout_s=0.3, retry=replace(FAST, max_attempts=2))
    with pytest.raises(BybitError) as info:
        run(pool, lambda: client_of(sim, None, pool).tickers(Category.LINEAR))
    assert info.value.ret_code == TIMEOUT
    assert "did not answer within 0.3 s" in str(info.value)


def test_dropped_connections_are_transport_errors(sim: Simulator) -> None:
    sim.faults.timeout_rate = 1.0
    sim.faults.timeout_mode = "close"
    pool = make_pool(retry=replace(FAST, max_attempts=2))
    with pytest.raises(BybitError) as info:
        run(pool, lambda: client_of(sim, None, pool).tickers(Category.LINEAR))
    assert info.value.ret_code == TRANSPORT_ERROR


def test_malformed_bodies_are_parse_errors(sim: Simulator) -> None:
    sim.faults.malformed_rate = 1.0
    pool = make_pool()
    before = sim.stats.requests
    with pytest.raises(BybitParseError):
        run(pool, lambda: client_of(sim, None, pool).tickers(Category.LINEAR))
    assert sim.stats.requests == before + 1  # not retried


def test_server_errors_are_retried_then_reported(sim: Simulator) -> None:
    sim.faults.error_rate_5xx = 1.0
    pool = make_pool()
    before = sim.stats.requests
    with pytest.raises(BybitError) as info:
        run(pool, lambda: client_of(sim, None, pool).tickers(Category.LINEAR))
    assert info.value.ret_code == HTTP_STATUS and info.value.retryable
    assert sim.stats.requests == before + FAST.max_attempts


def test_failing_account_gives_10016(sim: Simulator) -> None:
    account = sim.accounts[0]
    sim.faults.fail(account.uid)
    pool = make_pool()
    with pytest.raises(BybitError) as info:
        run(pool, lambda: client_of(sim, account, pool).wallet())
    assert info.value.ret_code == 10016


def test_bad_key_bad_secret_and_foreign_rsa_key(sim: Simulator) -> None:
    hmac_account = next(a for a in sim.accounts if a.key_type == "hmac")
    rsa_account = next(a for a in sim.accounts if a.key_type == "rsa")
    other_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    cases = [
        (hmac_account, {"key": "NOSUCHKEY123456"}, 10003, "API key is invalid"),
        (hmac_account, {"secret": "wrong-secret-value"}, 10004, "signature rejected"),
        (rsa_account, {"secret": other_pem}, 10004, "signature rejected"),
    ]
    for account, override, code, words in cases:
        pool = make_pool()
        with pytest.raises(BybitError) as info:
            run(pool, lambda a=account, o=override, p=pool: client_of(sim, a, p, **o).account_info())
        assert info.value.ret_code == code and words in str(info.value)
        assert account.api_secret not in str(info.value) and account.api_secret not in repr(info.value)


def test_ip_not_whitelisted() -> None:
    account = replace(Simulator.make_demo_accounts(1)[0], ip_whitelist=("10.9.9.9",))
    with Simulator(seed=7, realtime=False, accounts=[account]) as bound:
        pool = make_pool()
        with pytest.raises(BybitError) as info:
            run(pool, lambda: client_of(bound, account, pool).account_info())
    assert info.value.ret_code == 10010 and "whitelist" in str(info.value)
