"""What the risk engine returns: frozen values, USD amounts as float, rates as fractions, None = unknown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountRisk:
    account_id: str
    name: str
    ok: bool  # the latest refresh succeeded
    stale: bool  # figures come from older, last-good data (or there are none)
    error: str | None
    age_s: float | None  # age of the data at the snapshot time; None when there never was any
    margin_mode: str | None  # ISOLATED_MARGIN | REGULAR_MARGIN | PORTFOLIO_MARGIN
    classic: bool
    equity_usd: float | None
    available_usd: float | None
    im_usd: float | None
    mm_usd: float | None
    im_rate: float | None
    mm_rate: float | None  # liquidation at 1.0 for UTA cross / portfolio margin
    unrealised_pnl_usd: float | None
    nearest_liq_distance: float | None  # smallest liq_distance of the account's positions
    # One number to rank accounts of every margin mode (1.0 = liquidation): the MM rate where the account
    # liquidates on it, else 1 - the nearest position's distance to its liquidation price.
    risk_score: float | None
    # The smallest single-coin move (others following by beta) that liquidates this account or one
    # of its positions, e.g. BTC -0.123; None when no move within the searched range does.
    liquidation_coin: str | None = None
    liquidation_move: float | None = None


@dataclass(frozen=True, slots=True)
class PositionRisk:
    account: str
    account_id: str
    category: str
    symbol: str
    position_idx: int
    coin: str
    side: str  # "long" | "short"
    size: float
    entry_price: float | None
    mark_price: float | None
    value_usd: float | None
    leverage: float | None
    liq_price: float | None
    liq_distance: float | None  # abs(liq - mark) / mark; 0.0 once the mark is past liq; None without liqPrice
    unrealised_pnl_usd: float | None
    im_usd: float | None
    mm_usd: float | None
    exposure_usd: float | None  # signed
    stale: bool


@dataclass(frozen=True, slots=True)
class CoinExposure:
    coin: str
    long_usd: float
    short_usd: float
    net_usd: float
    gross_usd: float
    long_accounts: tuple[str, ...]
    short_accounts: tuple[str, ...]
    # USD value of the coin held in wallets (BTC margin of inverse contracts, say). Not a position, so
    # not in long/short/net/gross, but it moves with the coin: VaR and stress count it.
    collateral_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Hedge:
    """A coin held long in one place and short in another (account, or hedge-mode leg). Informational."""

    coin: str
    long_accounts: tuple[str, ...]
    short_accounts: tuple[str, ...]
    hedged_usd: float  # min(long, short)


@dataclass(frozen=True, slots=True)
class Totals:
    equity_usd: float | None  # None when no account has data
    unrealised_pnl_usd: float | None
    gross_exposure_usd: float
    net_exposure_usd: float
    accounts_ok: int
    accounts_stale: int  # included with last-good data
    accounts_missing: int  # no data at all; not in any figure


@dataclass(frozen=True, slots=True)
class VarResult:
    confidence: float  # 0.95 = 95 %
    horizon_days: int
    var_usd: float | None  # parametric (delta-normal, EWMA covariance); a loss, positive
    es_usd: float | None
    historical_var_usd: float | None
    historical_es_usd: float | None
    observations: int  # daily returns used
    coins_missing: tuple[str, ...]  # exposed coins without price history; not in the figures


@dataclass(frozen=True, slots=True)
class FirstLiquidation:
    coin: str
    shock: float  # fraction of the coin's price, e.g. -0.084
    account: str
    account_id: str
    symbol: str | None  # the liquidated position; None when the account liquidates as a whole
    side: str | None

    @property
    def headline(self) -> str:
        """'BTC −8.4% → Hedge liquidated'."""
        pct = f"{abs(self.shock) * 100:.1f}%"
        sign = "−" if self.shock < 0 else "+"
        return f"{self.coin} {sign}{pct} → {self.account} liquidated"


@dataclass(frozen=True, slots=True)
class RiskReport:
    taken_at: float
    source: str  # "snapshot" or "stream"
    repriced: bool  # figures were recomputed from streamed marks, not read from the last REST poll
    accounts: tuple[AccountRisk, ...]
    # A PositionTable from build_report (columns, rows built on first read); any sequence of rows works.
    positions: Sequence[PositionRisk]
    exposure: tuple[CoinExposure, ...]
    hedges: tuple[Hedge, ...]
    totals: Totals
    var: tuple[VarResult, ...]
    first_liquidation: FirstLiquidation | None
    worst_account: str | None  # name of the account with the highest risk_score


@dataclass(frozen=True, slots=True)
class LiquidatedPosition:
    account: str
    symbol: str
    side: str
    position_idx: int


@dataclass(frozen=True, slots=True)
class AccountStress:
    name: str
    account_id: str
    equity_before_usd: float | None
    equity_after_usd: float | None
    pnl_usd: float | None
    mm_rate_after: float | None  # inf when the MM-rate denominator is wiped out
    liquidated: bool
    liquidated_positions: tuple[LiquidatedPosition, ...]


@dataclass(frozen=True, slots=True)
class StressResult:
    shocks: tuple[tuple[str, float], ...]  # as asked, coin -> fraction
    moves: tuple[tuple[str, float], ...]  # every held coin's move, shocked and beta-driven
    beta: bool
    accounts: tuple[AccountStress, ...]
    total_pnl_usd: float
    liquidated_accounts: tuple[str, ...]
    first_liquidation: FirstLiquidation | None  # of the largest shocked coin, in the shock's direction
