"""Market values: categories, sides, instruments, tickers, candles, risk tiers and fee rates.

Every value is a frozen dataclass. Exchange numbers stay `Decimal` (exact, as the exchange sent them);
the risk engine converts to float64 arrays itself. A field the exchange leaves empty is `None` here:
"not available" must never read as zero. `*_rate` is a fraction (0.0226 = 2.26%), `*_ms` is epoch
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    LINEAR = "linear"
    INVERSE = "inverse"
    OPTION = "option"
    SPOT = "spot"


class Side(StrEnum):
    """Direction of a position. Bybit's `Buy` is long and `Sell` is short; size is never signed."""

    LONG = "long"
    SHORT = "short"


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
    funding_interval_min: int | None = None  # perpetuals: minutes between funding settlements


@dataclass(frozen=True, slots=True)
class FeeRate:
    symbol: str
    taker_rate: Decimal  # fraction
    maker_rate: Decimal  # fraction
