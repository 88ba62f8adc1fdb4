"""Hand-built snapshots and updates for GUI tests that need no simulator.

Two UTA cross accounts: "Main" long 1 BTC at 60,000 (mark 62,000), "Hedge" short 0.5 BTC at
61,000 (mark 62,000) and long 10 ETH at 3,000 (mark 3,100). The risk report comes from the real
engine, wrapped in the service's PortfolioUpdate as a refresh would.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from desktop_app.domain.account import AccountInfo, MarginMode, Position, Wallet
from desktop_app.domain.market import Category, Side
from desktop_app.domain.snapshot import AccountData, AccountState, PortfolioSnapshot
from desktop_app.price_history import PriceHistory
from desktop_app.risk import ReturnModel, book_from_snapshot, build_report
from desktop_app.service import PortfolioUpdate, stress_update

NOW = 1_750_000_000.0


def position(symbol: str, side: Side, size: str, entry: str, mark: str, liq: str | None,
             *, idx: int = 0) -> Position:
    size_d, entry_d, mark_d = Decimal(size), Decimal(entry), Decimal(mark)
    direction = 1 if side is Side.LONG else -1
    value = size_d * entry_d
    return Position(
        category=Category.LINEAR, symbol=symbol, position_idx=idx, side=side, size=size_d,
        entry_price=entry_d, mark_price=mark_d, position_value=value, leverage=Decimal(10),
        liq_price=None if liq is None else Decimal(liq), im=value / 10, mm=value / 200,
        unrealised_pnl=(mark_d - entry_d) * size_d * direction, cum_realised_pnl=Decimal(0), risk_id=1,
        risk_limit_value=Decimal(2_000_000), status="Normal", auto_add_margin=False, delta=None,
        settle_coin="USDT", updated_ms=None,
    )


def wallet(equity: str, mm: str, im: str) -> Wallet:
    e = Decimal(equity)
    return Wallet(
        account_type="UNIFIED", total_equity_usd=e, total_wallet_balance_usd=e, total_margin_balance_usd=e,
        total_available_balance_usd=e - Decimal(im), total_perp_upl_usd=Decimal(0), total_im_usd=Decimal(im),
        total_mm_usd=Decimal(mm), im_rate=Decimal(im) / e, mm_rate=Decimal(mm) / e,
    )


INFO = AccountInfo(unified_margin_status=5, margin_mode=MarginMode.CROSS, is_master_trader=False,
                   updated_ms=None)


def main_state(*, fetched_at: float = NOW) -> AccountState:
    data = AccountData(INFO, wallet("20000", "310", "6000"),
                       (position("BTCUSDT", Side.LONG, "1", "60000", "62000", "42000"),), fetched_at)
    return AccountState("acc-main", "Main", data, None, None, fetched_at)


def hedge_state(*, fetched_at: float = NOW) -> AccountState:
    data = AccountData(INFO, wallet("5000", "300", "6100"), (
        position("BTCUSDT", Side.SHORT, "0.5", "61000", "62000", "68000"),
        position("ETHUSDT", Side.LONG, "10", "3000", "3100", "2500"),
    ), fetched_at)
    return AccountState("acc-hedge", "Hedge", data, None, None, fetched_at)


def make_update(states: tuple[AccountState, ...] | None = None, *, taken_at: float = NOW) -> PortfolioUpdate:
    snapshot = PortfolioSnapshot(taken_at, states if states is not None else (main_state(), hedge_state()))
    book = book_from_snapshot(snapshot)
    model = ReturnModel.from_closes({})
    return PortfolioUpdate(snapshot, book, model, build_report(book, model=model), PriceHistory())


def failed(state: AccountState, error: str = "[10003] API key is invalid.") -> AccountState:
    """The same account after a failed refresh: last good data kept, error attached."""
    return replace(state, error=error, error_code=10003, attempted_at=state.attempted_at + 5)


def stress_fn(update: PortfolioUpdate, shocks: dict[str, float], *, beta: bool) -> Any:
    """The service's stress on the update (pure: no network, no service state)."""
    return stress_update(update, shocks, beta=beta)
