"""The simulator's newer read-only routes agree with the endpoints a client already cross-checks them
against, by Bybit's definitions worked by hand here: public trades are the one-minute candles, open
interest is a quarter of a day's turnover, the premium index gives back the funding rates through
Bybit's funding formula, orders are the fills, USDC session settlements are the transaction log's,
transferable amounts follow the wallet, and Bybit's parameter and permission rules hold."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN
from decimal import Decimal as D
from typing import Any

import httpx
import pytest

from desktop_app.exchange_sim import Simulator
from tests.exchange_sim.test_http import signed_get
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

DAY = 86_400_000
HOUR = 3_600_000


@pytest.fixture(scope="module")
def rsim() -> Iterator[Simulator]:
    # 17 minutes and 23.4 s past a settlement: a live candle part-way through, nothing on a boundary.
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False) as simulator:
        simulator.step(17 * 60 + 23.4)
        yield simulator


def pub(sim: Simulator, path: str, **params: Any) -> dict[str, Any]:
    body = httpx.get(f"{sim.base_url}{path}", params=params, timeout=5).json()
    assert body["retCode"] == 0, body
    return body["result"]  # type: ignore[no-any-return]


def prv(sim: Simulator, name: str, path: str, query: str = "", code: int = 0) -> dict[str, Any]:
    body = signed_get(sim, sim.account(name), path, query).json()
    assert body["retCode"] == code, body
    return body["result"]  # type: ignore[no-any-return]


def pages(sim: Simulator, name: str, path: str, query: str, enough: int = 10_000) -> list[dict[str, Any]]:
    """Rows of every page (or of the first pages holding `enough` rows)."""
    rows: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(100):
        result = prv(sim, name, path, query + (f"&cursor={cursor}" if cursor else ""))
        rows += result["list"]
        cursor = result["nextPageCursor"]
        if not cursor or len(rows) >= enough:
            return rows
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize(("category", "symbol"), [("linear", "BTCUSDT"), ("inverse", "BTCUSD"),
                                                  ("spot", "ETHUSDT")])
def test_public_trades_are_the_one_minute_candles(rsim: Simulator, category: str, symbol: str) -> None:
    trades = pub(rsim, "/v5/market/recent-trade", category=category, symbol=symbol, limit=30)["list"]
    candles = pub(rsim, "/v5/market/kline", category=category, symbol=symbol, interval="1", limit=30)["list"]
    assert len(trades) == len(candles) == 30
    for trade, (start, open_, _high, _low, close, volume, _turnover) in zip(trades, candles, strict=True):
        # One trade per candle, at its last millisecond (the live candle's: now), at its close, for its
        # whole volume; a close at or above the open is an uptick, so the taker bought.
        assert int(trade["time"]) == min(int(start) + 59_999, rsim.now_ms())
        assert (trade["price"], trade["size"]) == (close, volume)
        assert trade["side"] == ("Buy" if D(close) >= D(open_) else "Sell")
    ticker = pub(rsim, "/v5/market/tickers", category=category, symbol=symbol)["list"][0]
    assert trades[0]["price"] == ticker["lastPrice"]


@pytest.mark.parametrize(("category", "symbol"), [("linear", "BTCUSDT"), ("inverse", "BTCUSD"),
                                                  ("spot", "ETHUSDT"), ("linear", "DOGEUSDT")])
def test_ticker_top_of_book_is_the_order_books(rsim: Simulator, category: str, symbol: str) -> None:
    # The clock is frozen, so both answers are of one instant: the ticker's best bid and ask, prices and
    # sizes, are the book's first levels.
    (ticker,) = pub(rsim, "/v5/market/tickers", category=category, symbol=symbol)["list"]
    book = pub(rsim, "/v5/market/orderbook", category=category, symbol=symbol, limit=1)
    assert [ticker["bid1Price"], ticker["bid1Size"]] == book["b"][0]
    assert [ticker["ask1Price"], ticker["ask1Size"]] == book["a"][0]


def test_index_kline_is_the_mark_kline(rsim: Simulator) -> None:
    query = {"category": "inverse", "symbol": "ETHUSD", "interval": "240", "limit": 12}
    index = pub(rsim, "/v5/market/index-price-kline", **query)["list"]
    assert len(index) == 12 and index == pub(rsim, "/v5/market/mark-price-kline", **query)["list"]


def test_premium_index_gives_back_the_funding_rates(rsim: Simulator) -> None:
    """Bybit: funding rate F = P + clamp(0.01 % − P, −0.05 %, 0.05 %) over the interval's premium P."""
    rates = pub(rsim, "/v5/market/funding/history", category="linear", symbol="SOLUSDT", limit=9)["list"]
    premium = pub(rsim, "/v5/market/premium-index-price-kline", symbol="SOLUSDT", interval="240", limit=60)
    by_start = {int(row[0]): row for row in premium["list"]}
    interest, clamp = D("0.0001"), D("0.0005")
    for rate in rates:
        settled = int(rate["fundingRateTimestamp"])
        # The two 4 h candles before a settlement hold that interval's premium, flat.
        for start in (settled - 8 * HOUR, settled - 4 * HOUR):
            _, open_, high, low, close = by_start[start]
            assert open_ == high == low == close
            p = D(open_)
            assert p + max(-clamp, min(clamp, interest - p)) == D(rate["fundingRate"])


def test_open_interest_is_a_quarter_of_a_days_turnover(rsim: Simulator) -> None:
    """The tickers' open interest at every hour: 360 M USD / 4 of BTC at that hour's mark; inverse
    contracts are USD, so exactly 90 M. Pages are contiguous hours, newest first."""
    rows = pages(rsim, "Main", "/v5/market/open-interest", "category=linear&symbol=BTCUSDT&intervalTime=1h"
                 "&limit=4", enough=10)[:10]
    stamps = [int(r["timestamp"]) for r in rows]
    assert stamps == list(range(stamps[0], stamps[0] - 10 * HOUR, -HOUR))
    assert stamps[0] == rsim.now_ms() - rsim.now_ms() % HOUR
    for row in rows:
        opened = pub(rsim, "/v5/market/mark-price-kline", category="linear", symbol="BTCUSDT", interval="1",
                     start=row["timestamp"], end=row["timestamp"], limit=1)["list"][0][1]
        assert abs(D(row["openInterest"]) * D(opened) - 90_000_000) < D("0.0005") * D(opened)
    inverse = pub(rsim, "/v5/market/open-interest", category="inverse", symbol="BTCUSD", intervalTime="1d",
                  limit=3)["list"]
    assert [r["openInterest"] for r in inverse] == ["90000000"] * 3


def test_price_band_is_the_instruments_risk_parameters(rsim: Simulator) -> None:
    for category, symbol, tick in (("linear", "ETHUSDT", D("0.01")), ("spot", "BTCUSDT", D("0.10"))):
        mark = D(pub(rsim, "/v5/market/tickers", category=category, symbol=symbol)["list"][0]["lastPrice"])
        risk = pub(rsim, "/v5/market/instruments-info", category=category, symbol=symbol)["list"][0]
        x = D(risk["riskParameters"]["priceLimitRatioX"])
        band = pub(rsim, "/v5/market/price-limit", category=category, symbol=symbol)
        # index = mark in the simulator: buy ≤ mark × (1 + X), sell ≥ mark × (1 − X), on the tick grid.
        assert D(band["buyLmt"]) == (mark * (1 + x) / tick).quantize(D(1)) * tick
        assert D(band["sellLmt"]) == (mark * (1 - x) / tick).quantize(D(1)) * tick


def test_orders_are_the_fills(rsim: Simulator) -> None:
    window = f"startTime={rsim.now_ms() - 7 * DAY}&endTime={rsim.now_ms()}"
    orders = pages(rsim, "Main", "/v5/order/history", f"category=linear&limit=50&{window}")
    fills = pages(rsim, "Main", "/v5/execution/list", f"category=linear&limit=100&{window}")
    assert orders and len(orders) == len(fills)
    by_order = {f["orderId"]: f for f in fills}
    for order in orders:
        fill = by_order[order["orderId"]]
        assert (order["symbol"], order["side"], order["avgPrice"], order["cumExecQty"], order["cumExecFee"],
                order["createdTime"]) == (fill["symbol"], fill["side"], fill["execPrice"], fill["execQty"],
                                          fill["execFee"], fill["execTime"])
        assert order["orderStatus"] == "Filled" and order["leavesQty"] == "0"
        # A closing fill reduces the position; Main trades BTCUSDT in hedge mode (idx 1 long, 2 short).
        assert order["reduceOnly"] == (fill["closedSize"] != "0")
        assert (order["positionIdx"] != 0) == (order["symbol"] == "BTCUSDT")
    recent = prv(rsim, "Main", "/v5/order/realtime", "category=linear&settleCoin=USDT&openOnly=1&limit=50")
    usdt = [o["orderId"] for o in orders if o["symbol"] not in ("BTCPERP", "ETHPERP")]
    assert [o["orderId"] for o in recent["list"]][:10] == usdt[:10]
    assert prv(rsim, "Main", "/v5/order/realtime", "category=linear&settleCoin=USDT")["list"] == []


def test_usdc_settlements_are_the_transaction_log_rows(rsim: Simulator) -> None:
    window = f"startTime={rsim.now_ms() - 3 * DAY}&endTime={rsim.now_ms()}"
    records = pages(rsim, "Main", "/v5/asset/settlement-record", f"category=linear&limit=50&{window}")
    log = [r for r in pages(rsim, "Main", "/v5/account/transaction-log",
                            f"type=SETTLEMENT&currency=USDC&limit=50&{window}")]
    assert records and len(records) == len(log)
    for record, row in zip(records, log, strict=True):
        assert (record["symbol"], record["side"], record["size"], record["markPrice"], record["realisedPnl"],
                record["createdTime"]) == (row["symbol"], row["side"], row["qty"], row["tradePrice"],
                                           row["cashFlow"], row["transactionTime"])
        assert record["sessionAvgPrice"] == record["markPrice"]


@pytest.mark.parametrize("name", ["Main", "Hedge"])
def test_transferable_amounts_follow_the_wallet(rsim: Simulator, name: str) -> None:
    """Bybit: what a unified coin can move = min(totalAvailableBalance at collateral ratio 1 / coin
    price, the coin's wallet balance). Main is capped by its wallet, the leveraged Hedge account by
    its available balance."""
    wallet = prv(rsim, name, "/v5/account/wallet-balance", "accountType=UNIFIED")["list"][0]
    usdt = next(c for c in wallet["coin"] if c["coin"] == "USDT")
    expected = min(D(usdt["walletBalance"]), D(wallet["totalAvailableBalance"]))
    expected = expected.quantize(D("1e-8"), ROUND_DOWN)
    assert (expected < D(usdt["walletBalance"])) == (name == "Hedge")
    moved = prv(rsim, name, "/v5/account/withdrawal", "coinName=USDT,BTC")
    assert D(moved["availableWithdrawal"]) == expected and moved["availableWithdrawalMap"]["BTC"] == "0"
    balance = prv(rsim, name, "/v5/asset/transfer/query-account-coins-balance",
                  "accountType=UNIFIED&coin=USDT")
    assert D(balance["balance"][0]["transferBalance"]) == expected
    withdrawable = prv(rsim, name, "/v5/asset/withdraw/withdrawable-amount", "coin=USDT")
    assert D(withdrawable["withdrawableAmount"]["UTA"]["withdrawableAmount"]) == expected
    assert withdrawable["withdrawableAmount"]["FUND"]["availableBalance"] == "0"
    quota = prv(rsim, name, "/v5/order/spot-borrow-check", "category=spot&symbol=BTCUSDT&side=Buy")
    price = D(pub(rsim, "/v5/market/tickers", category="spot", symbol="BTCUSDT")["list"][0]["lastPrice"])
    assert D(quota["maxTradeAmount"]) == expected
    assert D(quota["maxTradeQty"]) == (expected / price).quantize(D("0.0001"), ROUND_DOWN)


def test_classic_transfers_are_the_contract_wallets_available(rsim: Simulator) -> None:
    wallet = prv(rsim, "Classic", "/v5/account/wallet-balance", "accountType=CONTRACT")["list"][0]["coin"]
    balance = prv(rsim, "Classic", "/v5/asset/transfer/query-account-coins-balance", "accountType=CONTRACT")
    assert {b["coin"]: b["transferBalance"] for b in balance["balance"]} == \
        {c["coin"]: c["availableToWithdraw"] for c in wallet}
    assert prv(rsim, "Classic", "/v5/asset/transfer/query-account-coins-balance", "accountType=FUND") == \
        {"memberId": str(rsim.account("Classic").uid), "accountType": "FUND", "balance": []}


def test_limit_info_sums_the_group_positions(rsim: Simulator) -> None:
    info = prv(rsim, "Main", "/v5/position/limit-info", "symbol=BTCUSDT")
    legs = prv(rsim, "Main", "/v5/position/list", "category=linear&symbol=BTCUSDT")["list"]
    assert {(r["side"], D(r["size"])) for r in legs} == {("Buy", D("1.5")), ("Sell", D("0.5"))}
    assert (D(info["totalBuyPositionSize"]), D(info["totalSellPositionSize"])) == (D("1.5"), D("0.5"))
    oi = pub(rsim, "/v5/market/tickers", category="linear", symbol="BTCUSDT")["list"][0]["openInterest"]
    assert info["openInterest"] == oi
    assert D(info["maxUserOi"]) == D(info["estMaxPositionSize"]) == D(oi) * D(info["currentLimitPcnt"])


def test_collateral_agrees_with_the_wallet(rsim: Simulator) -> None:
    coins = prv(rsim, "Main", "/v5/account/wallet-balance", "accountType=UNIFIED")["list"][0]["coin"]
    info = {r["currency"]: r for r in prv(rsim, "Main", "/v5/account/collateral-info")["list"]}
    for coin in coins:
        row = info[coin["coin"]]
        assert (row["marginCollateral"], row["collateralSwitch"], row["borrowAmount"]) == \
            (coin["marginCollateral"], coin["collateralSwitch"], coin["borrowAmount"])
    # No haircut: the wallet's equity is the coins' USD values summed at ratio 1.
    tiers = pub(rsim, "/v5/spot-margin-trade/collateral", currency="BTC")["list"][0]["collateralRatioList"]
    assert tiers == [{"minQty": "0", "maxQty": "", "collateralRatio": "1"}]


@pytest.mark.parametrize(("name", "path", "query", "code"), [
    ("Main", "/v5/market/open-interest", "category=linear&symbol=BTCUSDT", 10001),   # intervalTime missing
    ("Main", "/v5/market/open-interest", "category=spot&symbol=BTCUSDT&intervalTime=1h", 10001),
    ("Main", "/v5/market/rpi_orderbook", "category=linear&symbol=BTCUSDT", 10001),   # limit missing
    ("Main", "/v5/order/history", f"category=linear&startTime={SIM_START_MS}", 10001),  # both times or none
    ("Main", "/v5/order/realtime", "category=linear", 10001),       # symbol, baseCoin or settleCoin
    ("Classic", "/v5/order/history", "category=option", 10001),     # classic: no options
    ("Main", "/v5/account/withdrawal", "", 10001),                  # coinName missing
    ("Classic", "/v5/account/withdrawal", "coinName=BTC", 10028),   # unified accounts only
    ("Main", "/v5/asset/transfer/query-asset-info", "accountType=SPOT", 100028),  # classic accounts only
    ("Main", "/v5/asset/settlement-record", f"category=linear&startTime={SIM_START_MS - 40 * DAY}"
                                            f"&endTime={SIM_START_MS}", 10001),   # 30 days at most
    ("Main", "/v5/asset/transfer/query-account-coins-balance", "accountType=UNIFIED", 10001),  # coin needed
    ("Main", "/v5/user/query-sub-members", "", 10005),              # read-only key: no Wallet permission
    ("Hedge", "/v5/user/query-sub-members", "", 0),
    ("Hedge", "/v5/user/aff-customer-info", "uid=1", 10005),        # no key has the Affiliate permission
])
def test_bybit_parameter_and_permission_rules(rsim: Simulator, name: str, path: str, query: str,
                                              code: int) -> None:
    signed = signed_get(rsim, rsim.account(name), path, query).json()
    assert signed["retCode"] == code, signed
