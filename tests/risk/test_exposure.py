"""Exposure, hedges, liquidation distance and account figures, expected numbers by hand."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_app.domain.account import MarginMode, Wallet, WalletCoin
from desktop_app.domain.market import Category, Side
from desktop_app.risk import book_from_snapshot, build_report, stress
from tests.risk.factories import NOW, D, account, missing, position, snapshot, wallet


def _report(*accounts, **kwargs):
    return build_report(book_from_snapshot(snapshot(*accounts), **kwargs))


def test_linear_exposure_and_cross_account_hedge() -> None:
    main = account("Main", (position("BTCUSDT", Side.LONG, 1, mark=20_000),))
    hedge = account("Hedge", (position("BTCUSDT", Side.SHORT, 0.5, mark=20_000),))
    report = _report(main, hedge)
    (btc,) = report.exposure
    # long 1 x 20,000 = 20,000; short 0.5 x 20,000 = 10,000; net 10,000; gross 30,000
    assert (btc.coin, btc.long_usd, btc.short_usd, btc.net_usd, btc.gross_usd) == (
        "BTC",
        20000,
        10000,
        10000,
        30000,
    )
    assert (btc.long_accounts, btc.short_accounts) == (("Main",), ("Hedge",))
    (h,) = report.hedges
    assert (h.coin, h.long_accounts, h.short_accounts, h.hedged_usd) == ("BTC", ("Main",), ("Hedge",), 10000)
    assert (report.totals.gross_exposure_usd, report.totals.net_exposure_usd) == (30000, 10000)


def test_hedge_mode_legs_in_one_account_count_as_a_hedge() -> None:
    legs = (
        position("ETHUSDT", Side.LONG, 2, entry=100, mark=100, idx=1),
        position("ETHUSDT", Side.SHORT, 1, entry=100, mark=100, idx=2),
    )
    report = _report(account("Solo", legs))
    # long 2 x 100 = 200, short 1 x 100 = 100 -> hedged min(200, 100) = 100
    (h,) = report.hedges
    assert (h.long_accounts, h.short_accounts, h.hedged_usd) == (("Solo",), ("Solo",), 100)


def test_no_hedge_when_every_position_points_the_same_way() -> None:
    report = _report(account("A", (position("BTCUSDT"),)), account("B", (position("BTCPERP"),)))
    assert report.hedges == ()
    assert report.exposure[0].long_accounts == ("A", "B")


def test_inverse_exposure_is_the_usd_size_and_money_converts_at_mark() -> None:
    inv = position(
        "BTCUSDH25",
        Side.SHORT,
        5_000,
        category=Category.INVERSE,
        entry=20_000,
        mark=25_000,
        im="0.004",
        mm="0.001",
    )
    report = _report(account("Inv", (inv,)))
    (btc,) = report.exposure
    # inverse size is USD contracts: short 5,000 USD of BTC
    assert (btc.coin, btc.short_usd, btc.net_usd) == ("BTC", 5000, -5000)
    (p,) = report.positions
    # uPnL = -5,000 x (1/20,000 - 1/25,000) = -5,000 x 0.00001 = -0.05 BTC; x 25,000 = -1,250 USD
    assert p.unrealised_pnl_usd == pytest.approx(-1250)
    # IM 0.004 BTC x 25,000 = 100 USD; MM 0.001 x 25,000 = 25 USD; value = 5,000 USD
    assert (p.im_usd, p.mm_usd, p.value_usd) == (pytest.approx(100), pytest.approx(25), 5000)


def test_option_exposure_is_delta_times_underlying() -> None:
    perp = position("BTCUSDT", Side.LONG, 0.1, entry=30_000, mark=30_000)
    call = position(
        "BTC-29JUL22-25000-C",
        Side.LONG,
        2,
        category=Category.OPTION,
        entry=5_100,
        mark=5_200,
        upnl=200,
        delta="0.3",
    )
    report = _report(account("Opt", (perp, call)))
    # perp 0.1 x 30,000 = 3,000; option delta 0.3 BTC x underlying 30,000 (the perp's mark) = 9,000
    (btc,) = report.exposure
    assert btc.long_usd == pytest.approx(12000)
    # without a perp the caller's price prices the underlying: 0.3 x 40,000 = 12,000
    report = _report(account("Opt", (call,)), underlying_prices={"BTC": 40_000.0})
    assert report.exposure[0].net_usd == pytest.approx(12000)


def test_liq_distance() -> None:
    rows = (
        position("BTCUSDT", Side.LONG, mark=20_000, liq=19_000),  # 1,000 / 20,000 = 0.05
        position("ETHUSDT", Side.SHORT, entry=2_000, mark=2_000, liq=2_200),  # 200 / 2,000 = 0.1
        position("SOLUSDT", mark=100, entry=100, liq=None),  # no liqPrice -> None
        position("XRPUSDT", mark=1, entry=1.2, liq=1.05),  # long with mark past liq -> 0
    )
    report = _report(account("Iso", rows, mode=MarginMode.ISOLATED))
    assert [p.liq_distance for p in report.positions] == [pytest.approx(0.05), pytest.approx(0.1), None, 0.0]
    (acc,) = report.accounts
    # nearest is the breached one; risk score = 1 - 0 = 1
    assert (acc.nearest_liq_distance, acc.risk_score) == (0.0, 1.0)


def test_account_margin_rates_and_worst_account() -> None:
    calm = account("Calm", wallet_=wallet(10_000, im=1_000, mm=500))  # MM rate 500/10,000 = 0.05
    tight = account("Tight", wallet_=wallet(1_000, im=600, mm=400, available=400))  # 400/1,000 = 0.4
    iso = account("Iso", (position("BTCUSDT", mark=20_000, liq=16_000),), mode=MarginMode.ISOLATED)
    report = _report(calm, tight, iso)
    by_name = {a.name: a for a in report.accounts}
    assert by_name["Calm"].mm_rate == pytest.approx(0.05)
    assert by_name["Calm"].im_rate == pytest.approx(0.1)  # 1,000 / 10,000
    assert (by_name["Tight"].mm_rate, by_name["Tight"].available_usd) == (pytest.approx(0.4), 400)
    # isolated: 4,000/20,000 = 0.2 from liquidation -> score 0.8, worse than Tight's 0.4
    assert by_name["Iso"].risk_score == pytest.approx(0.8)
    assert report.worst_account == "Iso"


def test_failed_account_is_none_not_zero_and_stale_account_is_included() -> None:
    good = account("Good", (position("BTCUSDT", mark=21_000),), wallet_=wallet(5_000))
    stale = account(
        "Stale",
        (position("ETHUSDT", entry=100, mark=100),),
        wallet_=wallet(2_000),
        error="HTTP 503",
        fetched_at=NOW - 90,
    )
    report = _report(good, stale, missing("Gone"))
    by_name = {a.name: a for a in report.accounts}
    gone = by_name["Gone"]
    assert (gone.ok, gone.error, gone.equity_usd, gone.mm_rate, gone.unrealised_pnl_usd) == (
        False,
        "timeout",
        None,
        None,
        None,
    )
    assert (by_name["Stale"].stale, by_name["Stale"].equity_usd, by_name["Stale"].age_s) == (True, 2000, 90)
    assert by_name["Good"].ok and not by_name["Good"].stale
    # totals: equity 5,000 + 2,000 = 7,000 (the failed account adds nothing, not zero-with-a-figure)
    # uPnL: (21,000 - 20,000) x 1 = 1,000 + 0
    t = report.totals
    assert (t.equity_usd, t.unrealised_pnl_usd) == (7000, 1000)
    assert (t.accounts_ok, t.accounts_stale, t.accounts_missing) == (1, 1, 1)
    assert [p.stale for p in report.positions] == [False, True]


def test_no_account_has_data() -> None:
    report = _report(missing("A"))
    assert (report.totals.equity_usd, report.totals.unrealised_pnl_usd, report.worst_account) == (
        None,
        None,
        None,
    )


def test_classic_wallet_equity_from_coins() -> None:
    classic_wallet = Wallet("CONTRACT", None, None, None, None, None, None, None, None, None, coins=())
    coins = (
        WalletCoin("USDT", D(1000), None, D(1000), D(0), D(0), None),
        WalletCoin("BTC", D("0.5"), None, D("0.5"), D(0), D(0), None),
    )
    acc = account(
        "Old",
        (position("BTCUSD", size=1000, category=Category.INVERSE, mark=30_000, entry=30_000),),
        wallet_=Wallet(**{**{f: getattr(classic_wallet, f) for f in Wallet.__slots__}, "coins": coins}),
        classic=True,
        mode=None,
    )
    (a,) = _report(acc).accounts
    # 1,000 USDT x 1 + 0.5 BTC x 30,000 (BTCUSD mark) = 16,000; no account rates on a classic wallet
    assert (a.equity_usd, a.mm_rate, a.classic) == (16000, None, True)


def test_coin_collateral_is_shown_apart_from_positions() -> None:
    # A classic account holding 0.8 BTC and 2 ETH in its wallet (no haircut), short 10,000 USD of BTCUSD
    # at mark 25,000; a UTA account holding USDT only and long 0.1 BTCUSDT at 25,000.
    inverse = position("BTCUSD", Side.SHORT, 10_000, category=Category.INVERSE, entry=25_000, mark=25_000)
    # The wallet's USD value of ETH gives its price where no ETH position gives a mark: 3,000 / 2 = 1,500.
    coins = (WalletCoin("BTC", D("0.8"), None, D("0.8"), D(0), D(0), D(0)),
             WalletCoin("ETH", D(2), D(3_000), D(2), D(0), D(0), D(0)))
    classic = wallet(None, im=None, mm=None, mm_rate=None, account_type="CONTRACT")
    classic_wallet = dataclasses.replace(classic, coins=coins)
    report = _report(account("Coin", (inverse,), wallet_=classic_wallet, classic=True),
                     account("UTA", (position("BTCUSDT", Side.LONG, 0.1, entry=25_000, mark=25_000),)))
    by_coin = {e.coin: e for e in report.exposure}
    # BTC: positions long 0.1 x 25,000 = 2,500 and short 10,000 USD; collateral 0.8 x 25,000 = 20,000,
    # apart: net stays 2,500 - 10,000 = -7,500.
    btc = by_coin["BTC"]
    assert (btc.long_usd, btc.short_usd, btc.net_usd) == (pytest.approx(2_500), 10_000, pytest.approx(-7_500))
    assert btc.collateral_usd == pytest.approx(20_000)
    # ETH: no open position, 2 ETH at 1,500 = 3,000 of collateral.
    assert by_coin["ETH"].collateral_usd == pytest.approx(3_000)
    assert by_coin["ETH"].net_usd == 0
    # ...which ETH's own moves reach: ETH -50 % takes 2 x 1,500 x 0.5 = 1,500 USD off the account.
    coin_state = account("Coin", (inverse,), wallet_=classic_wallet, classic=True)
    coin_only = book_from_snapshot(snapshot(coin_state))
    (coin_account,) = stress(coin_only, {"ETH": -0.5}, beta=False).accounts
    assert coin_account.pnl_usd == pytest.approx(-1_500)


def test_dollar_coins_dust_and_unpriced_holdings_are_no_collateral_exposure() -> None:
    # A UTA account long 0.1 BTCUSDT at 25,000, holding: 5,000 USDE (a dollar coin), 0.5 DOGE worth
    # 0.08 USD (dust under 1 USD), 3 SOL with no USD value given, and 0.001 BTC worth 25 USD (a coin a
    # position prices: counted however small).
    coins = (WalletCoin("USDE", D(5_000), D(5_000), D(5_000), D(0), D(0), D(0)),
             WalletCoin("DOGE", D("0.5"), D("0.08"), D("0.5"), D(0), D(0), D(0)),
             WalletCoin("SOL", D(3), None, D(3), D(0), D(0), D(0)),
             WalletCoin("BTC", D("0.001"), D(25), D("0.001"), D(0), D(0), D(0)))
    uta = dataclasses.replace(wallet(10_000), coins=coins)
    report = _report(account("UTA", (position("BTCUSDT", Side.LONG, 0.1, entry=25_000, mark=25_000),),
                             wallet_=uta))
    assert [(e.coin, e.collateral_usd) for e in report.exposure] == [("BTC", pytest.approx(25.0))]
