"""Values of the copy-trading calculator: a scenario in, a replay out.

Money is USDT (copy trading is USDT-perpetual only), quantities are in the base coin, and every
rate is a fraction (`taker_fee` 0.00055 = 0.055%, `slippage_tolerance` 0.001 = 0.1%). All numbers
are `Decimal`, because the follower's quantity is rounded down to the instrument's step and a float
would put a quantity like 0.0988 on the wrong side of a step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from desktop_app.domain.market import Instrument, Side

DEFAULT_TAKER_FEE = Decimal("0.00055")  # Bybit's non-VIP derivatives taker fee
MIN_SLIPPAGE_TOLERANCE = Decimal("0.001")  # 0.1%: Bybit's default and the lowest a follower may set
MAX_SLIPPAGE_TOLERANCE = Decimal("0.05")  # 5%
DEFAULT_MAX_POSITION_MARGIN_USDT = Decimal(300_000)
MAX_ENTRY_ORDERS_HELD = 400  # beyond this Bybit pauses copying the master's entry orders


class CopyMode(StrEnum):
    SMART = "smart"  # proportional: the follower spends the share k of its balance the master spent
    ADVANCED = "advanced"  # fixed order margin per copied order


class Action(StrEnum):
    OPEN = "open"
    CLOSE = "close"


class Reason(StrEnum):
    """Why a master order was not copied, in the order the rules are checked."""

    ENTRY_ORDER_LIMIT = "entry_order_limit"
    SLIPPAGE = "slippage"
    COPYGUARD = "copyguard"
    MAX_POSITION_MARGIN = "max_position_margin"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    COST_EXCEEDS_BALANCE = "cost_exceeds_balance"
    # A close the follower cannot copy because it holds nothing (all its entries were skipped).
    NO_POSITION = "no_position"


class ScenarioError(ValueError):
    """A scenario is invalid; `field` names the input at fault (e.g. `follower.slippage_tolerance`)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class QtyRules:
    """The instrument's lot rules: quantities are multiples of `qty_step`, at least `min_qty`."""

    qty_step: Decimal
    min_qty: Decimal

    @classmethod
    def from_instrument(cls, instrument: Instrument) -> QtyRules:
        """Take the rules from a parsed instrument. May raise: ScenarioError when a rule is missing."""
        if instrument.qty_step is None:
            raise ScenarioError("qty_step", f"{instrument.symbol} has no quantity step")
        if instrument.min_order_qty is None:
            raise ScenarioError("min_qty", f"{instrument.symbol} has no minimum order quantity")
        return cls(qty_step=instrument.qty_step, min_qty=instrument.min_order_qty)


@dataclass(frozen=True, slots=True)
class MasterSettings:
    available_balance_usdt: Decimal
    leverage: Decimal


@dataclass(frozen=True, slots=True)
class FollowerSettings:
    available_balance_usdt: Decimal
    leverage: Decimal  # used in advanced mode; smart mode follows the master's leverage
    fixed_margin_usdt: Decimal | None = None  # advanced mode: the order cost budget of every order
    slippage_tolerance: Decimal = MIN_SLIPPAGE_TOLERANCE  # fraction
    max_position_margin_usdt: Decimal = DEFAULT_MAX_POSITION_MARGIN_USDT
    copyguard: bool = False


@dataclass(frozen=True, slots=True)
class MasterOrder:
    time: str | int  # a label ("A") or a timestamp; only the order of the list matters
    action: Action
    qty: Decimal
    price: Decimal  # the master's fill price
    follower_price: Decimal  # the price the follower's market order would fill at


@dataclass(frozen=True, slots=True)
class Scenario:
    symbol: str
    side: Side
    mode: CopyMode
    rules: QtyRules
    master: MasterSettings
    follower: FollowerSettings
    orders: tuple[MasterOrder, ...]
    taker_fee: Decimal = DEFAULT_TAKER_FEE

    @property
    def base_coin(self) -> str:
        return self.symbol.removesuffix("USDT")


@dataclass(frozen=True, slots=True)
class OrderResult:
    """What happened to one master order on the follower's account."""

    order: MasterOrder
    master_qty_held: Decimal  # the master's position after the order
    master_avg_entry: Decimal | None  # None when the master is flat
    copied: bool
    reason: Reason | None  # None when copied
    follower_qty: Decimal  # the quantity the follower's order had (0 when skipped)
    follower_price: Decimal | None  # None when skipped
    follower_qty_held: Decimal
    follower_avg_entry: Decimal | None
    follower_cost_usdt: Decimal  # order cost paid (opens) or 0
    follower_balance_usdt: Decimal  # available balance after the order
    realised_pnl_usdt: Decimal  # closes: PnL after the open-fee share and the close fee; 0 for opens
    min_qty_used: bool  # the minimum quantity was placed instead of the (smaller) proportional one
    template: str  # English sentence with {named} fields; the UI translates the template
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        return self.template.format(**self.params)


@dataclass(frozen=True, slots=True)
class Cause:
    """One reason the follower's position differs from the master's, with how much it touched."""

    code: str  # a Reason value, or "min_qty", "fixed_margin", "price_difference"
    orders: int
    master_notional_usdt: Decimal  # master qty × price of the orders concerned: the ranking key
    template: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        return self.template.format(**self.params)


@dataclass(frozen=True, slots=True)
class Summary:
    master_qty: Decimal
    follower_qty: Decimal
    master_avg_entry: Decimal | None
    follower_avg_entry: Decimal | None
    entry_gap_pct: Decimal | None  # (follower avg − master avg) / master avg × 100; None if either is flat
    causes: tuple[Cause, ...]  # largest master notional first


@dataclass(frozen=True, slots=True)
class Replay:
    scenario: Scenario
    results: tuple[OrderResult, ...]
    summary: Summary
