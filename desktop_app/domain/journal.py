"""Trade-journal values: what an account realised by closing positions and what funding cost it.

`ClosedPnl` and `FundingPayment` are the exchange's own records, in the coin they settled in (USDT or
USDC for linear contracts, the base coin for inverse ones). `JournalTrade` and `JournalFunding` are
the same events valued in USD, which is what the journal's maths takes. `JournalFigures` is what the
journal shows per account and in total. `*_ms` is epoch milliseconds, `*_usd` is USD, a `*_rate` is
a fraction; a figure that cannot be computed is None ("not available" must never read as zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop_app.domain.market import Category, Side


@dataclass(frozen=True, slots=True)
class ClosedPnl:
    """One closing order's realised result, as the exchange reports it (after trading fees)."""

    category: Category
    symbol: str
    order_id: str
    position_side: Side  # the side of the position that was closed (a Sell order closes a long)
    closed_size: Decimal
    avg_entry_price: Decimal | None
    avg_exit_price: Decimal | None
    closed_pnl: Decimal  # settle coin; negative is a loss
    exec_type: str  # Trade | BustTrade | SessionSettlePnL | Settle | ...
    created_ms: int
    closed_ms: int  # when the close happened (the row's update time)
    settle_coin: str | None
    # createdTime exactly as Bybit sent it (its docs show nanoseconds); None: it was created_ms.
    created_time: int | None = None

    @property
    def row_id(self) -> str:
        """Unique per row: one order can close in several rows only at different times. The raw
        createdTime keeps two rows of one order created within one millisecond apart."""
        created = self.created_ms if self.created_time is None else self.created_time
        return f"{self.category.value}:{self.symbol}:{self.order_id}:{created}"

    @property
    def legacy_row_id(self) -> str:
        """The id earlier versions stored for this row (createdTime cut to ms)."""
        return f"{self.category.value}:{self.symbol}:{self.order_id}:{self.created_ms}"


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """One funding settlement of one position: `amount` is the cash it moved (negative: paid)."""

    entry_id: str
    category: Category | None
    symbol: str
    currency: str  # the coin the amount is in
    time_ms: int
    amount: Decimal
    rate: Decimal | None  # the funding rate applied, signed as the exchange reports it


@dataclass(frozen=True, slots=True)
class JournalTrade:
    """A closed-PnL row valued in USD, with the account it belongs to."""

    account_id: str
    time_ms: int
    symbol: str
    pnl_usd: Decimal
    row_id: str


@dataclass(frozen=True, slots=True)
class JournalFunding:
    account_id: str
    time_ms: int
    symbol: str
    amount_usd: Decimal  # negative: paid


@dataclass(frozen=True, slots=True)
class SymbolFigures:
    symbol: str
    trades: int
    realised_pnl_usd: Decimal


@dataclass(frozen=True, slots=True)
class JournalFigures:
    """The journal's figures over one period, for one account or for all of them together."""

    trades: int  # closed-PnL rows
    wins: int  # closed PnL > 0
    losses: int  # closed PnL < 0 (a row of exactly 0 is a trade but neither)
    win_rate: Decimal | None  # wins / trades; None without trades
    profit_factor: Decimal | None  # sum of wins / |sum of losses|; None without losses
    realised_pnl_usd: Decimal  # sum of closed PnL, after trading fees
    funding_usd: Decimal  # sum of funding settlements (negative: paid)
    net_pnl_usd: Decimal  # realised + funding
    max_drawdown_usd: Decimal  # largest fall of cumulative realised PnL from a running peak; >= 0
    by_symbol: tuple[SymbolFigures, ...]  # largest |realised| first
    funding_next_24h_usd: Decimal | None  # open positions at current rates; None when unknown
