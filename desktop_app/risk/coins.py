"""Coin conventions the engine relies on: base coin of a symbol and the USD value of settle coins."""

from __future__ import annotations

import functools

from desktop_app.domain.market import Category
from desktop_app.domain.symbols import SymbolError, base_coin_of

# Assumption: USDT and USDC are worth exactly 1 USD. Bybit's own USD figures (totalEquity, usdValue)
# use index prices that differ by a few basis points at most; for risk figures the difference is noise,
# and assuming parity keeps linear-contract money fields exact.
USD_STABLECOINS = frozenset({"USDT", "USDC", "USD"})
# Coins held in a wallet that track the dollar: their balance is money, not a bet on a price, so they
# get no collateral exposure row (their USD value is in equity all the same).
USD_PEGGED = USD_STABLECOINS | frozenset({"USDE", "DAI", "FDUSD", "PYUSD", "TUSD", "USDD", "BUSD", "USD1"})
# A coin held without any position counts from this USD value up: dust left over from a trade is no
# exposure, and would only add a coin without price history to VaR.
MIN_COLLATERAL_USD = 1.0


# Cached: a portfolio holds a few hundred distinct symbols, converted again on every poll.
@functools.lru_cache(maxsize=4096)
def base_coin(symbol: str, category: Category) -> str:
    """Base coin of a contract symbol: BTCUSDT, BTCPERP, BTCUSD, BTCUSDH25, BTC-26DEC25, BTC-...-C -> BTC.

    The naming rules are `domain.symbols`'. Unlike the parser, this falls back to
    the whole symbol for a name it does not recognise, so an odd symbol still gets its own coin bucket
    instead of failing the whole report or being merged into another coin's exposure.
    """
    try:
        return base_coin_of(symbol, category)
    except SymbolError:
        return symbol
