"""Turn one `PortfolioUpdate` into the immutable rows the three tables show.

This is the only module that knows the shape of the risk report, so the models stay generic.
Stale accounts keep their last good figures (never zeros) with the age and error attached.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop_app.i18n import tr, translate
from desktop_app.risk.results import AccountRisk
from desktop_app.ui.format import as_float


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: str
    name: str
    ok: bool
    has_data: bool
    age_s: float | None
    pending: bool  # its refresh is late, still waiting for an answer
    error: str | None
    margin_mode: str
    equity_usd: float | None
    available_usd: float | None
    im_rate: float | None
    mm_rate: float | None
    unrealised_pnl_usd: float | None
    liquidation_coin: str | None = None  # the coin whose smallest move liquidates this account
    liquidation_move: float | None = None  # that move, e.g. -0.123

    @property
    def stale(self) -> bool:
        return not self.ok


@dataclass(frozen=True, slots=True)
class PositionRow:
    account: str
    category: str
    symbol: str
    side: str
    size: float | None
    size_unit: str  # what `size` counts: the coin ("BTC"), or "USD" for inverse contracts
    value_usd: float | None
    entry_price: float | None
    mark_price: float | None
    liq_price: float | None
    liq_distance: float | None
    leverage: float | None
    unrealised_pnl_usd: float | None
    im_usd: float | None
    stale: bool


@dataclass(frozen=True, slots=True)
class ExposureRow:
    coin: str
    long_usd: float
    short_usd: float
    net_usd: float
    gross_usd: float
    hedged_usd: float
    hedge_text: str  # "Main ↔ Hedge" when long and short legs sit in different accounts
    stale: bool = False
    collateral_usd: float = 0.0  # the coin held in wallets, in USD (moves with the coin)


# Marked for lupdate; translated where shown.
_MODE_NAMES = {
    "REGULAR_MARGIN": QT_TRANSLATE_NOOP("AccountsModel", "Cross"),
    "ISOLATED_MARGIN": QT_TRANSLATE_NOOP("AccountsModel", "Isolated"),
    "PORTFOLIO_MARGIN": QT_TRANSLATE_NOOP("AccountsModel", "Portfolio"),
}


def margin_mode_text(mode: str | None, *, classic: bool) -> str:
    """Bybit's margin mode ("REGULAR_MARGIN") as the trader reads it ("Cross", "Cross (classic)");
    the Accounts table and the connection test say it alike."""
    if not mode:
        return "—"
    name = _MODE_NAMES.get(mode)
    text = translate("AccountsModel", name) if name is not None else mode
    return tr("{mode} (classic)").format(mode=text) if classic else text


def _margin_mode_text(risk: AccountRisk | None) -> str:
    return "—" if risk is None else margin_mode_text(risk.margin_mode, classic=bool(risk.classic))


def account_rows(update: object, now: float) -> tuple[tuple[str, AccountRow], ...]:
    """One row per account of the snapshot, with the report's figures when it has them."""
    snapshot = update.snapshot  # type: ignore[attr-defined]
    report = update.report  # type: ignore[attr-defined]
    by_id = {a.account_id: a for a in report.accounts}
    rows: list[tuple[str, AccountRow]] = []
    for state in snapshot.accounts:
        risk = by_id.get(state.account_id)
        row = AccountRow(
            account_id=state.account_id,
            name=state.name,
            ok=state.ok,
            has_data=state.data is not None,
            age_s=state.age_s(now),
            pending=state.pending,
            error=state.error,
            margin_mode=_margin_mode_text(risk),
            equity_usd=as_float(getattr(risk, "equity_usd", None)),
            available_usd=as_float(getattr(risk, "available_usd", None)),
            im_rate=as_float(getattr(risk, "im_rate", None)),
            mm_rate=as_float(getattr(risk, "mm_rate", None)),
            unrealised_pnl_usd=as_float(getattr(risk, "unrealised_pnl_usd", None)),
            liquidation_coin=getattr(risk, "liquidation_coin", None),
            liquidation_move=as_float(getattr(risk, "liquidation_move", None)),
        )
        rows.append((state.account_id, row))
    return tuple(rows)


PositionKey = tuple[str, str, str, int]


def position_rows(update: object) -> tuple[tuple[PositionKey, PositionRow], ...]:
    report = update.report  # type: ignore[attr-defined]
    rows: list[tuple[PositionKey, PositionRow]] = []
    for p in report.positions:
        row = PositionRow(
            account=p.account,
            category=p.category,
            symbol=p.symbol,
            side=p.side,
            size=as_float(p.size),
            # Bybit counts inverse contracts in USD (1 contract = 1 USD); every other size is in coins.
            size_unit="USD" if p.category == "inverse" else p.coin,
            value_usd=as_float(p.value_usd),
            entry_price=as_float(p.entry_price),
            mark_price=as_float(p.mark_price),
            liq_price=as_float(p.liq_price),
            liq_distance=as_float(p.liq_distance),
            leverage=as_float(p.leverage),
            unrealised_pnl_usd=as_float(p.unrealised_pnl_usd),
            im_usd=as_float(p.im_usd),
            stale=p.stale,
        )
        rows.append(((p.account_id, p.category, p.symbol, p.position_idx), row))
    return tuple(rows)


def exposure_rows(update: object) -> tuple[tuple[str, ExposureRow], ...]:
    report = update.report  # type: ignore[attr-defined]
    hedges = {h.coin: h for h in report.hedges}
    rows: list[tuple[str, ExposureRow]] = []
    for e in report.exposure:
        hedge = hedges.get(e.coin)
        hedged = as_float(getattr(hedge, "hedged_usd", None)) or 0.0
        text = ""
        if hedge is not None and hedged > 0:
            text = f"{', '.join(hedge.long_accounts)} \u2194 {', '.join(hedge.short_accounts)}"
        rows.append((e.coin, ExposureRow(
            coin=e.coin,
            long_usd=as_float(e.long_usd) or 0.0,
            short_usd=as_float(e.short_usd) or 0.0,
            net_usd=as_float(e.net_usd) or 0.0,
            gross_usd=as_float(e.gross_usd) or 0.0,
            hedged_usd=hedged,
            hedge_text=text,
            collateral_usd=as_float(e.collateral_usd) or 0.0,
        )))
    return tuple(rows)
