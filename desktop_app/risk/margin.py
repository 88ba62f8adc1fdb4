"""Bybit's margin, liquidation and order-cost formulas, written from the API reference (§8).

These are exact `Decimal` functions: they reproduce the numbers Bybit's help centre states, and they
are what the tests check the engine's conventions against. The portfolio maths in the rest of the
package works on float64 arrays and prefers Bybit's own `liqPrice`/`positionMM` when a position has
them; these functions are for what-if figures and for checking.

The exchange simulator has its own independent copy of these formulas on purpose: each side is an
oracle for the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.domain.market import RiskTier, Side

_ZERO = Decimal(0)
_ONE = Decimal(1)


def initial_margin(position_value: Decimal, leverage: Decimal) -> Decimal:
    """Initial margin = position value / leverage. May raise: ValueError (leverage <= 0)."""
    if leverage <= 0:
        raise ValueError("leverage must be positive")
    return position_value / leverage


def _sorted_tiers(tiers: Sequence[RiskTier]) -> list[RiskTier]:
    if not tiers:
        raise ValueError("no risk tiers")
    # Bybit does not promise list order; the tier is defined by riskLimitValue.
    return sorted(tiers, key=lambda t: t.risk_limit_value)


def mm_deductions(tiers: Sequence[RiskTier]) -> tuple[Decimal, ...]:
    """MM deduction of every tier (sorted by risk limit), by Bybit's recurrence.

    deduction(1) = 0; deduction(n) = limit(n-1) x (MMR(n) - MMR(n-1)) + deduction(n-1).
    The deduction makes MM continuous at tier boundaries. May raise: ValueError (no tiers).
    """
    ordered = _sorted_tiers(tiers)
    out = [_ZERO]
    for prev, tier in itertools.pairwise(ordered):
        out.append(prev.risk_limit_value * (tier.mm_rate - prev.mm_rate) + out[-1])
    return tuple(out)


def tier_for(position_value: Decimal, tiers: Sequence[RiskTier]) -> tuple[RiskTier, Decimal]:
    """The tier of a position value and its MM deduction: the first tier whose limit >= value.

    May raise: ValueError (no tiers, or the value is above the highest tier's limit).
    """
    ordered = _sorted_tiers(tiers)
    deductions = mm_deductions(ordered)
    for tier, deduction in zip(ordered, deductions, strict=True):
        if tier.risk_limit_value >= position_value:
            return tier, deduction
    raise ValueError("position value exceeds the highest risk limit")


def maintenance_margin(position_value: Decimal, tiers: Sequence[RiskTier]) -> Decimal:
    """MM = position value x MMR(tier) - MM deduction(tier). May raise: ValueError (see tier_for)."""
    tier, deduction = tier_for(position_value, tiers)
    return position_value * tier.mm_rate - deduction


def _check(size: Decimal, entry: Decimal, leverage: Decimal) -> None:
    if size <= 0 or entry <= 0 or leverage <= 0:
        raise ValueError("size, entry and leverage must be positive")


def isolated_liq_price_linear(
    side: Side,
    entry: Decimal,
    size: Decimal,
    leverage: Decimal,
    mm_rate: Decimal,
    mm_deduction: Decimal = _ZERO,
    extra_margin: Decimal = _ZERO,
) -> Decimal:
    """Isolated-margin liquidation price of a USDT/USDC contract (HC "Liquidation Price").

    Long: entry - (IM - MM)/size - extra/size; short: entry + (IM - MM)/size + extra/size, with
    PV = size x entry, IM = PV/leverage, MM = PV x MMR - deduction. The newer UTA articles also add
    the estimated fee to close to IM and MM; it cancels in IM - MM, so it is left out here.
    May raise: ValueError (non-positive size, entry or leverage).
    """
    _check(size, entry, leverage)
    pv = size * entry
    cushion = (initial_margin(pv, leverage) - (pv * mm_rate - mm_deduction) + extra_margin) / size
    return entry - cushion if side is Side.LONG else entry + cushion


def isolated_liq_price_inverse(
    side: Side,
    entry: Decimal,
    qty_usd: Decimal,
    leverage: Decimal,
    mm_rate: Decimal,
    mm_deduction_coin: Decimal = _ZERO,
    extra_margin_coin: Decimal = _ZERO,
) -> Decimal:
    """Isolated-margin liquidation price of an inverse contract (size in USD, margin in coin).

    Long: qty / (PV + (IM - MM) + extra); short: qty / (PV - (IM - MM) - extra), with PV = qty/entry
    in coin, IM = PV/leverage, MM = PV x MMR - deduction. May raise: ValueError (bad inputs, or a
    short whose margin exceeds its value so that it cannot be liquidated).
    """
    _check(qty_usd, entry, leverage)
    pv = qty_usd / entry
    cushion = initial_margin(pv, leverage) - (pv * mm_rate - mm_deduction_coin) + extra_margin_coin
    denominator = pv + cushion if side is Side.LONG else pv - cushion
    if denominator <= 0:
        raise ValueError("no finite liquidation price")
    return qty_usd / denominator


def bankruptcy_price_linear(side: Side, entry: Decimal, leverage: Decimal) -> Decimal:
    """Price at 0 % margin: long entry x (1 - 1/lev), short entry x (1 + 1/lev). May raise: ValueError."""
    if leverage <= 0:
        raise ValueError("leverage must be positive")
    return entry * (_ONE - _ONE / leverage) if side is Side.LONG else entry * (_ONE + _ONE / leverage)


@dataclass(frozen=True, slots=True)
class OrderCost:
    """Cost of opening a position, in the settle coin (USDT/USDC linear, the base coin inverse)."""

    initial_margin: Decimal
    fee_to_open: Decimal
    fee_to_close: Decimal

    @property
    def total(self) -> Decimal:
        return self.initial_margin + self.fee_to_open + self.fee_to_close


def order_cost_linear(
    side: Side, qty: Decimal, price: Decimal, leverage: Decimal, taker_rate: Decimal
) -> OrderCost:
    """Order cost of a USDT/USDC contract (HC "Order Cost").

    The fee to close is charged at the bankruptcy price: value x (1 -/+ 1/lev) x taker for a
    buy/sell. Example: 1 BTC long @50,000, 10x, taker 0.055% -> 5,000 + 27.5 + 24.75 = 5,052.25.
    May raise: ValueError (non-positive inputs).
    """
    _check(qty, price, leverage)
    value = qty * price
    factor = _ONE - _ONE / leverage if side is Side.LONG else _ONE + _ONE / leverage
    return OrderCost(initial_margin(value, leverage), value * taker_rate, value * factor * taker_rate)


def order_cost_inverse(
    side: Side, qty_usd: Decimal, price: Decimal, leverage: Decimal, taker_rate: Decimal
) -> OrderCost:
    """Order cost of an inverse contract, in coin: close fee at (1 +/- 1/lev) for a buy/sell.

    May raise: ValueError (non-positive inputs).
    """
    _check(qty_usd, price, leverage)
    value = qty_usd / price
    factor = _ONE + _ONE / leverage if side is Side.LONG else _ONE - _ONE / leverage
    return OrderCost(initial_margin(value, leverage), value * taker_rate, value * factor * taker_rate)
