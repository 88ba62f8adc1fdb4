"""Conformance: pybit, Bybit's own Python client (which RiskDesk did not write), against the simulator
with only its base URL changed, for every endpoint RiskDesk calls plus closed PnL, the transaction
logs, the execution list, funding history, coin info and the order book.

pybit builds its base URL from `testnet`/`demo`/`domain`/`tld` in `__post_init__`
(`https://{api|api-testnet|...}.{domain}.{tld}`) and keeps it in `self.endpoint`; no option takes a
scheme or a port. `SimHTTP` runs pybit's own set-up and then replaces that one attribute with
http://127.0.0.1:PORT. Signing, query building, headers, retries and response checks stay pybit's.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pybit._v5_account import AccountHTTP
from pybit._v5_asset import AssetHTTP
from pybit._v5_market import MarketHTTP
from pybit._v5_misc import MiscHTTP
from pybit._v5_position import PositionHTTP
from pybit._v5_spot_margin_trade import SpotMarginTradeHTTP
from pybit._v5_trade import TradeHTTP
from pybit._v5_user import UserHTTP
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

from desktop_app.exchange_sim import Simulator

DAY = 86_400_000


@dataclass
class SimHTTP(HTTP):
    """pybit's HTTP session pointed at `base_url` (nothing else differs)."""

    base_url: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.endpoint = self.base_url


@pytest.fixture(scope="module")
def live_sim() -> Iterator[Simulator]:
    # pybit signs with the wall clock, so the simulator's clock runs in real time from now.
    with Simulator(seed=7, realtime=True, streams=False, history_page_cap=20) as simulator:
        yield simulator


def session(sim: Simulator, name: str | None = None) -> SimHTTP:
    if name is None:
        return SimHTTP(base_url=sim.base_url, max_retries=1)
    account = sim.account(name)
    return SimHTTP(base_url=sim.base_url, api_key=account.api_key, api_secret=account.api_secret,
                   rsa_authentication=account.key_type == "rsa", max_retries=1)


def ok(response: Any) -> dict[str, Any]:
    assert response["retCode"] == 0, response
    return response["result"]  # type: ignore[no-any-return]


def every_page(call: Any, **params: Any) -> list[dict[str, Any]]:
    """Follow `nextPageCursor` to the end, handing it back to pybit verbatim."""
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = ok(call(cursor=cursor, **params))
        rows += page["list"]
        cursor = page["nextPageCursor"] or None
        if cursor is None:
            return rows
    raise AssertionError("the cursor never ended")


def test_market_endpoints_through_pybit(live_sim: Simulator) -> None:
    http = session(live_sim)
    assert int(ok(http.get_server_time())["timeSecond"]) > 1_700_000_000
    for category in ("spot", "linear", "inverse"):
        assert ok(http.get_tickers(category=category))["list"]
        assert ok(http.get_instruments_info(category=category))["list"]
    assert ok(http.get_tickers(category="option", baseCoin="BTC"))["list"] == []
    assert ok(http.get_instruments_info(category="option"))["list"] == []
    kline = ok(http.get_kline(category="linear", symbol="BTCUSDT", interval="60", limit=5))["list"]
    assert len(kline) == 5 and int(kline[0][0]) > int(kline[-1][0])           # newest first
    marks = ok(http.get_mark_price_kline(category="inverse", symbol="BTCUSD", interval="D", limit=3))
    assert len(marks["list"]) == 3 and len(marks["list"][0]) == 5
    tiers = every_page(http.get_risk_limit, category="linear")    # 15 symbols a page, fewer with the cap
    assert {t["symbol"] for t in tiers} >= {"BTCUSDT", "ETHUSDT", "BTCPERP"}
    rates = ok(http.get_funding_rate_history(category="linear", symbol="BTCUSDT", limit=3))["list"]
    assert len(rates) == 3 and all(int(r["fundingRateTimestamp"]) % (8 * 3_600_000) == 0 for r in rates)
    book = ok(http.get_orderbook(category="linear", symbol="BTCUSDT", limit=5))
    assert len(book["a"]) == len(book["b"]) == 5 and float(book["a"][0][0]) > float(book["b"][0][0])


@pytest.mark.parametrize("name", ["Main", "Portfolio", "Classic"])   # HMAC, RSA, a classic account
def test_account_endpoints_through_pybit(live_sim: Simulator, name: str) -> None:
    http = session(live_sim, name)
    classic = name == "Classic"
    info = ok(http.get_account_info())
    assert info["unifiedMarginStatus"] == (1 if classic else 5)
    wallet = ok(http.get_wallet_balance(accountType="CONTRACT" if classic else "UNIFIED"))["list"][0]
    assert wallet["accountType"] == ("CONTRACT" if classic else "UNIFIED")
    key = ok(http.get_api_key_information())
    assert key["apiKey"] == live_sim.account(name).api_key
    assert ok(http.get_fee_rates(category="linear", symbol="BTCUSDT"))["list"][0]["takerFeeRate"] == "0.00055"
    positions = ok(http.get_positions(category="linear", settleCoin="USDT", limit=200))["list"]
    assert positions and all(p["side"] in ("Buy", "Sell") for p in positions)
    assert ok(http.get_coin_info(coin="BTC"))["rows"][0]["coin"] == "BTC"


@pytest.mark.parametrize("name", ["Main", "Classic"])
def test_history_endpoints_through_pybit(live_sim: Simulator, name: str) -> None:
    http = session(live_sim, name)
    now = live_sim.now_ms()
    week = {"startTime": now - 7 * DAY, "endTime": now}
    category = "inverse" if name == "Classic" else "linear"
    assert ok(http.get_closed_pnl(category=category, limit=100, **week))["category"] == category
    closed = every_page(http.get_closed_pnl, category=category, limit=100, **week)
    fills = every_page(http.get_executions, category=category, limit=100, **week)
    assert closed and {r["orderId"] for r in closed} <= {f["orderId"] for f in fills}
    if name == "Classic":
        rows = every_page(http.get_contract_transaction_log, type="SETTLEMENT", limit=50, **week)
    else:
        rows = every_page(http.get_transaction_log, accountType="UNIFIED", type="SETTLEMENT", limit=50,
                          **week)
    assert len(rows) > 20 and len({r["id"] for r in rows}) == len(rows)
    assert {r["type"] for r in rows} == {"SETTLEMENT"}
    # Bybit's errors reach pybit as its InvalidRequestError with Bybit's code.
    with pytest.raises(InvalidRequestError, match="7 days"):
        http.get_closed_pnl(category=category, startTime=now - 8 * DAY, endTime=now)


# -- every other read-only GET method pybit has ------------------------------------------------------
# (method, account or None for a public call, kwargs, keys of `result`, (row container, row keys)).
# Keys are the field names of the response example in Bybit's docs page of each endpoint; the rows are
# checked where the simulator has some (`rows` None: the documented list is empty in the simulator).
Rows = tuple[str, frozenset[str]] | None


def keys(text: str) -> frozenset[str]:
    return frozenset(text.split())


ORDER_KEYS = keys(
    "orderId orderLinkId blockTradeId symbol price qty side isLeverage positionIdx orderStatus cancelType "
    "rejectReason avgPrice leavesQty leavesValue cumExecQty cumExecValue cumExecFee timeInForce orderType "
    "stopOrderType orderIv triggerPrice takeProfit stopLoss tpTriggerBy slTriggerBy triggerDirection "
    "triggerBy lastPriceOnCreated reduceOnly closeOnTrigger smpType smpGroup smpOrderId tpslMode "
    "tpLimitPrice slLimitPrice placeType createdTime updatedTime")
# Bybit's list-valued results (`result` is the list itself).
LIST_RESULTS = frozenset({"get_historical_volatility", "get_fiat_balance", "get_fiat_convert_history"})


PYBIT_GETS: tuple[tuple[str, str | None, dict[str, Any], frozenset[str], Rows], ...] = (
    # market
    ("get_index_price_kline", None, {"category": "linear", "symbol": "BTCUSDT", "interval": "60", "limit": 3},
     keys("symbol category list"), None),
    ("get_premium_index_price_kline", None, {"category": "linear", "symbol": "BTCUSDT", "interval": "D",
                                             "limit": 3}, keys("symbol category list"), None),
    ("get_public_trade_history", None, {"category": "spot", "symbol": "BTCUSDT", "limit": 2},
     keys("category list"), ("list", keys("execId symbol price size side time isBlockTrade"))),
    ("get_open_interest", None, {"category": "inverse", "symbol": "BTCUSD", "intervalTime": "5min",
                                 "limit": 2}, keys("symbol category list nextPageCursor"),
     ("list", keys("openInterest timestamp"))),
    ("get_historical_volatility", None, {"category": "option", "baseCoin": "ETH", "period": 30}, keys(""),
     None),
    ("get_insurance", None, {"coin": "ETH"}, keys("updatedTime list"), None),
    ("get_option_delivery_price", None, {"category": "option", "symbol": "ETH-26DEC22-1400-C"},
     keys("category nextPageCursor list"), None),
    ("get_long_short_ratio", None, {"category": "linear", "symbol": "BTCUSDT", "period": "1d", "limit": 1},
     keys("list"), None),
    ("get_price_limit", None, {"category": "linear", "symbol": "BTCUSDT"}, keys("symbol buyLmt sellLmt ts"),
     None),
    ("get_rpi_orderbook", None, {"category": "spot", "symbol": "BTCUSDT", "limit": 50},
     keys("s a b ts u seq cts"), None),
    ("get_new_delivery_price", None, {"category": "option", "baseCoin": "BTC"}, keys("category list"), None),
    ("get_index_price_components", None, {"indexName": "BTCUSDT"},
     keys("indexName lastPrice updateTime components"),
     ("components", keys("exchange spotPair equivalentPrice multiplier price weight"))),
    ("get_adl_alert", None, {"symbol": "BTCUSDT"}, keys("updatedTime list"), None),
    ("get_fee_group_info", None, {"productType": "contract", "groupId": "1"}, keys("list"), None),
    ("get_announcement", None, {"locale": "en-US", "limit": 1}, keys("total list"), None),
    ("get_system_status", None, {}, keys("list"), None),
    # orders and positions
    ("get_open_orders", "Main", {"category": "linear", "settleCoin": "USDT", "openOnly": 1, "limit": 2},
     keys("list nextPageCursor category"), ("list", ORDER_KEYS)),
    ("get_order_history", "Main", {"category": "linear", "limit": 2}, keys("list nextPageCursor category"),
     ("list", ORDER_KEYS)),
    ("get_borrow_quota", "Main", {"category": "spot", "symbol": "BTCUSDT", "side": "Buy"},
     keys("symbol maxTradeQty side spotMaxTradeAmount maxTradeAmount borrowCoin spotMaxTradeQty"), None),
    ("get_move_position_history", "Main", {"limit": "1", "status": "Filled"}, keys("list nextPageCursor"),
     None),
    ("get_closed_options_positions", "Main", {"category": "option", "limit": "1"},
     keys("nextPageCursor category list"), None),
    # account
    ("get_transferable_amount", "Main", {"coinName": "BTC,USDT"},
     keys("availableWithdrawal availableWithdrawalMap"), None),
    ("get_borrow_history", "Main", {"currency": "BTC", "limit": 1}, keys("nextPageCursor list"), None),
    ("get_collateral_info", "Main", {"currency": "BTC"}, keys("list"), ("list", keys(
        "availableToBorrow freeBorrowingAmount freeBorrowAmount maxBorrowingAmount hourlyBorrowRate "
        "borrowUsageRate collateralSwitch borrowAmount borrowable currency otherBorrowAmount "
        "marginCollateral freeBorrowingLimit collateralRatio"))),
    ("get_coin_greeks", "Main", {"baseCoin": "BTC"}, keys("list"), None),
    ("get_mmp_state", "Main", {"baseCoin": "ETH"}, keys("result"), None),
    ("get_account_instruments_info", "Main", {"category": "linear", "symbol": "BTCUSDT"},
     keys("category list nextPageCursor"), ("list", keys(
         "symbol symbolId contractType status baseCoin quoteCoin launchTime deliveryTime deliveryFeeRate "
         "priceScale leverageFilter priceFilter lotSizeFilter unifiedMarginTrade fundingInterval settleCoin "
         "copyTrading upperFundingRate lowerFundingRate isPreListing preListingInfo riskParameters "
         "displayName symbolType myRpiPermission isPublicRpi"))),
    ("query_dcp_info", "Main", {}, keys("dcpInfos"), None),
    ("get_smp_group", "Main", {}, keys("smpGroup"), None),
    ("get_user_setting_config", "Main", {}, keys("lpaSpot lpaPerp"), None),
    # asset
    ("get_coin_exchange_records", "Main", {"limit": 10}, keys("orderBody nextPageCursor"), None),
    ("get_option_delivery_record", "Main", {"category": "option", "expDate": "29DEC22"},
     keys("nextPageCursor category list"), None),
    ("get_usdc_contract_settlement", "Main", {"category": "linear", "limit": 5},
     keys("nextPageCursor category list"),
     ("list", keys("realisedPnl symbol side markPrice size createdTime sessionAvgPrice"))),
    ("get_spot_asset_info", "Classic", {"accountType": "SPOT", "coin": "ETH"}, keys("spot"), None),
    ("get_coins_balance", "Main", {"accountType": "UNIFIED", "coin": "USDT,USDC"},
     keys("memberId accountType balance"), ("balance", keys("coin transferBalance walletBalance bonus"))),
    ("get_coin_balance", "Main", {"accountType": "UNIFIED", "coin": "USDT", "toAccountType": "FUND"},
     keys("accountType bizType accountId memberId balance"), None),
    ("get_transferable_coin", "Main", {"fromAccountType": "UNIFIED", "toAccountType": "CONTRACT"},
     keys("list"), None),
    ("get_internal_transfer_records", "Main", {"coin": "USDT", "limit": 1}, keys("list nextPageCursor"),
     None),
    ("get_sub_uid", "Main", {}, keys("subMemberIds transferableSubMemberIds"), None),
    ("get_universal_transfer_records", "Hedge", {"limit": 1}, keys("list nextPageCursor"), None),
    ("get_allowed_deposit_coin_info", "Main", {"coin": "ETH", "chain": "ETH"},
     keys("configList nextPageCursor"),
     ("configList", keys("coin chain coinShowName chainType blockConfirmNumber minDepositAmount"))),
    ("get_deposit_records", "Main", {"coin": "USDT"}, keys("rows nextPageCursor"), None),
    ("get_sub_deposit_records", "Main", {"coin": "USDT", "limit": 1, "subMemberId": 592334},
     keys("rows nextPageCursor"), None),
    ("get_internal_deposit_records", "Main", {}, keys("rows nextPageCursor"), None),
    ("get_master_deposit_address", "Main", {"coin": "USDT", "chainType": "ETH"}, keys("coin chains"), None),
    ("get_sub_deposit_address", "Main", {"coin": "USDT", "chainType": "TRX", "subMemberId": 592334},
     keys("coin chains"), None),
    ("get_withdrawal_address_list", "Main", {"coin": "USDT"}, keys("rows nextPageCursor"), None),
    ("get_withdrawal_records", "Main", {"coin": "USDT", "withdrawType": 2, "limit": 2},
     keys("rows nextPageCursor"), None),
    ("get_withdrawable_amount", "Main", {"coin": "USDT"}, keys("limitAmountUsd withdrawableAmount"), None),
    ("get_exchange_entity_list", "Main", {}, keys("vasp"), None),
    ("get_convert_coin_list", "Main", {"side": "0", "accountType": "eb_convert_funding"}, keys("coins"),
     None),
    ("get_convert_history", "Main", {"accountType": "eb_convert_uta,eb_convert_funding"}, keys("list"), None),
    ("get_small_balance_coins", "Main", {"accountType": "eb_convert_uta"}, keys("list"), None),
    ("get_exchange_history_small_balance", "Main", {"accountType": "eb_convert_uta"},
     keys("list nextPageCursor"), None),
    ("get_asset_overview", "Main", {}, keys("totalEquity list"),
     ("list", keys("totalEquity valuationCurrency accountType coinDetail snapshotTime"))),
    ("get_funding_acc_history", "Main", {"limit": 1}, keys("nextPageCursor list"), None),
    ("get_fiat_balance", "Main", {}, keys(""), None),
    ("get_fiat_trading_pair_list", "Main", {"side": "0"}, keys("fiats cryptos"), None),
    ("get_fiat_convert_history", "Main", {}, keys(""), None),
    ("get_fiat_reference_price", "Main", {"symbol": "EUR-USDT"},
     keys("symbol fiat crypto timestamp buys sells"), None),
    # user
    ("get_sub_uid_list", "Hedge", {}, keys("subMembers"), None),
    ("get_sub_uid_list_unlimited", "Hedge", {"pageSize": "1"}, keys("subMembers nextCursor"), None),
    ("get_all_sub_api_keys", "Main", {"subMemberId": "100400345"}, keys("result nextPageCursor"), None),
    ("get_uid_wallet_type", "Main", {}, keys("accounts"), ("accounts", keys("uid accountType"))),
    ("get_escrow_sub_members", "Hedge", {"pageSize": "2"}, keys("subMembers nextCursor"), None),
    ("get_friend_referrals", "Main", {"status": "0", "size": "5"}, keys("nextCursor records"), None),
    # spot margin (unified account, then classic "normal" account)
    ("spot_margin_trade_get_vip_margin_data", None, {"vipLevel": "No VIP", "currency": "BTC"},
     keys("vipCoinList"), ("vipCoinList", keys("list vipLevel"))),
    ("spot_margin_trade_get_status_and_leverage", "Main", {},
     keys("spotLeverage spotMarginMode effectiveLeverage"), None),
    ("spot_margin_trade_get_historical_interest_rate", "Main", {"currency": "USDC"}, keys("list"), None),
    ("get_tiered_collateral_ratio", None, {"currency": "BTC"}, keys("list"),
     ("list", keys("currency collateralRatioList"))),
    ("get_auto_repay_mode", "Main", {"currency": "ETH"}, keys("data"),
     ("data", keys("autoRepayMode currency"))),
    ("spot_margin_trade_get_max_borrowable", "Main", {"currency": "BTC"}, keys("maxLoan currency"), None),
    ("spot_margin_trade_get_position_tiers", None, {"currency": "BTC"}, keys("list"), None),
    ("spot_margin_trade_get_coin_state", None, {"currency": "BTC"}, keys("list"),
     ("list", keys("spotLeverage currency"))),
    ("spot_margin_trade_get_repayment_available_amount", "Main", {"currency": "BTC"},
     keys("lossLessRepaymentAmount currency"), None),
    ("spot_margin_trade_get_currency_data", None, {"currency": "BTC"}, keys("list"), ("list", keys(
        "currency flexibleManualBorrowable minFlexibleManualBorrowQty flexibleManualBorrowAccuracy "
        "fixedManualBorrowable minFixedManualBorrowQty fixedManualBorrowAccuracy fixedInterestRateAccuracy "
        "minFixedInterestRate maxFixedInterestRate"))),
    ("spot_margin_trade_normal_get_vip_margin_data", None, {"coin": "ETH"}, keys("list"), None),
    ("spot_margin_trade_normal_get_margin_coin_info", None, {"coin": "ETH"}, keys("list"), None),
    ("spot_margin_trade_normal_get_borrowable_coin_info", None, {"coin": "ETH"}, keys("list"), None),
    ("spot_margin_trade_normal_get_interest_quota", "Classic", {"coin": "ETH"},
     keys("coin interestRate loanAbleAmount maxLoanAmount"), None),
    ("spot_margin_trade_normal_get_loan_account_info", "Classic", {},
     keys("acctBalanceSum debtBalanceSum loanAccountList riskRate status switchStatus"), None),
    ("spot_margin_trade_normal_get_borrow_order_detail", "Classic", {"coin": "ETH", "limit": 1, "status": 2},
     keys("list"), None),
    ("spot_margin_trade_normal_get_repayment_order_detail", "Classic", {"coin": "ETH", "limit": 1},
     keys("list"), None),
)
# GET methods whose documented answer for the simulator's keys is a Bybit error, not a result.
PYBIT_GET_ERRORS: tuple[tuple[str, str, dict[str, Any], int], ...] = (
    ("get_affiliate_user_info", "Main", {"uid": "1513500"}, 10005),      # needs the Affiliate permission
    ("get_affiliate_user_list", "Main", {"size": 2}, 10005),
    ("get_affiliate_sub_list", "Main", {"size": 100}, 10005),
    ("get_sub_uid_list", "Main", {}, 10005),              # a read-only key without Wallet permissions
    ("get_universal_transfer_records", "Main", {"limit": 1}, 10005),
    ("get_convert_status", "Main", {"accountType": "eb_convert_uta", "quoteTxId": "1010010810640934"}, 10001),
    ("get_fiat_convert_status", "Main", {"tradeNo": "TradeNo123456"}, 10001),     # no such trade
    ("spot_margin_trade_get_status_and_leverage", "Classic", {}, 10028),  # unified accounts only
    ("spot_margin_trade_normal_get_loan_account_info", "Main", {}, 100028),  # classic accounts only
)
# Methods whose answers earlier tests in this module check.
CHECKED_ABOVE = keys(
    "get_server_time get_kline get_mark_price_kline get_instruments_info get_orderbook get_tickers "
    "get_funding_rate_history get_risk_limit get_wallet_balance get_fee_rates get_account_info "
    "get_transaction_log get_contract_transaction_log get_positions get_executions get_closed_pnl "
    "get_coin_info get_api_key_information")
PYBIT_GROUPS = (MarketHTTP, TradeHTTP, PositionHTTP, AccountHTTP, AssetHTTP, UserHTTP, SpotMarginTradeHTTP,
                MiscHTTP)


def pybit_get_routes() -> dict[str, str]:
    """method name -> path of every GET method of pybit's market, trade, position, account, asset, user,
    spot-margin and misc groups, read from pybit's own source."""
    out: dict[str, str] = {}
    for group in PYBIT_GROUPS:
        for name, function in vars(group).items():
            source = inspect.getsource(function) if inspect.isfunction(function) else ""
            found = re.search(r'method="GET",\s*path=f"\{self\.endpoint\}\{(\w+)\.(\w+)\}"', source)
            if found:
                enum = getattr(inspect.getmodule(group), found[1])
                out[name] = str(getattr(enum, found[2]))
    return out


def test_every_pybit_get_method_is_covered() -> None:
    covered = {c[0] for c in PYBIT_GETS} | {c[0] for c in PYBIT_GET_ERRORS} | CHECKED_ABOVE
    methods = pybit_get_routes()
    assert len(methods) > 90 and set(methods) <= covered, set(methods) - covered


@pytest.mark.parametrize(("method", "name", "kwargs", "result_keys", "rows"), PYBIT_GETS,
                         ids=[c[0] for c in PYBIT_GETS])
def test_pybit_get_method_answers_bybit_shape(live_sim: Simulator, method: str, name: str | None,
                                              kwargs: dict[str, Any], result_keys: frozenset[str],
                                              rows: Rows) -> None:
    response = getattr(session(live_sim, name), method)(**kwargs)
    result = ok(response)
    if method in LIST_RESULTS:                       # nothing of that kind in the simulator
        assert result == [] and response.get("category", "option") == "option"
        return
    assert result_keys <= set(result), result_keys - set(result)
    if rows is not None:
        container, row_keys = rows
        assert result[container], f"{method}: the simulator should hold {container} here"
        for row in result[container]:
            assert row_keys <= set(row), row_keys - set(row)


@pytest.mark.parametrize(("method", "name", "kwargs", "code"), PYBIT_GET_ERRORS,
                         ids=[f"{c[0]}-{c[1]}" for c in PYBIT_GET_ERRORS])
def test_pybit_get_method_gets_bybit_error(live_sim: Simulator, method: str, name: str,
                                           kwargs: dict[str, Any], code: int) -> None:
    with pytest.raises(InvalidRequestError) as error:
        getattr(session(live_sim, name), method)(**kwargs)
    assert error.value.status_code == code


# Read-only GET routes in Bybit's docs that pybit 5.17 has no method for.
DOCS_ONLY_ROUTES = ("/v5/market/option-base-coins", "/v5/market/full_orderbook", "/v5/position/limit-info",
                    "/v5/asset/withdraw/address/list")


def test_no_documented_read_only_route_is_404(live_sim: Simulator) -> None:
    """Signed, without parameters: every route answers Bybit's envelope (a result or a parameter error),
    never HTTP 404 / retCode 10017 (route not found)."""
    account = live_sim.account("Main")
    routes = sorted(set(pybit_get_routes().values()) | set(DOCS_ONLY_ROUTES))
    with httpx.Client(base_url=live_sim.base_url) as client:
        for path in routes:
            ts = str(live_sim.server_time_ms())
            sign = hmac.new(account.api_secret.encode(), f"{ts}{account.api_key}5000".encode(),
                            hashlib.sha256).hexdigest()
            response = client.get(path, headers={"X-BAPI-API-KEY": account.api_key, "X-BAPI-TIMESTAMP": ts,
                                                 "X-BAPI-RECV-WINDOW": "5000", "X-BAPI-SIGN": sign})
            assert response.status_code == 200, path
            assert response.json()["retCode"] not in (10017, 10003, 10004), (path, response.json())
        # RiskDesk never trades: write routes stay unserved.
        assert client.get("/v5/order/create").status_code == 404
        assert client.post("/v5/order/realtime").status_code == 404


# category -> served by Bybit; option: a list without a symbol (the simulator lists no options).
ALL = ("spot", "linear", "inverse", "option")
MARKET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "/v5/market/tickers": ALL, "/v5/market/instruments-info": ALL, "/v5/market/orderbook": ALL,
    "/v5/market/recent-trade": ALL, "/v5/market/kline": ("spot", "linear", "inverse"),
    "/v5/market/mark-price-kline": ("linear", "inverse", "option"),
    "/v5/market/index-price-kline": ("linear", "inverse"),
    "/v5/market/premium-index-price-kline": ("linear",),
    "/v5/market/rpi_orderbook": ("spot", "linear", "inverse"),
    "/v5/market/full_orderbook": ("spot", "linear", "inverse"),
    "/v5/market/price-limit": ("spot", "linear", "inverse"), "/v5/market/risk-limit": ("linear", "inverse"),
    "/v5/market/funding/history": ("linear", "inverse"), "/v5/market/open-interest": ("linear", "inverse"),
    "/v5/market/account-ratio": ("linear", "inverse"), "/v5/market/historical-volatility": ("option",),
    "/v5/market/delivery-price": ("linear", "inverse", "option"),
    "/v5/market/new-delivery-price": ("option",),
}
OPTION_LISTS = {"/v5/market/tickers", "/v5/market/instruments-info", "/v5/market/recent-trade",
                "/v5/market/historical-volatility", "/v5/market/delivery-price",
                "/v5/market/new-delivery-price"}
NO_SYMBOL = {"/v5/market/tickers", "/v5/market/instruments-info", "/v5/market/risk-limit",
             "/v5/market/delivery-price", "/v5/market/historical-volatility", "/v5/market/new-delivery-price"}
SYMBOLS = {"spot": "BTCUSDT", "linear": "BTCUSDT", "inverse": "BTCUSD", "option": "BTC-27MAR26-70000-C"}


@pytest.mark.parametrize("path", sorted(MARKET_CATEGORIES))
def test_market_route_answers_every_category(live_sim: Simulator, path: str) -> None:
    """Each of the four categories gets an answer: Bybit's data (an empty list of options, which the
    simulator does not list) where Bybit serves the category, Bybit's 10001 where it does not (or for an
    option symbol, unknown here). A category-less request is never served as another category."""
    served = MARKET_CATEGORIES[path]
    with httpx.Client(base_url=live_sim.base_url) as client:
        for category in ALL:
            params = {"category": category, "interval": "D", "intervalTime": "1h", "period": "1h",
                      "limit": "5", "baseCoin": "BTC"}
            if path == "/v5/market/historical-volatility":
                params["period"] = "7"                  # days here, a data period elsewhere
            listing = category == "option" and path in OPTION_LISTS
            if path not in NO_SYMBOL and not listing:
                params["symbol"] = SYMBOLS[category]
            body = client.get(path, params=params).json()
            expected_ok = category in served and (category != "option" or listing)
            assert body["retCode"] == (0 if expected_ok else 10001), (path, category, body)
            if expected_ok and listing:
                result = body["result"]
                assert (result if isinstance(result, list) else result["list"]) == [], (path, result)
            elif expected_ok:
                assert body["result"], (path, category)
