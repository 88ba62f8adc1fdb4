"""Bybit conventions found in review against the simulator: the MM-rate denominator, margin basis
(entry vs mark) when repricing, and coin collateral. Every expectation is worked by hand."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.domain.account import MarginMode, WalletCoin
from desktop_app.domain.market import Category, Side
from desktop_app.risk import book_from_snapshot, build_report, first_liquidation, reprice, stress
from tests.risk.factories import D, account, position, snapshot, wallet


def test_mm_rate_uses_the_margin_balance_not_the_4_decimal_rate() -> None:
    # Bybit prints accountMMRate with 4 decimals: MM 2,120 / margin balance 306,870 = 0.00690846 -> "0.0069".
    # MM / printed rate = 2,120 / 0.0069 = 307,246.38, 376 USD (0.12 %) too much margin balance.
    book = book_from_snapshot(
        snapshot(account("Main", (), wallet_=wallet(306_870, mm=2_120, mm_rate=0.0069)))
    )
    assert book.a_denom[0] == 306_870
    (a,) = build_report(book).accounts
    assert a.mm_rate == pytest.approx(2_120 / 306_870, rel=1e-12)


def test_a_rate_that_disagrees_with_the_margin_balance_reveals_a_haircut() -> None:
    # Margin balance 100,000 but the rate says MM 2,000 / 0.025 = 80,000: a 20,000 haircut loss that the
    # wallet has no field for. 2,000 / 100,000 = 0.02 is far outside the rate's last digit: keep 80,000.
    book = book_from_snapshot(snapshot(account("Hc", (), wallet_=wallet(100_000, mm=2_000, mm_rate=0.025))))
    assert book.a_denom[0] == pytest.approx(80_000)


def test_isolated_linear_margin_is_fixed_at_entry_when_repriced() -> None:
    # long 1 BTC @20,000, 50x: IM 20,000 / 50 = 400, MM 20,000 x 0.5 % = 100, liq 19,700 (REFERENCE §8.2).
    # The isolated margin is allocated at entry; a new mark of 21,000 changes neither (not 420 / 105).
    pos = position("BTCUSDT", Side.LONG, 1, leverage=50, liq=19_700, im=400, mm=100)
    iso = account("Iso", (pos,), mode=MarginMode.ISOLATED, wallet_=wallet(10_000, im=400, mm=100))
    report = build_report(reprice(book_from_snapshot(snapshot(iso)), {"BTCUSDT": 21_000.0}))
    (p,) = report.positions
    (a,) = report.accounts
    assert (p.im_usd, p.mm_usd, a.im_usd, a.mm_usd) == (400, 100, 400, 100)
    # equity 10,000 + 1 x (21,000 - 20,000) = 11,000
    assert a.equity_usd == 11_000


def _classic_inverse() -> object:
    # Classic account: 0.5 BTC wallet, long 10,000 USD of BTCUSD @20,000, IM 0.05 BTC, MM 0.0025 BTC.
    inv = position(
        "BTCUSD",
        Side.LONG,
        10_000,
        category=Category.INVERSE,
        entry=20_000,
        mark=20_000,
        im="0.05",
        mm="0.0025",
    )
    coins = (WalletCoin("BTC", D("0.5"), None, D("0.5"), D(0), D("0.05"), D("0.0025")),)
    contract = dataclasses.replace(
        wallet(None, im=None, mm=None, mm_rate=None, account_type="CONTRACT"), coins=coins
    )
    return account("Classic", (inv,), wallet_=contract, classic=True)


def test_inverse_isolated_margin_and_coin_collateral_move_with_the_coin() -> None:
    report = build_report(reprice(book_from_snapshot(snapshot(_classic_inverse())), {"BTCUSD": 22_000.0}))
    (p,) = report.positions
    (a,) = report.accounts
    # Margin fixed in coin at entry: IM 0.05 BTC x 22,000 = 1,100 USD, MM 0.0025 x 22,000 = 55 USD.
    assert (p.im_usd, p.mm_usd) == (pytest.approx(1_100), pytest.approx(55))
    # uPnL 10,000 x (1/20,000 - 1/22,000) = 0.0454545 BTC = 1,000 USD at 22,000.
    # Equity (0.5 + 0.0454545) BTC x 22,000 = 11,000 + 1,000 = 12,000 USD (not 11,000: the 0.5 BTC wallet
    # itself gained 0.5 x 2,000 = 1,000 USD).
    assert p.unrealised_pnl_usd == pytest.approx(1_000)
    assert a.equity_usd == pytest.approx(12_000)


def _uta_with_btc_collateral() -> object:
    # UTA cross: 1 BTC collateral worth 20,000 USD (no haircut), long 2 BTCUSDT @20,000, MM 200 USD.
    pos = position("BTCUSDT", Side.LONG, 2, entry=20_000, mark=20_000, im=4_000, mm=200)
    coins = (WalletCoin("BTC", D(1), D(20_000), D(1), D(0), D(0), D(0)),)
    return account("Coll", (pos,), wallet_=dataclasses.replace(wallet(20_000, im=4_000, mm=200), coins=coins))


def test_first_liquidation_counts_coin_collateral() -> None:
    book = book_from_snapshot(snapshot(_uta_with_btc_collateral()))
    # MM(r) = 200 (1 + r); margin balance D(r) = 20,000 + (2 + 1) x 20,000 r.
    # MM = D: 200 + 200 r = 20,000 + 60,000 r -> r = -19,800 / 59,800 = -0.331104
    # (without the collateral: -19,800 / 39,800 = -0.497487).
    first = first_liquidation(book, beta=False)
    assert (first.coin, first.account, first.symbol) == ("BTC", "Coll", None)
    assert first.shock == pytest.approx(-19_800 / 59_800)
    # -34 %: PnL 3 x 20,000 x -0.34 = -20,400 > 20,000 of margin balance: liquidated.
    (a,) = stress(book, {"BTC": -0.34}, beta=False).accounts
    assert a.pnl_usd == pytest.approx(-20_400) and a.liquidated
