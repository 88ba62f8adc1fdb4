"""base_coin_of / settle_coin_of against Bybit's symbol naming conventions."""

from __future__ import annotations

import pytest

from desktop_app.domain.market import Category
from desktop_app.domain.symbols import SymbolError, base_coin_of, settle_coin_of

LINEAR, INVERSE, OPTION, SPOT = Category.LINEAR, Category.INVERSE, Category.OPTION, Category.SPOT


@pytest.mark.parametrize(
    ("symbol", "category", "base", "settle"),
    [
        ("BTCUSDT", LINEAR, "BTC", "USDT"),  # USDT perpetual
        ("1000PEPEUSDT", LINEAR, "1000PEPE", "USDT"),  # Bybit's base coin keeps the multiplier
        ("BTCPERP", LINEAR, "BTC", "USDC"),  # USDC perpetual, old name
        ("ETHUSDC", LINEAR, "ETH", "USDC"),  # a USDC perpetual named by its quote coin
        ("BTC-26DEC25", LINEAR, "BTC", "USDC"),  # USDC-settled linear future
        ("ETH-26DEC25", LINEAR, "ETH", "USDC"),
        ("BTCUSDT-26DEC25", LINEAR, "BTC", "USDT"),  # USDT-settled linear future
        ("BTCUSD", INVERSE, "BTC", "BTC"),  # inverse perpetual settles in the base coin
        ("ETHUSD", INVERSE, "ETH", "ETH"),
        ("BTCUSDH25", INVERSE, "BTC", "BTC"),  # inverse future: March 2025
        ("ETHUSDZ25", INVERSE, "ETH", "ETH"),  # inverse future: December 2025
        ("BTC-29JUL22-25000-C", OPTION, "BTC", "USDC"),  # classic options settle in USDC
        ("ETH-30DEC22-1400-C", OPTION, "ETH", "USDC"),
        ("BTC-27MAR26-70000-P-USDT", OPTION, "BTC", "USDT"),  # USDT options carry the suffix
        ("BTCUSDT", SPOT, "BTC", "USDT"),  # spot: the "settle" coin is the quote coin
        ("ETHBTC", SPOT, "ETH", "BTC"),
        ("BTCFDUSD", SPOT, "BTC", "FDUSD"),  # FDUSD, not "BTCFD" + USD
    ],
)
def test_coins_of_symbol(symbol: str, category: Category, base: str, settle: str) -> None:
    assert base_coin_of(symbol, category) == base
    assert settle_coin_of(symbol, category) == settle


@pytest.mark.parametrize(
    ("symbol", "category"),
    [
        ("", LINEAR),
        ("USDT", LINEAR),  # no base coin left
        ("BTCEUR", LINEAR),  # no linear quote
        ("btcusdt", LINEAR),  # Bybit symbols are upper case
        ("BTCUSDT", INVERSE),  # inverse names end in USD (plus an optional expiry)
        ("BTCUSDA25", INVERSE),  # A is not a futures month code
        ("BTC-29JUL22", OPTION),  # too few parts for an option
        ("BTC USDT", LINEAR),
        ("X" * 100, LINEAR),
    ],
)
def test_unrecognised_symbols_raise_symbol_error(symbol: str, category: Category) -> None:
    with pytest.raises(SymbolError):
        base_coin_of(symbol, category)
    with pytest.raises(SymbolError):
        settle_coin_of(symbol, category)
