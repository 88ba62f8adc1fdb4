"""Valuing coin-settled PnL in USD, and the 24-hour funding forecast, against hand-worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.domain.account import Position
from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, Side
from desktop_app.journal import MissingPriceError, funding_in_usd, funding_next_24h_usd, trades_in_usd
from desktop_app.journal.series import cumulative_pnl, daily_pnl_usd
from desktop_app.journal.usd import usd_price_symbol
from tests.journal.factories import trade

D = Decimal
DAY = 86_400_000
JAN_2 = 1_767_312_000_000  # 2026-01-02T00:00:00Z


def closed(symbol: str, category: Category, pnl: str, closed_ms: int, settle: str | None) -> ClosedPnl:
    return ClosedPnl(category, symbol, f"o-{closed_ms}", Side.LONG, D(1), None, None, D(pnl), "Trade",
                     closed_ms, closed_ms, settle)


def test_inverse_pnl_is_valued_at_the_mark_of_the_day_it_closed() -> None:
    marks = {("BTC", JAN_2): D("60000"), ("BTC", JAN_2 + DAY): D("62000")}
    rows = [closed("BTCUSD", Category.INVERSE, "0.0015", JAN_2 + 10 * 3_600_000, "BTC"),   # 2 Jan 10:00
            closed("BTCUSD", Category.INVERSE, "-0.001", JAN_2 + DAY + 1, "BTC"),           # 3 Jan 00:00
            closed("BTCUSDT", Category.LINEAR, "-12.5", JAN_2 + 5, "USDT"),
            closed("BTCPERP", Category.LINEAR, "3", JAN_2 + 6, "USDC")]
    trades = trades_in_usd("acc", rows, lambda coin, day: marks.get((coin, day)))
    # 0.0015 BTC × 60,000 = 90 USD; -0.001 BTC × 62,000 = -62 USD; USDT and USDC count 1:1.
    assert [t.pnl_usd for t in trades] == [D("90.0000"), D("-62.000"), D("-12.5"), D(3)]
    assert {t.account_id for t in trades} == {"acc"}


def test_a_dated_inverse_contract_is_valued_at_its_coins_usd_price_of_the_day() -> None:
    # BTCUSDZ25 expired on 26 Dec 2025; Bybit need not serve its own candles after that. Its PnL is BTC,
    # valued at BTC's USD price of the day it closed: the BTCUSD perpetual's daily mark close.
    assert usd_price_symbol("BTC") == "BTCUSD" and usd_price_symbol("ETH") == "ETHUSD"
    prices = {("BTC", JAN_2 - 7 * DAY): D("94250.5"), ("ETH", JAN_2 - 7 * DAY): D("3312.25")}
    rows = [closed("BTCUSDZ25", Category.INVERSE, "0.0042", JAN_2 - 7 * DAY + 3_600_000, "BTC"),  # 26 Dec
            closed("ETHUSDZ25", Category.INVERSE, "-0.15", JAN_2 - 7 * DAY + 7_200_000, "ETH")]
    asked: list[str] = []

    def price_of(coin: str, day: int) -> D | None:
        asked.append(coin)
        return prices.get((coin, day))

    trades = trades_in_usd("acc", rows, price_of)
    # 0.0042 BTC × 94,250.5 = 395.8521 USD; -0.15 ETH × 3,312.25 = -496.8375 USD.
    assert [t.pnl_usd for t in trades] == [D("395.8521"), D("-496.8375")]
    assert [t.symbol for t in trades] == ["BTCUSDZ25", "ETHUSDZ25"] and asked == ["BTC", "ETH"]


def test_inverse_funding_is_valued_the_same_way_and_a_missing_price_is_an_error() -> None:
    payment = FundingPayment("x", Category.INVERSE, "BTCUSD", "BTC", JAN_2 + 8 * 3_600_000, D("-0.00000156"),
                             D("0.0001"))
    # -0.00000156 BTC × 60,000 = -0.0936 USD.
    assert funding_in_usd("acc", [payment], lambda s, d: D(60000))[0].amount_usd == D("-0.0936")
    with pytest.raises(MissingPriceError, match="BTCUSD: no mark price"):
        funding_in_usd("acc", [payment], lambda s, d: None)
    unknown_coin = closed("ODDUSD", Category.INVERSE, "1", JAN_2, None)
    with pytest.raises(MissingPriceError, match="cannot tell which coin"):
        trades_in_usd("acc", [unknown_coin], lambda s, d: D(1))


def position(symbol: str, category: Category, side: Side, size: str, mark: str | None) -> Position:
    return Position(category, symbol, 0, side, D(size), None, None if mark is None else D(mark), None, None,
                    None, None, None, None, None, 0, None, "Normal", False, None, None, None)


def test_funding_forecast_worked_example() -> None:
    positions = [
        position("BTCUSDT", Category.LINEAR, Side.LONG, "2", "60000"),
        position("ETHUSDT", Category.LINEAR, Side.SHORT, "10", "3000"),
        position("BTCUSD", Category.INVERSE, Side.LONG, "30000", "61000"),
        position("BTC-26DEC26", Category.LINEAR, Side.LONG, "1", "61500"),        # dated future
        position("BTC-27MAR26-70000-C", Category.OPTION, Side.LONG, "1", "900"),  # option
    ]
    rates = {"BTCUSDT": D("0.0001"), "ETHUSDT": D("-0.00005"), "BTCUSD": D("0.0002"), "BTC-26DEC26": None}
    intervals = {"BTCUSDT": 480, "ETHUSDT": 240, "BTCUSD": 480, "BTC-26DEC26": None}
    # BTCUSDT long: value 2 × 60,000 = 120,000; pays 0.0001 × 120,000 = 12 three times a day -> -36.
    # ETHUSDT short: value 30,000; rate -0.00005 -> the short pays 1.5, six times a day (4 h) -> -9.
    # BTCUSD long (inverse, 30,000 USD contracts): pays 0.0002 × 30,000 = 6, three times -> -18.
    # The future and the option settle no funding.  Total: -36 - 9 - 18 = -63.
    assert funding_next_24h_usd(positions, rates, intervals) == D(-63)
    # A short at a positive rate receives: 0.0001 × 120,000 × 3 = +36.
    short = [position("BTCUSDT", Category.LINEAR, Side.SHORT, "2", "60000")]
    assert funding_next_24h_usd(short, rates, intervals) == D(36)


def test_funding_forecast_is_unknown_rather_than_partial() -> None:
    btc = [position("BTCUSDT", Category.LINEAR, Side.LONG, "2", "60000")]
    assert funding_next_24h_usd(btc, {}, {"BTCUSDT": 480}) is None           # no rate
    assert funding_next_24h_usd(btc, {"BTCUSDT": D("0.0001")}, {}) is None   # instrument unknown
    no_mark = [position("BTCUSDT", Category.LINEAR, Side.LONG, "2", None)]
    assert funding_next_24h_usd(no_mark, {"BTCUSDT": D("0.0001")}, {"BTCUSDT": 480}) is None
    assert funding_next_24h_usd([], {}, {}) == D(0)


def test_cumulative_curve_and_daily_pnl() -> None:
    trades = [trade(JAN_2 + 5000, "-4"), trade(JAN_2 + 1000, "10"), trade(JAN_2 + DAY + 1, "2.5")]
    times, values = cumulative_pnl(trades, start_ms=JAN_2)
    # Starts level at 0, then +10 -> 10, -4 -> 6, +2.5 -> 8.5, in time order.
    assert times.tolist() == [JAN_2 / 1000, JAN_2 / 1000 + 1, JAN_2 / 1000 + 5, (JAN_2 + DAY + 1) / 1000]
    assert values.tolist() == [0.0, 10.0, 6.0, 8.5]
    assert daily_pnl_usd(trades) == {JAN_2: D(6), JAN_2 + DAY: D("2.5")}
