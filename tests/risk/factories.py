"""Small builders of snapshots for the risk tests, straight from the domain dataclasses."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.domain.account import AccountInfo, MarginMode, Position, Wallet
from desktop_app.domain.market import Category, Side
from desktop_app.domain.snapshot import AccountData, AccountState, PortfolioSnapshot

NOW = 1_700_000_000.0


def D(value: float | int | str | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def position(
    symbol: str = "BTCUSDT",
    side: Side = Side.LONG,
    size: float = 1,
    *,
    category: Category = Category.LINEAR,
    entry: float | None = 20_000,
    mark: float | None = 20_000,
    liq: float | None = None,
    leverage: float | None = 10,
    im: float | None = None,
    mm: float | None = None,
    upnl: float | None = None,
    delta: float | None = None,
    idx: int = 0,
) -> Position:
    """A position; uPnL defaults to the linear/inverse formula at mark, money fields in the settle coin."""
    if upnl is None and entry is not None and mark is not None and category is not Category.OPTION:
        sign = 1 if side is Side.LONG else -1
        upnl = (
            sign * size * (mark - entry)
            if category is Category.LINEAR
            else sign * size * (1 / entry - 1 / mark)
        )
    value = None if mark is None else (size / mark if category is Category.INVERSE else size * mark)
    return Position(
        category=category,
        symbol=symbol,
        position_idx=idx,
        side=side,
        size=D(size),
        entry_price=D(entry),
        mark_price=D(mark),
        position_value=D(value),
        leverage=D(leverage),
        liq_price=D(liq),
        im=D(im),
        mm=D(mm),
        unrealised_pnl=D(upnl),
        cum_realised_pnl=D(0),
        risk_id=1,
        risk_limit_value=D(2_000_000),
        status="Normal",
        auto_add_margin=False,
        delta=D(delta),
        settle_coin=None,
        updated_ms=None,
    )


def wallet(
    equity: float | None = 10_000,
    *,
    im: float | None = 0,
    mm: float | None = 0,
    mm_rate: float | None = None,
    margin_balance: float | None = None,
    available: float | None = None,
    account_type: str = "UNIFIED",
) -> Wallet:
    """A UNIFIED wallet; the MM rate defaults to MM / margin balance (margin balance defaults to equity)."""
    balance = equity if margin_balance is None else margin_balance
    if mm_rate is None and mm is not None and balance:
        mm_rate = mm / balance
    return Wallet(
        account_type=account_type,
        total_equity_usd=D(equity),
        total_wallet_balance_usd=D(equity),
        total_margin_balance_usd=D(balance),
        total_available_balance_usd=D(available),
        total_perp_upl_usd=D(0),
        total_im_usd=D(im),
        total_mm_usd=D(mm),
        im_rate=None if im is None or not balance else D(im / balance),
        mm_rate=D(mm_rate),
    )


def account(
    name: str,
    positions: tuple[Position, ...] = (),
    *,
    wallet_: Wallet | None = None,
    mode: MarginMode | None = MarginMode.CROSS,
    classic: bool = False,
    error: str | None = None,
    fetched_at: float = NOW,
) -> AccountState:
    info = AccountInfo(
        unified_margin_status=1 if classic else 5, margin_mode=mode, is_master_trader=False, updated_ms=None
    )
    data = AccountData(info=info, wallet=wallet_ or wallet(), positions=positions, fetched_at=fetched_at)
    return AccountState(
        account_id=name.lower(), name=name, data=data, error=error, error_code=None, attempted_at=NOW
    )


def missing(name: str, error: str = "timeout") -> AccountState:
    """An account that never fetched: no data at all."""
    return AccountState(
        account_id=name.lower(), name=name, data=None, error=error, error_code=None, attempted_at=NOW
    )


def snapshot(*accounts: AccountState) -> PortfolioSnapshot:
    return PortfolioSnapshot(taken_at=NOW, accounts=tuple(accounts))
