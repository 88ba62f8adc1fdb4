"""Coin conventions the engine relies on: base coin of a symbol and the USD value of settle coins."""

from __future__ import annotations

import functools
import re

from desktop_app.bybit.models import Category

# Assumption: USDT and USDC are worth exactly 1 USD. Bybit's own USD figures (totalEquity, usdValue)
# use index prices that differ by a few basis points at most; for risk figures the difference is noise,
# and assuming parity keeps linear-contract money fields exact.
USD_STABLECOINS = frozenset({"USDT", "USDC", "USD"})

# Linear perps end in USDT/USDC/PERP; inverse in USD, optionally followed by a futures month code and
# a 2-digit year (BTCUSDH25). Dated linear futures and options carry the base coin before the first dash.
_PERP_RE = re.compile(r"^([A-Z0-9]+?)(?:USDT|USDC|PERP|USD(?:[FGHJKMNQUVXZ][0-9]{2})?)$")


# Cached: a portfolio holds a few hundred distinct symbols, converted again on every poll.
@functools.lru_cache(maxsize=4096)
def base_coin(symbol: str, category: Category) -> str:
    """Base coin of a contract symbol: BTCUSDT, BTCPERP, BTCUSD, BTCUSDH25, BTC-26DEC25, BTC-...-C -> BTC.

    Falls back to the whole symbol for a name it does not recognise, so an odd symbol still gets its
    own coin bucket instead of being merged into another coin's exposure.
    """
    head = symbol.split("-", 1)[0]
    if category is Category.OPTION or "-" in symbol:
        match = _PERP_RE.match(head)
        return match.group(1) if match else head
    match = _PERP_RE.match(symbol)
    return match.group(1) if match else symbol
