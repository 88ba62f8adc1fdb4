"""What the open positions will pay or receive in funding over the next 24 hours at current rates.

Bybit settles funding on perpetuals every `fundingInterval` minutes: a position pays
position value × funding rate, longs paying a positive rate to shorts (and receiving a negative one).
Over 24 h that happens 1440 / interval times, so per position:

    cash_usd = −direction × rate × value_usd × 1440 / interval_min     (direction +1 long, −1 short)

value_usd is size × mark for a linear contract (USDT/USDC counted 1:1) and the size itself for an
inverse one (its contracts are USD). Options and dated futures never settle funding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from desktop_app.domain.account import Position
from desktop_app.domain.market import Category, Side

MINUTES_PER_DAY = 1440
_ZERO = Decimal(0)


def position_value_usd(position: Position) -> Decimal | None:
    """The USD value funding is charged on, or None without a mark price (linear)."""
    if position.category is Category.INVERSE:
        return position.size  # USD contracts
    if position.mark_price is None:
        return None
    return position.size * position.mark_price


def funding_next_24h_usd(positions: Iterable[Position], rates: Mapping[str, Decimal | None],
                         intervals_min: Mapping[str, int | None]) -> Decimal | None:
    """Total funding cash of `positions` over the next 24 h (negative: paid), from each symbol's
    current funding rate (`rates`) and funding interval in minutes (`intervals_min`).

    A symbol whose interval is None is not a perpetual and adds nothing. None when a symbol is missing
    from `intervals_min`, or a perpetual's rate or mark price is unknown: a partial sum would read as
    a complete forecast.
    """
    total = _ZERO
    for position in positions:
        if position.category not in (Category.LINEAR, Category.INVERSE):
            continue
        if position.symbol not in intervals_min:
            return None
        interval = intervals_min[position.symbol]
        if interval is None or interval <= 0:
            continue
        rate = rates.get(position.symbol)
        value = position_value_usd(position)
        if rate is None or value is None:
            return None
        direction = 1 if position.side is Side.LONG else -1
        total += -direction * rate * value * MINUTES_PER_DAY / interval
    return total
