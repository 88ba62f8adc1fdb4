"""Plausibility of parsed account data: junk that parses (1e30, "-0", a size that does not match its
value) is refused with the field named; real figures, the recorded examples included, pass."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bybit import parse
from desktop_app.bybit.errors import IMPLAUSIBLE
from desktop_app.bybit.parse_fields import to_decimal
from desktop_app.bybit.plausible import ImplausibleError, check_account, check_position, check_wallet
from desktop_app.domain.account import Position, Wallet, WalletCoin
from desktop_app.domain.market import Category, Side
from tests.bybit.parse_fixtures import example_result

D = Decimal


def wallet(**changes: object) -> Wallet:
    # 10,000 USDT and 0.1 BTC at 65,000: totalEquity 16,500 = 10,000 + 6,500 (the coins' usdValue).
    base = Wallet("UNIFIED", D("16500"), D("16500"), D("16500"), D("15000"), D("0"), D("1500"), D("150"),
                  D("0.0909"), D("0.0091"),
                  (WalletCoin("USDT", D("10000"), D("10000"), D("10000"), D("0"), D("1500"), D("150")),
                   WalletCoin("BTC", D("0.1"), D("6500"), D("0.1"), D("0"), D("0"), D("0"))))
    return replace(base, **changes)


def position(**changes: object) -> Position:
    # 0.1 BTC long from 60,000 (positionValue 6,000 USDT at entry), marked at 65,000.
    base = Position(Category.LINEAR, "BTCUSDT", 0, Side.LONG, D("0.1"), D("60000"), D("65000"), D("6000"),
                    D("10"), D("54500"), D("600"), D("30"), D("500"), D("0"), 1, D("2000000"), "Normal",
                    False, None, "USDT", None)
    return replace(base, **changes)


def test_real_figures_pass() -> None:
    check_account(wallet(), [position()])
    # Inverse: 300 USD contracts from 27,464.5 are 0.01092 BTC at entry; at the 28,224.5 mark 0.01063 BTC.
    check_position(position(category=Category.INVERSE, symbol="BTCUSD", size=D("300"),
                            entry_price=D("27464.50441675"), mark_price=D("28224.50"),
                            position_value=D("0.01092319"), settle_coin="BTC"))


@pytest.mark.parametrize("name", ["position_list_linear.json", "position_list_inverse.json"])
def test_recorded_positions_pass(name: str) -> None:
    for p in parse.parse_positions(example_result(name)).items:
        check_position(p)


def test_recorded_wallets_pass() -> None:
    for name in ("wallet_balance_unified.json", "wallet_balance_contract.json"):
        for w in parse.parse_wallets(example_result(name)):
            # The docs' unified example was asked for one coin (coin=BTC), so its coins do not add up
            # to its equity; RiskDesk never filters coins. Its account fields must pass on their own.
            check_wallet(replace(w, coins=()) if name == "wallet_balance_unified.json" else w)


@pytest.mark.parametrize(("changes", "field"), [
    ({"total_equity_usd": D("1e30")}, "'totalEquity' is implausible"),
    ({"total_margin_balance_usd": D("-2e12")}, "'totalMarginBalance' is implausible"),
    ({"total_mm_usd": D("-5")}, "'totalMaintenanceMargin' is negative"),
    ({"mm_rate": D("-0.1")}, "'accountMMRate' is negative"),
    # "-0" (read as 0) where the coins hold 16,500 USD: not the sum of the coins.
    ({"total_equity_usd": to_decimal("-0", "w", "totalEquity")}, "'totalEquity' (0) is not the sum"),
])
def test_implausible_wallets_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ImplausibleError) as info:
        check_wallet(wallet(**changes))
    assert field in str(info.value)
    assert info.value.ret_code == IMPLAUSIBLE


@pytest.mark.parametrize(("changes", "field"), [
    ({"size": D("1e30")}, "'size' is implausible"),
    ({"mark_price": D("1e12")}, "'markPrice' is implausible"),
    ({"entry_price": D("-1")}, "'avgPrice' is negative"),
    ({"leverage": D("5000")}, "'leverage' is implausible"),
    ({"position_value": D("1e13")}, "'positionValue' is implausible"),
    # 1,000 BTC x 65,000 = 65,000,000 USDT at the mark against 6,000 USDT at entry: 10,833-fold.
    ({"size": D("1000")}, "size × markPrice (65,000,000) does not match field 'positionValue' (6,000)"),
])
def test_implausible_positions_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ImplausibleError) as info:
        check_position(position(**changes))
    assert field in str(info.value)
    assert str(info.value).startswith("position BTCUSDT: ")


def test_a_mark_that_moved_a_hundredfold_since_entry_is_still_plausible() -> None:
    check_position(position(mark_price=D("6000000"), liq_price=None))  # 100x the entry of 60,000


def test_negative_zero_reads_as_zero() -> None:
    value = to_decimal("-0", "wallet", "totalEquity")
    assert value == 0 and not value.is_signed()
    assert str(to_decimal("-0.00", "wallet", "totalEquity")) == "0.00"


@given(st.decimals(min_value=D("-1e12"), max_value=D("1e12"), allow_nan=False, places=8))
def test_any_equity_within_range_that_matches_its_coins_passes(equity: Decimal) -> None:
    check_wallet(wallet(total_equity_usd=equity,
                        coins=(WalletCoin("USDT", equity, equity, equity, D(0), D(0), D(0)),)))
