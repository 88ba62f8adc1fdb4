"""What the simulator's own ledger says an account's journal must be (the independent oracle)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop_app.exchange_sim import SimAccount, Simulator
from desktop_app.exchange_sim.funding import funding_rate, next_settlement
from desktop_app.exchange_sim.instruments import CATALOGUE

DAY = 86_400_000
D = Decimal


@dataclass(frozen=True)
class Expected:
    trades: int
    wins: int
    losses: int
    realised: Decimal
    funding: Decimal
    drawdown: Decimal
    pnls_in_time: tuple[Decimal, ...]


def daily_mark(sim: Simulator, symbol: str, time_ms: int) -> Decimal:
    """The close of the day's mark candle as the simulator serves it (tick-rounded)."""
    inst = CATALOGUE[symbol]
    day = time_ms - time_ms % DAY
    (candle,) = sim.candles.candles(inst.base_coin, "D", now_ms=sim.now_ms(), start_ms=day, end_ms=day,
                                    limit=1)
    return inst.round_price(D(repr(candle.close)))


def usd(sim: Simulator, amount: Decimal, coin: str, symbol: str, time_ms: int) -> Decimal:
    return amount if coin in ("USDT", "USDC") else amount * daily_mark(sim, symbol, time_ms)


def expected(sim: Simulator, account: SimAccount, start_ms: int, end_ms: int) -> Expected:
    ledger = sim.ledgers.ledger(account)
    now = sim.now_ms()
    trips = sorted(ledger.trips_between(start_ms, end_ms, now), key=lambda t: t.close_ms)
    pnls = tuple(usd(sim, t.closed_pnl, t.instrument.settle_coin, t.symbol, t.close_ms) for t in trips)
    funding = sum((usd(sim, row.funding, row.currency, row.symbol, row.time_ms)
                   for row, _ in ledger.cash_rows(start_ms, end_ms, now) if row.kind == "SETTLEMENT"), D(0))
    cumulative = peak = drawdown = D(0)
    for pnl in pnls:
        cumulative += pnl
        peak = max(peak, cumulative)
        drawdown = max(drawdown, peak - cumulative)
    return Expected(len(trips), sum(p > 0 for p in pnls), sum(p < 0 for p in pnls), sum(pnls, D(0)), funding,
                    drawdown, pnls)


def forecast(sim: Simulator, account: SimAccount) -> Decimal:
    """The next 24 h of funding on the account's open positions at the rates the simulator will settle
    next: 3 settlements a day (every 8 h), a long paying rate × value (linear: size × mark; inverse:
    its USD contracts)."""
    now = sim.now_ms()
    total = D(0)
    for position in account.positions:
        inst = CATALOGUE[position.symbol]
        rate = funding_rate(sim.seed, position.symbol, next_settlement(now))
        value = position.size if inst.inverse else position.size * sim.mark_price(position.symbol)
        total -= position.side_sign * rate * value * 3
    return total
