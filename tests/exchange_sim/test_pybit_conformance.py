"""Conformance: pybit, Bybit's own Python client (which RiskDesk did not write), against the simulator
with only its base URL changed, for every endpoint RiskDesk calls plus closed PnL, the transaction
logs, the execution list, funding history, coin info and the order book.

pybit builds its base URL from `testnet`/`demo`/`domain`/`tld` in `__post_init__`
(`https://{api|api-testnet|...}.{domain}.{tld}`) and keeps it in `self.endpoint`; no option takes a
scheme or a port. `SimHTTP` runs pybit's own set-up and then replaces that one attribute with
http://127.0.0.1:PORT. Signing, query building, headers, retries and response checks stay pybit's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
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
