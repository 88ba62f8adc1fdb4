"""Monitor against the loopback simulator: every account in one snapshot, fetched concurrently, failures
recorded per account with the last good data kept, disabled accounts never called."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.messages import BAD_CREDENTIALS
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.domain.account import MarginMode
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.market import Side
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.exchange_sim import Simulator
from desktop_app.monitor import Monitor
from desktop_app.risk import book_from_snapshot, build_report
from tests.sim_fixtures import spec_of

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, max_reset_wait_s=0.05)




class BarrierTransport(httpx.AsyncBaseTransport):
    """The real transport, but each signed request is held until requests of `target` distinct keys
    (`key_of(request)`) are in flight at once. A sequential caller can never fill the barrier: it then
    opens after `give_up_s` (once, for good) and `peak` stays below `target`, so the test fails
    instead of hanging. No timing enters the assertion, only the count of overlapping requests."""

    def __init__(self, target: int, key_of: Callable[[httpx.Request], str], give_up_s: float = 3.0) -> None:
        self.inner = httpx.AsyncHTTPTransport(retries=0)
        self.target = target
        self.key_of = key_of
        self.give_up_s = give_up_s
        self.in_flight: dict[str, int] = {}
        self.peak = 0
        self.sent_keys: list[str] = []   # X-BAPI-API-KEY of every signed request
        self._full = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        api_key = request.headers.get("X-BAPI-API-KEY")
        if api_key is None:   # the unsigned clock sync is not an account's request
            return await self.inner.handle_async_request(request)
        self.sent_keys.append(api_key)
        key = self.key_of(request)
        self.in_flight[key] = self.in_flight.get(key, 0) + 1
        self.peak = max(self.peak, len(self.in_flight))
        if len(self.in_flight) >= self.target:
            self._full.set()
        try:
            if not self._full.is_set():
                try:
                    await asyncio.wait_for(self._full.wait(), self.give_up_s)
                except TimeoutError:
                    self._full.set()
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight[key] -= 1
            if self.in_flight[key] == 0:
                del self.in_flight[key]

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_pool(transport: httpx.AsyncBaseTransport | None = None) -> HttpPool:
    # A private IP limiter: tests must not share the process-wide one.
    return HttpPool(retry=FAST, timeout_s=5.0, transport=transport,
                    ip_limiter=SlidingWindowLimiter(600, 5.25))


def run(pool: HttpPool, call: Callable[[], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        try:
            return await call()
        finally:
            await pool.aclose()

    return asyncio.run(go())


class Clock:
    def __init__(self, now_s: float) -> None:
        self.now_s = now_s

    def __call__(self) -> float:
        return self.now_s


def test_all_demo_accounts_refresh_with_positions_and_wallets(sim: Simulator) -> None:
    pool = make_pool()
    monitor = Monitor(pool, now=Clock(1_000.0))
    snapshot = run(pool, lambda: monitor.refresh([spec_of(sim, a) for a in sim.accounts]))

    assert isinstance(snapshot, PortfolioSnapshot) and snapshot.complete
    assert [s.name for s in snapshot.accounts] == ["Main", "Isolated", "Portfolio", "Classic", "Hedge"]
    for state, account in zip(snapshot.accounts, sim.accounts, strict=True):
        assert state.ok and state.error is None and state.error_code is None
        assert state.data is not None and state.data.fetched_at == 1_000.0
        # Every position the simulator holds, across pages (the simulator caps pages at 3 rows, so
        # Main's seven USDT perps take three pages) and categories (BTCPERP is USDC, BTCUSD inverse).
        held = {(p.symbol, Side.LONG if p.side == "Buy" else Side.SHORT, p.size) for p in account.positions}
        got = {(p.symbol, p.side, p.size) for p in state.data.positions}
        assert got == held
        assert len(state.data.positions) == len(account.positions)
        assert state.data.info.margin_mode == MarginMode(account.margin_mode)
        assert state.data.info.is_classic == account.classic
        assert state.data.wallet.account_type == ("CONTRACT" if account.classic else "UNIFIED")

    hedge = snapshot.accounts[4]
    assert hedge.data is not None
    # Hedge: 22,000 USDT + 2.5 × (BTC mark − 64,800) + 15 × (ETH mark − 3,380) of unrealised PnL.
    btc, eth = sim.mark_price("BTCUSDT"), sim.mark_price("ETHUSDT")
    expected = Decimal(22_000) + Decimal("2.5") * (btc - 64_800) + 15 * (eth - 3_380)
    assert hedge.data.wallet.total_equity_usd == pytest.approx(expected, abs=Decimal("0.01"))


def test_accounts_are_fetched_concurrently(sim: Simulator) -> None:
    # Each account's first request is held until all five accounts have one in flight at once.
    transport = BarrierTransport(len(sim.accounts), key_of=lambda r: r.headers["X-BAPI-API-KEY"])
    pool = make_pool(transport)
    snapshot = run(pool, lambda: Monitor(pool).refresh([spec_of(sim, a) for a in sim.accounts]))
    assert transport.peak == 5
    assert snapshot.complete


def test_one_accounts_calls_are_concurrent(sim: Simulator) -> None:
    # Main's first wave: account info, wallet, and the four position queries (linear USDT, linear
    # USDC, inverse, option) — six distinct requests in flight together.
    transport = BarrierTransport(6, key_of=lambda r: str(r.url))
    pool = make_pool(transport)
    state = run(pool, lambda: Monitor(pool).refresh_account(spec_of(sim, sim.account("Main"))))
    assert transport.peak == 6
    assert state.ok


def test_a_failing_account_is_recorded_and_the_others_are_fine(sim: Simulator) -> None:
    sim.faults.fail(sim.account("Isolated").uid)   # every private call: retCode 10016
    specs = [spec_of(sim, a) for a in sim.accounts]
    specs[4] = spec_of(sim, sim.account("Hedge"), credentials=Credentials("NOSUCHKEY", Secret("x" * 36)))
    pool = make_pool()
    snapshot = run(pool, lambda: Monitor(pool, now=Clock(500.0)).refresh(specs))

    by_name = {s.name: s for s in snapshot.accounts}
    assert not snapshot.complete
    isolated, hedge = by_name["Isolated"], by_name["Hedge"]
    assert not isolated.ok and isolated.data is None and isolated.error_code == 10016
    assert isolated.error is not None and isolated.error.startswith("[10016] ")
    assert isolated.attempted_at == 500.0 and isolated.age_s(600.0) is None
    assert not hedge.ok and hedge.error_code == 10003 and "[10003]" in (hedge.error or "")
    assert "x" * 36 not in (hedge.error or "")
    for name in ("Main", "Portfolio", "Classic"):
        assert by_name[name].ok and by_name[name].data is not None and by_name[name].data.positions


def test_an_unusable_rsa_key_fails_only_its_own_account(sim: Simulator) -> None:
    # The signer rejects this secret when the client is built; that must be the account's error, not
    # an exception that stops every other account's refresh.
    broken = Credentials(sim.account("Portfolio").api_key, Secret("not a PEM key"), KeyType.RSA)
    specs = [spec_of(sim, a) for a in sim.accounts]
    specs[2] = replace(specs[2], credentials=broken)
    pool = make_pool()
    snapshot = run(pool, lambda: Monitor(pool).refresh(specs))
    states = {s.name: s for s in snapshot.accounts}
    assert states["Portfolio"].error_code == BAD_CREDENTIALS and not states["Portfolio"].ok
    assert "not a PEM key" not in (states["Portfolio"].error or "")
    assert all(states[n].ok for n in ("Main", "Isolated", "Classic", "Hedge"))


def test_a_later_failure_keeps_the_last_good_data_with_its_age(sim: Simulator) -> None:
    clock = Clock(10_000.0)
    pool = make_pool()
    monitor = Monitor(pool, now=clock)
    specs = [spec_of(sim, a) for a in sim.accounts]
    hedge_uid = sim.account("Hedge").uid

    async def two_refreshes() -> tuple[PortfolioSnapshot, PortfolioSnapshot]:
        first = await monitor.refresh(specs)
        clock.now_s = 10_090.0
        sim.faults.fail(hedge_uid)
        second = await monitor.refresh(specs, first)
        return first, second

    first, second = run(pool, two_refreshes)
    before = {s.name: s for s in first.accounts}["Hedge"]
    after = {s.name: s for s in second.accounts}["Hedge"]
    assert before.ok and before.data is not None
    assert not after.ok and after.stale and after.error_code == 10016
    assert after.data is before.data   # the very same last good fetch, not a new or empty one
    assert after.attempted_at == 10_090.0
    assert after.age_s(second.taken_at) == 90.0   # fetched at 10,000, snapshot at 10,090
    assert all(s.ok for s in second.accounts if s.name != "Hedge")

    # The risk figures of the stale account are its last good ones, never zeros.
    report = build_report(book_from_snapshot(second))
    hedge_risk = {a.name: a for a in report.accounts}["Hedge"]
    assert before.data.wallet.total_equity_usd is not None
    assert hedge_risk.equity_usd == pytest.approx(float(before.data.wallet.total_equity_usd))
    assert hedge_risk.stale and hedge_risk.age_s == 90.0
    assert {p.symbol for p in report.positions if p.account == "Hedge"} == {"BTCUSDT", "ETHUSDT"}


def test_a_failure_after_a_failure_still_keeps_the_last_good_data(sim: Simulator) -> None:
    clock = Clock(1_000.0)
    pool = make_pool()
    monitor = Monitor(pool, now=clock)
    specs = [spec_of(sim, sim.account("Main"))]

    async def three_refreshes() -> list[PortfolioSnapshot]:
        good = await monitor.refresh(specs)
        sim.faults.fail(sim.account("Main").uid)
        clock.now_s = 1_005.0
        bad1 = await monitor.refresh(specs, good)
        clock.now_s = 1_010.0
        bad2 = await monitor.refresh(specs, bad1)
        return [good, bad1, bad2]

    good, _, bad2 = run(pool, three_refreshes)
    assert bad2.accounts[0].data is good.accounts[0].data
    assert bad2.accounts[0].age_s(bad2.taken_at) == 10.0


def test_disabled_accounts_are_skipped(sim: Simulator) -> None:
    transport = BarrierTransport(1, key_of=lambda r: r.headers["X-BAPI-API-KEY"])
    pool = make_pool(transport)
    specs = [spec_of(sim, a, enabled=a.name != "Classic") for a in sim.accounts]
    snapshot = run(pool, lambda: Monitor(pool).refresh(specs))
    assert [s.name for s in snapshot.accounts] == ["Main", "Isolated", "Portfolio", "Hedge"]
    assert sim.account("Classic").api_key not in transport.sent_keys
    assert sim.account("Main").api_key in transport.sent_keys   # the recorder does record keys
