"""Base and settle coin of a Bybit symbol, read from the symbol's name.

Position rows do not say which coin they settle in; the request's `settleCoin` does, and where
there is none (inverse, option, a single-symbol query) the symbol's naming convention does:

    linear   BTCUSDT (USDT perp)  BTCPERP / BTCUSDC (USDC perp)  BTC-26DEC25 (USDC future)
             BTCUSDT-26DEC25 (USDT future)
    inverse  BTCUSD (perp)  BTCUSDH25 (future: month code + 2-digit year); settles in the base coin
    option   BTC-29JUL22-25000-C (USDC)  BTC-27MAR26-70000-P-USDT (USDT)
"""

from __future__ import annotations

import re

from desktop_app.domain.market import Category

_SYMBOL_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,63}")
# Inverse futures carry a CME-style month letter and a 2-digit year after "USD".
_INVERSE_RE = re.compile(r"([A-Z0-9]+?)USD(?:[FGHJKMNQUVXZ][0-9]{2})?")
_LINEAR_QUOTES = (("USDT", "USDT"), ("USDC", "USDC"), ("PERP", "USDC"))  # (suffix, settle coin)
_STABLE_QUOTES = ("FDUSD", "PYUSD", "USDT", "USDC", "USDE", "USD1", "USDQ", "DAI")
_FIAT_QUOTES = ("EUR", "BRL", "PLN", "TRY", "USD")
_CRYPTO_QUOTES = ("BTC", "ETH", "MNT")
# Longest first, so FDUSD and USDT win over USD.
_SPOT_QUOTES = tuple(sorted((*_STABLE_QUOTES, *_FIAT_QUOTES, *_CRYPTO_QUOTES), key=len, reverse=True))
_OPTION_SETTLE_SUFFIXES = ("USDT", "USDC")


class SymbolError(ValueError):
    """A symbol name fits no Bybit naming convention; the message names the symbol."""


def _check(symbol: str, category: Category) -> None:
    if not isinstance(symbol, str) or not _SYMBOL_RE.fullmatch(symbol):
        raise SymbolError(f"symbol {symbol!r:.50} is not a Bybit {category} symbol")


def _unknown(symbol: str, category: Category) -> SymbolError:
    return SymbolError(f"cannot tell the coins of {category} symbol {symbol!r}")


def _strip_linear_quote(head: str) -> tuple[str, str] | None:
    """(base, settle) for a linear perp name such as BTCUSDT, or None when no known quote ends it."""
    for suffix, settle in _LINEAR_QUOTES:
        if head.endswith(suffix) and len(head) > len(suffix):
            return head[: -len(suffix)], settle
    return None


def _spot_split(symbol: str) -> tuple[str, str] | None:
    for quote in _SPOT_QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    return None


def _coins(symbol: str, category: Category) -> tuple[str, str]:
    """(base coin, settle coin) of `symbol`. May raise: SymbolError."""
    _check(symbol, category)
    if category == Category.LINEAR:
        head, dash, _expiry = symbol.partition("-")
        split = _strip_linear_quote(head)
        if split is not None:
            return split
        if dash and head:
            return head, "USDC"  # BTC-26DEC25: USDC-settled linear future
        raise _unknown(symbol, category)
    if category == Category.INVERSE:
        match = _INVERSE_RE.fullmatch(symbol)
        if match is None:
            raise _unknown(symbol, category)
        return match.group(1), match.group(1)
    if category == Category.OPTION:
        parts = symbol.split("-")
        if len(parts) < 4 or not parts[0]:
            raise _unknown(symbol, category)
        settle = parts[-1] if parts[-1] in _OPTION_SETTLE_SUFFIXES else "USDC"
        return parts[0], settle
    if category == Category.SPOT:
        split = _spot_split(symbol)
        if split is None:
            raise _unknown(symbol, category)
        return split
    raise SymbolError(f"unknown category {category!r:.30}")


def base_coin_of(symbol: str, category: Category) -> str:
    """The base coin: BTCUSDT, BTCPERP, BTCUSD, BTCUSDH25, BTC-29JUL22-25000-C and ETH-26DEC25 give
    BTC/ETH. May raise: SymbolError for a name that fits no Bybit convention."""
    return _coins(symbol, category)[0]


def settle_coin_of(symbol: str, category: Category) -> str:
    """The coin a position in `symbol` settles in (for spot: the quote coin).
    May raise: SymbolError for a name that fits no Bybit convention."""
    return _coins(symbol, category)[1]
