"""Domain values parsed from Bybit V5 responses.

Every value is a frozen dataclass. Exchange numbers stay `Decimal` (exact, as Bybit sent them);
the risk engine converts to float64 arrays itself. A field Bybit sends as `""` is `None` here:
"not available" must never read as zero.

Units are in the names where they are not obvious: `*_usd` is USD, `*_rate` is a fraction
(0.0226 = 2.26%), `*_ms` is epoch milliseconds. Position money fields (`position_value`, `im`,
`mm`, `unrealised_pnl`) are in the position's settle coin: USDT/USDC for linear contracts, the
base coin for inverse contracts (BTCUSD settles in BTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Category(StrEnum):
    LINEAR = "linear"
    INVERSE = "inverse"
    OPTION = "option"
    SPOT = "spot"


class Side(StrEnum):
    """Direction of a position. Bybit's `Buy` is long and `Sell` is short; size is never signed."""

    LONG = "long"
    SHORT = "short"


class MarginMode(StrEnum):
    ISOLATED = "ISOLATED_MARGIN"
    CROSS = "REGULAR_MARGIN"
    PORTFOLIO = "PORTFOLIO_MARGIN"


# unifiedMarginStatus 1 is a classic (non-unified) account; 3..6 are UTA 1.0/2.0 (pro).
CLASSIC_ACCOUNT_STATUS = 1

PositionKey = tuple[Category, str, int]


@dataclass(frozen=True, slots=True)
class Position:
    """One open position. Hedge-mode legs of one symbol are two positions (positionIdx 1 and 2)."""

    category: Category
    symbol: str
    position_idx: int
    side: Side
    size: Decimal  # always > 0: base coin (linear), USD contracts (inverse), contracts (option)
    entry_price: Decimal | None
    mark_price: Decimal | None
    position_value: Decimal | None  # settle coin
    leverage: Decimal | None  # None in portfolio margin
    liq_price: Decimal | None  # None when Bybit gives "" (portfolio margin, far away)
    im: Decimal | None  # settle coin; None in portfolio margin
    mm: Decimal | None  # settle coin; None in portfolio margin
    unrealised_pnl: Decimal | None  # settle coin, at mark price
    cum_realised_pnl: Decimal | None
    risk_id: int
    risk_limit_value: Decimal | None
    status: str  # Normal | Liq | Adl
    auto_add_margin: bool
    delta: Decimal | None  # options only
    settle_coin: str | None  # known from the request (settleCoin) or the symbol
    updated_ms: int | None

    @property
    def key(self) -> PositionKey:
        return (self.category, self.symbol, self.position_idx)


@dataclass(frozen=True, slots=True)
class WalletCoin:
    coin: str
    equity: Decimal | None
    usd_value: Decimal | None
    wallet_balance: Decimal | None
    unrealised_pnl: Decimal | None
    total_position_im: Decimal | None
    total_position_mm: Decimal | None


@dataclass(frozen=True, slots=True)
class Wallet:
    """One entry of wallet-balance `result.list`. Account-level fields are None on classic wallets."""

    account_type: str  # UNIFIED | CONTRACT
    total_equity_usd: Decimal | None
    total_wallet_balance_usd: Decimal | None
    total_margin_balance_usd: Decimal | None
    total_available_balance_usd: Decimal | None
    total_perp_upl_usd: Decimal | None
    total_im_usd: Decimal | None
    total_mm_usd: Decimal | None
    im_rate: Decimal | None  # fraction; >= 1 restricts new orders
    mm_rate: Decimal | None  # fraction; >= 1 means liquidation (UTA cross / portfolio margin)
    coins: tuple[WalletCoin, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountInfo:
    unified_margin_status: int
    margin_mode: MarginMode | None
    is_master_trader: bool
    updated_ms: int | None

    @property
    def is_classic(self) -> bool:
        return self.unified_margin_status == CLASSIC_ACCOUNT_STATUS


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """What `/v5/user/query-api` says about the key. The secret is never part of it."""

    key_id: str
    note: str
    read_only: bool
    permissions: tuple[tuple[str, tuple[str, ...]], ...]  # (group, scopes) pairs, in Bybit's order
    ips: tuple[str, ...]
    deadline_day: int | None  # remaining days for unbound keys; negative or None when not applicable
    expires_at: datetime | None  # None when Bybit says 1970-01-01 (no expiry)
    created_at: datetime | None
    is_unified: bool
    user_id: int | None
    is_master: bool

    def scopes(self, group: str) -> tuple[str, ...]:
        for name, scopes in self.permissions:
            if name == group:
                return scopes
        return ()

    def days_left(self, now_s: float) -> float | None:
        """Days (fractional) until the key expires at epoch second `now_s`; None when it does not.

        `expiredAt` is exact; `deadlineDay` (whole days) is the fallback when Bybit gives no date.
        """
        if self.expires_at is not None:
            expires = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=UTC)
            return (expires.timestamp() - now_s) / 86_400
        if self.deadline_day is not None and self.deadline_day >= 0:
            return float(self.deadline_day)
        return None

    @property
    def can_withdraw(self) -> bool:
        return "Withdraw" in self.scopes("Wallet")

    @property
    def can_transfer(self) -> bool:
        transfer_scopes = ("AccountTransfer", "SubMemberTransfer", "SubMemberTransferList")
        return not self.read_only and any(s in self.scopes("Wallet") for s in transfer_scopes)

    @property
    def can_trade(self) -> bool:
        trade_groups = ("ContractTrade", "Spot", "Options", "Derivatives")
        return not self.read_only and any(self.scopes(g) for g in trade_groups)

    @property
    def ip_bound(self) -> bool:
        return bool(self.ips) and "*" not in self.ips


@dataclass(frozen=True, slots=True)
class Ticker:
    category: Category
    symbol: str
    last_price: Decimal | None
    mark_price: Decimal | None
    index_price: Decimal | None
    underlying_price: Decimal | None = None  # options
    funding_rate: Decimal | None = None
    price_24h_change_rate: Decimal | None = None  # fraction


@dataclass(frozen=True, slots=True)
class Kline:
    """One candle. `volume`/`turnover` are None for mark-price klines (Bybit sends 5 columns)."""

    start_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None
    turnover: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RiskTier:
    tier_id: int
    symbol: str
    risk_limit_value: Decimal  # position-value cap of the tier, settle coin
    mm_rate: Decimal  # fraction
    im_rate: Decimal  # fraction
    is_lowest_risk: bool
    max_leverage: Decimal
    mm_deduction: Decimal  # 0 for the lowest tier (Bybit sends "")


@dataclass(frozen=True, slots=True)
class Instrument:
    category: Category
    symbol: str
    contract_type: str | None
    status: str
    base_coin: str
    quote_coin: str
    settle_coin: str | None
    tick_size: Decimal | None
    min_price: Decimal | None
    max_price: Decimal | None
    min_order_qty: Decimal | None
    max_order_qty: Decimal | None
    qty_step: Decimal | None
    min_notional_value: Decimal | None
    max_leverage: Decimal | None
    leverage_step: Decimal | None
    copy_trading: str | None  # none | both | utaOnly | normalOnly


@dataclass(frozen=True, slots=True)
class FeeRate:
    symbol: str
    taker_rate: Decimal  # fraction
    maker_rate: Decimal  # fraction


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paginated list; `next_cursor` is None on the last page (Bybit sends "")."""

    items: tuple[T, ...]
    next_cursor: str | None
