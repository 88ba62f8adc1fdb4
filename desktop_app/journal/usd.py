"""Closed PnL and funding valued in USD.

Linear contracts settle in USDT or USDC, counted 1:1 in USD (as the risk engine does). Inverse
contracts settle in their base coin; a coin amount is valued at the coin's USD price of the UTC day it
happened: the close of that day's daily mark-price candle of the coin's inverse perpetual (BTCUSD for
BTC; for today, the candle still open, i.e. the latest mark). The perpetual, not the row's own symbol:
a dated contract (BTCUSDZ25) stops trading at expiry and Bybit need not serve its candles after that,
while the perpetual's series covers every day a dated one did, at the same coin's USD price.
`price_of(coin, day_start_ms)` supplies those closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from desktop_app.domain.journal import ClosedPnl, FundingPayment, JournalFunding, JournalTrade

DAY_MS = 86_400_000
USD_COINS = frozenset({"USDT", "USDC", "USD"})

PriceOf = Callable[[str, int], Decimal | None]  # (coin, UTC day start ms) -> its USD price that day


def usd_price_symbol(coin: str) -> str:
    """The inverse perpetual whose daily mark closes are `coin`'s USD price (BTC -> BTCUSD)."""
    return f"{coin}USD"


class MissingPriceError(ValueError):
    """A coin amount cannot be valued: no USD price of its coin for its day."""


def day_start_ms(time_ms: int) -> int:
    """Start of the UTC day holding `time_ms`."""
    return time_ms - time_ms % DAY_MS


def coin_in_usd(amount: Decimal, coin: str | None, symbol: str, time_ms: int, price_of: PriceOf) -> Decimal:
    """`amount` of `coin` in USD. May raise: MissingPriceError (unknown coin, or no price that day)."""
    if coin in USD_COINS:
        return amount
    if coin is None:
        raise MissingPriceError(f"{symbol}: cannot tell which coin its PnL is in")
    price = price_of(coin, day_start_ms(time_ms))
    if price is None or price <= 0:
        raise MissingPriceError(f"{symbol}: no mark price of {usd_price_symbol(coin)} for the day of a {coin}"
                                f" amount ({day_start_ms(time_ms) // 1000} UTC)")
    return amount * price


def trades_in_usd(account_id: str, rows: Iterable[ClosedPnl], price_of: PriceOf) -> tuple[JournalTrade, ...]:
    """May raise: MissingPriceError."""
    return tuple(
        JournalTrade(account_id, row.closed_ms, row.symbol,
                     coin_in_usd(row.closed_pnl, row.settle_coin, row.symbol, row.closed_ms, price_of),
                     row.row_id)
        for row in rows
    )


def funding_in_usd(account_id: str, payments: Iterable[FundingPayment],
                   price_of: PriceOf) -> tuple[JournalFunding, ...]:
    """May raise: MissingPriceError."""
    return tuple(
        JournalFunding(account_id, p.time_ms, p.symbol,
                       coin_in_usd(p.amount, p.currency, p.symbol, p.time_ms, price_of))
        for p in payments
    )
