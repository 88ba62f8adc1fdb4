"""Plausibility of an account's parsed data: ranges (domain/limits.py) and the identities of Bybit's
own definitions (REFERENCE.md §4.2, §4.3).

Parsing checks that a field is a number; this checks that it is a figure an account can have. The
monitor runs it on every fetch, so an account whose data is implausible is reported failed with the
field named and never added into totals. Identities are checked only where Bybit's definitions make
them exact, with tolerances wide enough for rounding and prices moving between fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from desktop_app.bybit.errors import IMPLAUSIBLE, BybitError
from desktop_app.domain import limits
from desktop_app.domain.account import Position, Wallet
from desktop_app.domain.market import Category

# totalEquity is the sum of the coins' usdValue (Σ asset equity in USD); both are rounded, and a
# coin may move between the two readings.
_EQUITY_SUM_TOLERANCE_USD = Decimal(1)
_EQUITY_SUM_TOLERANCE = Decimal("0.02")


class ImplausibleError(BybitError):
    """Well-formed data no exchange would send; the message names the field."""

    def __init__(self, message: str) -> None:
        super().__init__(IMPLAUSIBLE, message)


def _number(value: Decimal) -> str:
    return f"{value:,f}" if abs(value) < Decimal("1e16") and value == value.quantize(Decimal("1e-8")) \
        else f"{value:.3E}"


def _bounded(where: str, field: str, value: Decimal | None, limit: float, unit: str, *,
             signed: bool = True) -> None:
    if value is None:
        return
    if not signed and value < 0:
        raise ImplausibleError(f"{where}: field {field!r} is negative: {_number(value)}")
    if abs(value) > limit:
        raise ImplausibleError(f"{where}: field {field!r} is implausible: {_number(value)} "
                               f"(more than {limit:,.0f} {unit})".rstrip())


def check_wallet(wallet: Wallet) -> None:
    """May raise: ImplausibleError."""
    where = "wallet balance"
    for field, value in (("totalEquity", wallet.total_equity_usd),
                         ("totalWalletBalance", wallet.total_wallet_balance_usd),
                         ("totalMarginBalance", wallet.total_margin_balance_usd),
                         ("totalAvailableBalance", wallet.total_available_balance_usd),
                         ("totalPerpUPL", wallet.total_perp_upl_usd)):
        _bounded(where, field, value, limits.MAX_USD, "USD")
    _bounded(where, "totalInitialMargin", wallet.total_im_usd, limits.MAX_USD, "USD", signed=False)
    _bounded(where, "totalMaintenanceMargin", wallet.total_mm_usd, limits.MAX_USD, "USD", signed=False)
    _bounded(where, "accountIMRate", wallet.im_rate, limits.MAX_RATE, "", signed=False)
    _bounded(where, "accountMMRate", wallet.mm_rate, limits.MAX_RATE, "", signed=False)
    for coin in wallet.coins:
        at = f"{where}: coin {coin.coin}"
        _bounded(at, "usdValue", coin.usd_value, limits.MAX_USD, "USD")
        for field, value in (("equity", coin.equity), ("walletBalance", coin.wallet_balance),
                             ("unrealisedPnl", coin.unrealised_pnl)):
            _bounded(at, field, value, limits.MAX_COIN_UNITS, coin.coin)
        for field, value in (("totalPositionIM", coin.total_position_im),
                             ("totalPositionMM", coin.total_position_mm)):
            _bounded(at, field, value, limits.MAX_COIN_UNITS, coin.coin, signed=False)
    values = [c.usd_value for c in wallet.coins]
    if wallet.total_equity_usd is not None and values and all(v is not None for v in values):
        total = sum(values, Decimal(0))  # type: ignore[arg-type]
        allowed = max(_EQUITY_SUM_TOLERANCE_USD,
                      _EQUITY_SUM_TOLERANCE * max(abs(total), abs(wallet.total_equity_usd)))
        if abs(wallet.total_equity_usd - total) > allowed:
            raise ImplausibleError(f"{where}: field 'totalEquity' ({_number(wallet.total_equity_usd)}) is "
                                   f"not the sum of the coins' usdValue ({_number(total)})")


def check_position(position: Position) -> None:
    """May raise: ImplausibleError."""
    where = f"position {position.symbol}"
    _bounded(where, "size", position.size, limits.MAX_SIZE, "")
    for field, price in (("avgPrice", position.entry_price), ("markPrice", position.mark_price),
                         ("liqPrice", position.liq_price)):
        _bounded(where, field, price, limits.MAX_PRICE, "", signed=False)
    # Money fields are in the settle coin: USD for linear and options, the base coin for inverse.
    money_limit = limits.MAX_USD if position.category is not Category.INVERSE else limits.MAX_COIN_UNITS
    for field, value in (("positionValue", position.position_value),
                         ("unrealisedPnl", position.unrealised_pnl),
                         ("cumRealisedPnl", position.cum_realised_pnl)):
        _bounded(where, field, value, money_limit, "")
    _bounded(where, "positionIM", position.im, money_limit, "", signed=False)
    _bounded(where, "positionMM", position.mm, money_limit, "", signed=False)
    _bounded(where, "leverage", position.leverage, limits.MAX_LEVERAGE, "", signed=False)
    _check_value(where, position)


def _check_value(where: str, position: Position) -> None:
    """positionValue is at entry: size x avgPrice (linear), size / avgPrice (inverse, in the coin). At
    the mark it may differ by how far the price moved, never by orders of magnitude."""
    value, mark, size = position.position_value, position.mark_price, position.size
    if position.category is Category.OPTION or value is None or mark is None or value <= 0 or mark <= 0:
        return
    at_mark = size * mark if position.category is Category.LINEAR else size / mark
    ratio = at_mark / value
    bound = Decimal(limits.MAX_MARK_TO_ENTRY_RATIO)
    if not 1 / bound <= ratio <= bound:
        formula = "size × markPrice" if position.category is Category.LINEAR else "size / markPrice"
        raise ImplausibleError(f"{where}: {formula} ({_number(at_mark)}) does not match field "
                               f"'positionValue' ({_number(value)})")


def check_account(wallet: Wallet, positions: Sequence[Position]) -> None:
    """Every check of one account's fetch. May raise: ImplausibleError naming the field."""
    check_wallet(wallet)
    for position in positions:
        check_position(position)
