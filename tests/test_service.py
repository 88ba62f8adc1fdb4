"""RiskService against the simulator: totals are the sum of the accounts (checked by hand against the
simulator's own balances and marks), price history once per UTC day, key warnings."""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from desktop_app.domain.account import MarginMode
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.credentials import Credentials, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.exchange_sim import Simulator, make_demo_accounts
from desktop_app.price_history import RETRY_AFTER_FAILURE_S, PriceHistoryCache
from desktop_app.service import (
    KEY_EXPIRY_WARNING_DAYS,
    PortfolioUpdate,
    RiskService,
    key_warnings,
    stress_update,
)
from tests.sim_fixtures import SIM_SEED, SIM_START_MS, spec_of
from tests.test_price_history import Clock, KlineTransport

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, max_reset_wait_s=0.05)
MORNING_S = SIM_START_MS / 1000 + 3_600   # 2026-01-01T01:00:00Z




class Env:
    """A service over a counting transport, its price-history cache on an injected clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.clock = Clock(MORNING_S)
        monkeypatch.setattr("desktop_app.service.PriceHistoryCache",
                            functools.partial(PriceHistoryCache, now=self.clock))
        self.transport = KlineTransport()

    def run(self, call: Callable[[RiskService], Awaitable[Any]]) -> Any:
        """Run `call` with a fresh service on one event loop (several updates share its cache)."""

        async def go() -> Any:
            pool = HttpPool(transport=self.transport, retry=FAST, timeout_s=5.0,
                            ip_limiter=SlidingWindowLimiter(600, 5.25))
            try:
                return await call(RiskService(pool))
            finally:
                await pool.aclose()

        return asyncio.run(go())

    def update(self, specs: list[AccountSpec]) -> PortfolioUpdate:
        return self.run(lambda s: s.update(specs))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Env:
    return Env(monkeypatch)


def test_totals_are_the_sum_of_the_accounts(sim: Simulator, env: Env) -> None:
    update = env.update([spec_of(sim, a) for a in sim.accounts])
    report = update.report
    assert update.snapshot.complete and [a.name for a in report.accounts] == [a.name for a in sim.accounts]
    equities = [a.equity_usd for a in report.accounts]
    assert all(e is not None for e in equities)
    assert report.totals.equity_usd == pytest.approx(sum(e for e in equities if e is not None))
    assert report.totals.unrealised_pnl_usd == pytest.approx(
        sum(a.unrealised_pnl_usd or 0.0 for a in report.accounts))
    assert report.totals.accounts_ok == 5 and report.totals.accounts_missing == 0

    mark = {s: float(sim.mark_price(s)) for s in ("BTCUSDT", "BTCPERP", "BTCUSD", "ETHUSDT")}
    acc = {a.name: a for a in report.accounts}
    # Hedge (UTA): 22,000 USDT + 2.5 × (BTC − 64,800) + 15 × (ETH − 3,380).
    hedge = 22_000 + 2.5 * (mark["BTCUSDT"] - 64_800) + 15 * (mark["ETHUSDT"] - 3_380)
    assert acc["Hedge"].equity_usd == pytest.approx(hedge, abs=0.01)
    # Classic: the CONTRACT wallet has no USD totals, so equity is summed over coins:
    #   BTC: 0.8 + inverse uPnL 30,000 × (1/62,500 − 1/mark) BTC, at the BTC price in USD;
    #   USDT: 12,000 + short ETH uPnL 5 × (3,500 − ETH).
    btc_coins = 0.8 + 30_000 * (1 / 62_500 - 1 / mark["BTCUSD"])
    classic = btc_coins * mark["BTCUSDT"] + 12_000 + 5 * (3_500 - mark["ETHUSDT"])
    assert acc["Classic"].equity_usd == pytest.approx(classic, rel=1e-6)
    assert acc["Classic"].margin_mode == MarginMode.CROSS.value

    # Net BTC exposure: BTC-sized legs (Main +1.5 −0.5 +0.8 PERP, Isolated +0.5, Portfolio +3 −2 PERP,
    # Hedge +2.5) at their marks, plus Classic's 30,000 USD inverse contracts.
    net_btc = ((1.5 - 0.5 + 0.5 + 3 + 2.5) * mark["BTCUSDT"] + (0.8 - 2) * mark["BTCPERP"] + 30_000)
    btc = {e.coin: e for e in report.exposure}["BTC"]
    assert btc.net_usd == pytest.approx(net_btc, rel=1e-9)
    assert report.totals.net_exposure_usd == pytest.approx(sum(e.net_usd for e in report.exposure))
    assert report.totals.gross_exposure_usd == pytest.approx(sum(e.gross_usd for e in report.exposure))
    assert [v.confidence for v in report.var] == [0.95, 0.99]
    assert all(v.var_usd is not None and v.var_usd > 0 for v in report.var)


def test_price_history_once_per_utc_day(sim: Simulator, env: Env) -> None:
    specs = [spec_of(sim, a) for a in sim.accounts]
    coins = ("AVAX", "BTC", "DOGE", "ETH", "LINK", "SOL", "XRP")   # every coin the demo accounts hold
    once, twice = Counter({f"{c}USDT": 1 for c in coins}), Counter({f"{c}USDT": 2 for c in coins})

    async def go(service: RiskService) -> None:
        first = await service.update(specs)
        assert first.book.coins == coins and first.history.missing == ()
        assert env.transport.klines == once

        env.clock.now_s = MORNING_S + 22 * 3_600 + 3_599   # 23:59:59, the same UTC day
        second = await service.update(specs)
        assert env.transport.klines == once   # no new kline request
        assert second.history.closes["BTC"] is first.history.closes["BTC"]

        env.clock.now_s = MORNING_S + 23 * 3_600   # 00:00:00, the next UTC day
        assert datetime.fromtimestamp(env.clock.now_s, UTC).day == 2
        await service.update(specs)
        assert env.transport.klines == twice

    env.run(go)


def test_a_failing_coin_is_missing_and_retried_after_ten_minutes(sim: Simulator, env: Env) -> None:
    specs = [spec_of(sim, a) for a in sim.accounts]
    env.transport.broken = {"AVAXUSDT"}   # AVAX has no inverse contract to fall back on

    async def go(service: RiskService) -> None:
        update = await service.update(specs)
        assert update.history.missing == ("AVAX",)
        assert "AVAX" not in update.model.coins
        assert all("AVAX" in v.coins_missing for v in update.report.var)
        assert env.transport.klines["AVAXUSDT"] == 1 and env.transport.klines["BTCUSDT"] == 1

        env.transport.broken = set()
        env.clock.now_s = MORNING_S + RETRY_AFTER_FAILURE_S - 1
        assert (await service.update(specs)).history.missing == ("AVAX",)
        assert env.transport.klines["AVAXUSDT"] == 1   # not asked again within 10 minutes

        env.clock.now_s = MORNING_S + RETRY_AFTER_FAILURE_S
        assert (await service.update(specs)).history.missing == ()
        assert env.transport.klines["AVAXUSDT"] == 2 and env.transport.klines["BTCUSDT"] == 1

    env.run(go)


def test_a_failed_account_does_not_stop_the_report(sim: Simulator, env: Env) -> None:
    sim.faults.fail(sim.account("Main").uid)
    update = env.update([spec_of(sim, a) for a in sim.accounts])
    acc = {a.name: a for a in update.report.accounts}
    assert not acc["Main"].ok and acc["Main"].equity_usd is None and "[10016]" in (acc["Main"].error or "")
    assert update.report.totals.accounts_missing == 1
    assert update.report.totals.equity_usd == pytest.approx(
        sum(a.equity_usd for a in update.report.accounts if a.equity_usd is not None))
    assert update.history.missing == ()   # history came through another account on the same host


def test_stress_rejects_a_shock_outside_minus_one_to_ten(sim: Simulator, env: Env) -> None:
    async def go(service: RiskService) -> None:
        update = await service.update([spec_of(sim, sim.account("Hedge"))])
        for shock in (float("nan"), float("inf"), 1e308, 10.5, -1.0, -2.0):
            with pytest.raises(ValueError, match="above -1 and at most 10"):
                stress_update(update, {"BTC": shock})
        # Hedge holds 2.5 BTC and 15 ETH at 25× leverage on 22,000 USDT: BTC at half price wipes it out.
        assert "Hedge" in stress_update(update, {"BTC": -0.5}).liquidated_accounts
        assert stress_update(update, {"BTC": 0.01}, beta=False).liquidated_accounts == ()

    env.run(go)


def test_connection_warns_about_the_hedge_key(sim: Simulator, env: Env) -> None:
    report = env.run(lambda s: s.test_connection(spec_of(sim, sim.account("Hedge"))))
    assert report.key.can_trade and report.key.can_withdraw
    assert report.margin_mode is MarginMode.CROSS and not report.classic
    text = " ".join(report.warnings)
    assert "WITHDRAW" in text and "TRADE" in text and "TRANSFER" in text and "IP address" in text


def test_connection_of_a_read_only_ip_bound_key_has_no_warnings() -> None:
    accounts = make_demo_accounts(4, seed=SIM_SEED)
    classic = replace(accounts[3], ip_whitelist=("127.0.0.1",))   # read-only, bound to loopback
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, accounts=(classic,)) as sim:

        async def go() -> Any:
            pool = HttpPool(retry=FAST, timeout_s=5.0, ip_limiter=SlidingWindowLimiter(600, 5.25))
            try:
                return await RiskService(pool).test_connection(spec_of(sim, classic))
            finally:
                await pool.aclose()

        report = asyncio.run(go())
    assert report.warnings == ()
    assert report.classic and report.key.read_only and report.key.ip_bound


def test_connection_with_a_wrong_secret_raises_without_the_secret(sim: Simulator, env: Env) -> None:
    spec = spec_of(sim, sim.account("Main"), credentials=Credentials(sim.account("Main").api_key,
                                                                     Secret("WRONGSECRET" * 3)))
    with pytest.raises(BybitError) as caught:
        env.run(lambda s: s.test_connection(spec))
    assert caught.value.ret_code == 10004
    assert "WRONGSECRET" not in str(caught.value)


def key(*, read_only: bool = True, permissions: tuple[tuple[str, tuple[str, ...]], ...] = (),
        ips: tuple[str, ...] = ("203.0.113.7",), deadline_day: int | None = None) -> ApiKeyInfo:
    return ApiKeyInfo(key_id="1", note="", read_only=read_only, permissions=permissions, ips=ips,
                      deadline_day=deadline_day, expires_at=None, created_at=None, is_unified=True,
                      user_id=1, is_master=True)


def test_key_warnings_read_only_and_ip_bound_is_quiet() -> None:
    assert key_warnings(key()) == ()
    assert key_warnings(key(permissions=(("ContractTrade", ()), ("Wallet", ())))) == ()


def test_key_warnings_name_each_dangerous_permission() -> None:
    trade = key_warnings(key(read_only=False, permissions=(("ContractTrade", ("Order", "Position")),)))
    assert len(trade) == 1 and "TRADE" in trade[0]
    spot = key_warnings(key(read_only=False, permissions=(("Spot", ("SpotTrade",)),)))
    assert len(spot) == 1 and "TRADE" in spot[0]
    transfer = key_warnings(key(read_only=False, permissions=(("Wallet", ("AccountTransfer",)),)))
    assert len(transfer) == 1 and "TRANSFER" in transfer[0]
    withdraw = key_warnings(key(permissions=(("Wallet", ("Withdraw",)),)))
    assert len(withdraw) == 1 and "WITHDRAW" in withdraw[0]   # even on a key marked read-only
    everything = key_warnings(key(read_only=False, permissions=(
        ("ContractTrade", ("Order",)), ("Wallet", ("AccountTransfer", "Withdraw")))))
    assert [w.split()[3] for w in everything] == ["WITHDRAW", "TRADE.", "TRANSFER"]


def test_key_warnings_ip_binding() -> None:
    for ips in ((), ("*",), ("203.0.113.7", "*")):
        warnings = key_warnings(key(ips=ips))
        assert len(warnings) == 1 and "not bound to an IP" in warnings[0], ips


def test_key_warnings_expiry_window() -> None:
    assert key_warnings(key(deadline_day=KEY_EXPIRY_WARNING_DAYS)) == (
        f"This key expires in {KEY_EXPIRY_WARNING_DAYS} day(s).",)
    assert key_warnings(key(deadline_day=0)) == ("This key expires in 0 day(s).",)
    assert key_warnings(key(deadline_day=KEY_EXPIRY_WARNING_DAYS + 1)) == ()
    assert key_warnings(key(deadline_day=-2)) == ()   # Bybit's "not applicable" for IP-bound keys
    assert key_warnings(key(deadline_day=None)) == ()


def test_key_warnings_expiry_with_no_ip_binding() -> None:
    warnings = key_warnings(key(ips=("*",), deadline_day=3))
    assert len(warnings) == 2 and warnings[1] == "This key expires in 3 day(s)."
