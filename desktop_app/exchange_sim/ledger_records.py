"""The simulated ledger's records: a round trip, a transaction-log row before rendering, a position
held across a funding settlement, and the helpers that keep their amounts and ids stable.

Amounts are rounded to 8 decimals once (`q8`), so rows that should add up do so exactly; ids are
derived from the seed, the account and time (`stable_id`), so the same history is served every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from desktop_app.exchange_sim.instruments import CATALOGUE, Instrument

_Q8 = Decimal("0.00000001")


def q8(value: Decimal) -> Decimal:
    return value.quantize(_Q8, ROUND_HALF_EVEN)


def stable_id(*parts: object) -> str:
    """A UUID-shaped id derived from `parts` (Bybit's order and execution ids look like this)."""
    h = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass(frozen=True, slots=True)
class Trip:
    """A round trip: a position opened and closed by two taker orders."""

    trip_id: str
    symbol: str
    side: str  # "Buy" (long) | "Sell" (short): the position's side
    qty: Decimal  # base coin (linear) or USD contracts (inverse)
    leverage: Decimal
    open_ms: int
    close_ms: int
    entry: Decimal
    exit: Decimal
    open_fee: Decimal  # settle coin
    close_fee: Decimal
    gross: Decimal  # settle coin, before fees

    @property
    def instrument(self) -> Instrument:
        return CATALOGUE[self.symbol]

    @property
    def sign(self) -> int:
        return 1 if self.side == "Buy" else -1

    @property
    def closed_pnl(self) -> Decimal:
        return self.gross - self.open_fee - self.close_fee

    def value(self, price: Decimal) -> Decimal:
        return self.qty / price if self.instrument.inverse else self.qty * price


@dataclass(frozen=True, slots=True)
class CashEntry:
    """One transaction-log row before rendering; `change` = cash_flow + funding − fee."""

    time_ms: int
    kind: str  # TRADE | SETTLEMENT
    symbol: str
    side: str  # order side (TRADE) or position side (SETTLEMENT)
    qty: Decimal
    size_after: Decimal  # signed size of the position after the row
    currency: str
    price: Decimal
    funding: Decimal  # cash effect of funding (negative: paid); 0 on trades
    fee: Decimal  # paid (positive)
    cash_flow: Decimal  # realised or session PnL
    fee_rate: Decimal  # trades: the fee rate; settlements: the funding rate, negated for a short
    trade_id: str
    order_id: str
    visible_ms: int  # shown once the clock reaches this (the trip's close, or the row's own time)

    @property
    def change(self) -> Decimal:
        return self.cash_flow + self.funding - self.fee

    @property
    def category(self) -> str:
        return CATALOGUE[self.symbol].category


@dataclass(frozen=True, slots=True)
class Holding:
    """A position held across a settlement: a standing one (trip None) or a round trip."""

    symbol: str
    side: str
    qty: Decimal
    opened_ms: int
    entry: Decimal
    trip: Trip | None
    key: str  # tells holdings of one symbol apart (hedge-mode legs, several trips)
