"""Market-wide figures the simulator invents once and every endpoint derives from: the daily turnover
behind the kline volumes' scale, open interest, and the order-price band of the instruments.

Tickers, the open-interest history and the position limit info all take open interest from
`open_interest`, so one instant gives one figure wherever a client reads it.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.instruments import Instrument

# Order-price band (instruments-info `riskParameters`): contracts X 1 % / Y 2 %, spot X 0.5 % / Y 1 %.
PRICE_LIMIT_X = {"contract": Decimal("0.01"), "spot": Decimal("0.005")}
PRICE_LIMIT_Y = {"contract": Decimal("0.02"), "spot": Decimal("0.01")}
# A user group may hold at most this share of a contract's open interest (position limit-info).
OI_LIMIT_PCNT = Decimal("0.05")


def daily_turnover_usd(inst: Instrument) -> float:
    """The 24 h traded value the tickers report, in USD."""
    return 360_000_000.0 if inst.base_coin == "BTC" else 60_000_000.0


def open_interest(inst: Instrument, mark: Decimal) -> Decimal:
    """Open interest at `mark`: a quarter of a day's turnover, in contracts (base coin for linear, USD
    for inverse)."""
    volume_usd = daily_turnover_usd(inst)
    return Decimal(repr(volume_usd / 4 if inst.inverse else volume_usd / 4 / float(mark)))


def price_band(inst: Instrument, index: Decimal, mark: Decimal, *, spot: bool) -> tuple[Decimal, Decimal]:
    """(highest buy price, lowest sell price) allowed for a limit order, tick-rounded.

    Contracts (Bybit's "Get Trade Behaviour Setting" formula): buy ≤ min(max(index, mark × (1 + X)),
    mark × (1 + Y)); sell ≥ max(min(index, mark × (1 − X)), mark × (1 − Y)). Spot uses the index for both
    and the 2-minute average premium, 0 here (the simulator's book is centred on the index).
    """
    kind = "spot" if spot else "contract"
    x, y = PRICE_LIMIT_X[kind], PRICE_LIMIT_Y[kind]
    base = index if spot else mark
    buy = min(max(index, base * (1 + x)), base * (1 + y))
    sell = max(min(index, base * (1 - x)), base * (1 - y))
    return inst.round_price(buy), inst.round_price(sell)
