"""Order cost, quantity from a budget, and the running position of one account.

Bybit's order cost for a USDT contract is initial margin + fee to open + fee to close, the close fee
taken at the bankruptcy price (below entry for a long, above for a short):

    long:  cost = qty × price × (1/L + f + f × (1 − 1/L)) = qty × price × (2fL + 1 − f) / L
    short: cost = qty × price × (1/L + f + f × (1 + 1/L)) = qty × price × (2fL + 1 + f) / L

Solving for qty gives the article's `margin × L / [price × (0.0012·L + 0.9994)]` when f = 0.0006.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from desktop_app.domain.market import Side


def cost_factor(side: Side, leverage: Decimal, taker_fee: Decimal) -> Decimal:
    """The bracket `2fL + 1 ∓ f`: order cost = qty × price × factor / L."""
    sign = -1 if side is Side.LONG else 1
    return 2 * taker_fee * leverage + 1 + sign * taker_fee


def order_cost(side: Side, qty: Decimal, price: Decimal, leverage: Decimal, taker_fee: Decimal) -> Decimal:
    """USDT an order of `qty` at `price` reserves: initial margin + fee to open + fee to close."""
    return qty * price * cost_factor(side, leverage, taker_fee) / leverage


def floor_to_step(numerator: Decimal, denominator: Decimal, step: Decimal) -> Decimal:
    """`numerator / denominator` rounded down to a multiple of `step`, computed exactly.

    Fractions keep the division exact, so a quotient that is exactly on a step (0.5 with step 0.001)
    is never pushed below it by a rounded intermediate result.
    """
    steps = Fraction(numerator) // (Fraction(denominator) * Fraction(step))
    return Decimal(steps) * step


def qty_for_budget(
    side: Side, budget_usdt: Decimal, price: Decimal, leverage: Decimal, taker_fee: Decimal, step: Decimal
) -> Decimal:
    """The largest multiple of `step` whose order cost fits in `budget_usdt`."""
    return floor_to_step(budget_usdt * leverage, price * cost_factor(side, leverage, taker_fee), step)


class Book:
    """One account's position on the pair and its available balance, as orders replay.

    Opening takes the order cost from the balance: the open fee is spent, the margin and the
    close-fee reserve stay locked in the position. Closing a fraction releases that fraction of the
    locked amount plus the price PnL, minus the fee actually paid to close, but never less than zero
    (isolated margin: a position cannot lose more than it locked).
    """

    def __init__(self, side: Side, balance_usdt: Decimal, taker_fee: Decimal) -> None:
        self.side = side
        self.taker_fee = taker_fee
        self.balance_usdt = balance_usdt
        self.qty = Decimal(0)
        self.notional_usdt = Decimal(0)  # Σ qty × entry price of what is held
        self.margin_usdt = Decimal(0)  # initial margin of what is held
        self.close_reserve_usdt = Decimal(0)
        self.open_fees_usdt = Decimal(0)
        self.entry_orders = 0  # entry orders held since the position was last flat

    @property
    def avg_entry(self) -> Decimal | None:
        return self.notional_usdt / self.qty if self.qty else None

    def open(self, qty: Decimal, price: Decimal, leverage: Decimal) -> Decimal:
        """Add to the position; returns the order cost taken from the balance."""
        cost = order_cost(self.side, qty, price, leverage, self.taker_fee)
        margin = qty * price / leverage
        open_fee = qty * price * self.taker_fee
        self.balance_usdt -= cost
        self.qty += qty
        self.notional_usdt += qty * price
        self.margin_usdt += margin
        self.open_fees_usdt += open_fee
        self.close_reserve_usdt += cost - margin - open_fee
        self.entry_orders += 1
        return cost

    def close(self, qty: Decimal, price: Decimal) -> Decimal:
        """Reduce the position by `qty` (≤ held); returns the realised PnL net of both fees."""
        fraction = qty / self.qty
        avg = self.notional_usdt / self.qty
        direction = 1 if self.side is Side.LONG else -1
        gross_pnl = direction * (price - avg) * qty
        close_fee = qty * price * self.taker_fee
        open_fee_share = self.open_fees_usdt * fraction
        released = (self.margin_usdt + self.close_reserve_usdt) * fraction
        returned = released + gross_pnl - close_fee
        if returned < 0:
            # The close price is past the bankruptcy price: an isolated position would have been
            # liquidated first, so it loses its locked funds and no more.
            gross_pnl, close_fee, returned = -released, Decimal(0), Decimal(0)
        self.balance_usdt += returned
        if qty == self.qty:
            # A full close resets everything, so no rounding residue survives into the next position.
            self.qty = self.notional_usdt = self.margin_usdt = Decimal(0)
            self.close_reserve_usdt = self.open_fees_usdt = Decimal(0)
            self.entry_orders = 0
        else:
            keep = 1 - fraction
            self.qty -= qty
            self.notional_usdt *= keep
            self.margin_usdt *= keep
            self.close_reserve_usdt *= keep
            self.open_fees_usdt *= keep
        return gross_pnl - close_fee - open_fee_share
