"""Account values: margin mode, positions, wallets and the account's own settings.

Units are in the names where they are not obvious: `*_usd` is USD, `*_rate` is a fraction
(0.0226 = 2.26%), `*_ms` is epoch milliseconds. Position money fields (`position_value`, `im`,
`mm`, `unrealised_pnl`) are in the position's settle coin: USDT/USDC for linear contracts, the
base coin for inverse contracts (BTCUSD settles in BTC). A field the exchange leaves empty is
`None`: "not available" must never read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from desktop_app.domain.market import Category, Side


class MarginMode(StrEnum):
    ISOLATED = "ISOLATED_MARGIN"
    CROSS = "REGULAR_MARGIN"
    PORTFOLIO = "PORTFOLIO_MARGIN"


# unifiedMarginStatus 1 is a classic (non-unified) account; 3..6 are UTA 1.0/2.0 (pro).
CLASSIC_ACCOUNT_STATUS = 1
# unifiedMarginStatus of UTA 1.0 (3) and UTA 1.0 pro (4): inverse contracts stay in a wallet of their own.
UTA1_ACCOUNT_STATUSES = frozenset({3, 4})

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

    @property
    def is_uta1(self) -> bool:
        """A unified account of the first generation: its inverse contracts are not in the unified
        wallet, so their history is in the contract transaction log, not the unified one."""
        return self.unified_margin_status in UTA1_ACCOUNT_STATUSES
