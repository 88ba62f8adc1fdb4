"""Small builders of RiskReport values for alert and history tests, straight from the dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from desktop_app.alerts.config import RULE_DIRECTIONS, AlertConfig
from desktop_app.risk.results import (
    AccountRisk,
    CoinExposure,
    FirstLiquidation,
    Hedge,
    PositionRisk,
    RiskReport,
    Totals,
)

NOW = 1_700_000_000.0


def only(rule: str, config: AlertConfig | None = None, **changes: object) -> AlertConfig:
    """A config with every rule but `rule` disabled (so a test sees one rule's events only)."""
    config = config or AlertConfig()
    for name in RULE_DIRECTIONS:
        if name != rule:
            config = config.with_rule(name, replace(config.rule(name), enabled=False))
    return replace(config, **changes) if changes else config  # type: ignore[arg-type]


def account(name: str, *, mm_rate: float | None = 0.1, equity: float | None = 10_000.0,
            mode: str | None = "REGULAR_MARGIN", classic: bool = False, stale: bool = False,
            error: str | None = None, age_s: float | None = 0.0, available: float | None = None,
            upnl: float | None = 0.0, im_rate: float | None = None) -> AccountRisk:
    return AccountRisk(
        account_id=name.lower(), name=name, ok=not stale, stale=stale, error=error, age_s=age_s,
        margin_mode=mode, classic=classic, equity_usd=equity, available_usd=available, im_usd=None,
        mm_usd=None, im_rate=im_rate, mm_rate=mm_rate, unrealised_pnl_usd=upnl, nearest_liq_distance=None,
        risk_score=mm_rate,
    )


def position(account_name: str, symbol: str = "BTCUSDT", side: str = "long", *,
             liq_distance: float | None = None, mark: float | None = 20_000.0, liq: float | None = None,
             exposure: float | None = None, coin: str = "BTC", idx: int = 0) -> PositionRisk:
    return PositionRisk(
        account=account_name, account_id=account_name.lower(), category="linear", symbol=symbol,
        position_idx=idx, coin=coin, side=side, size=1.0, entry_price=mark, mark_price=mark,
        value_usd=None if exposure is None else abs(exposure), leverage=10.0, liq_price=liq,
        liq_distance=liq_distance, unrealised_pnl_usd=0.0, im_usd=None, mm_usd=None, exposure_usd=exposure,
        stale=False,
    )


def coin(name: str, long_usd: float, short_usd: float = 0.0, long_accounts: Sequence[str] = (),
         short_accounts: Sequence[str] = ()) -> CoinExposure:
    return CoinExposure(name, long_usd, short_usd, long_usd - short_usd, long_usd + short_usd,
                        tuple(long_accounts), tuple(short_accounts))


def report(accounts: Sequence[AccountRisk] = (), positions: Sequence[PositionRisk] = (), *,
           exposure: Sequence[CoinExposure] = (), hedges: Sequence[Hedge] = (),
           first_liquidation: FirstLiquidation | None = None, taken_at: float = NOW,
           repriced: bool = False, missing: int = 0) -> RiskReport:
    """Totals are the plain sums of the accounts and coins given."""
    equities = [a.equity_usd for a in accounts if a.equity_usd is not None]
    upnls = [a.unrealised_pnl_usd for a in accounts if a.unrealised_pnl_usd is not None]
    totals = Totals(
        equity_usd=sum(equities) if equities else None,
        unrealised_pnl_usd=sum(upnls) if upnls else None,
        gross_exposure_usd=sum(c.gross_usd for c in exposure),
        net_exposure_usd=sum(c.net_usd for c in exposure),
        accounts_ok=sum(1 for a in accounts if a.ok),
        accounts_stale=sum(1 for a in accounts if a.stale and a.equity_usd is not None),
        accounts_missing=missing,
    )
    return RiskReport(
        taken_at=taken_at, source="stream" if repriced else "snapshot", repriced=repriced,
        accounts=tuple(accounts), positions=tuple(positions), exposure=tuple(exposure), hedges=tuple(hedges),
        totals=totals, var=(), first_liquidation=first_liquidation, worst_account=None,
    )


def first_liq(shock: float, account_name: str = "Hedge", coin_name: str = "BTC") -> FirstLiquidation:
    return FirstLiquidation(coin=coin_name, shock=shock, account=account_name,
                            account_id=account_name.lower(), symbol=None, side=None)
