"""The simulator's account history: Bybit's time and page rules, and rows that agree with each other
(closed PnL with the fills and the transaction log, funding with the funding-rate history)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal as D
from typing import Any

import httpx
import pytest

from desktop_app.exchange_sim import Simulator
from desktop_app.exchange_sim.accounts import make_demo_accounts
from tests.exchange_sim.test_http import signed_get
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

DAY = 86_400_000
WEEK = 7 * DAY
FEE = D("0.00055")


@pytest.fixture(scope="module")
def hsim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False) as simulator:
        yield simulator


def get(sim: Simulator, name: str, path: str, query: str) -> dict[str, Any]:
    body = signed_get(sim, sim.account(name), path, query).json()
    return body  # type: ignore[no-any-return]


def all_pages(sim: Simulator, name: str, path: str, query: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(200):
        body = get(sim, name, path, query + (f"&cursor={cursor}" if cursor else ""))
        assert body["retCode"] == 0, body
        rows += body["result"]["list"]
        cursor = body["result"]["nextPageCursor"]
        if not cursor:
            return rows
    raise AssertionError("cursor never ended")


def test_closed_pnl_is_bybit_arithmetic_on_its_own_fills(hsim: Simulator) -> None:
    end = SIM_START_MS
    window = f"startTime={end - WEEK}&endTime={end}"
    closed = all_pages(hsim, "Main", "/v5/position/closed-pnl", f"category=linear&limit=100&{window}")
    fills = all_pages(hsim, "Main", "/v5/execution/list", f"category=linear&limit=100&{window}")
    assert closed, "a week of the demo's Main account has closed trades"
    by_order = {f["orderId"]: f for f in fills}
    times = [int(r["createdTime"]) for r in closed]
    assert times == sorted(times, reverse=True)                          # newest first
    for row in closed:
        qty, entry, exit_ = D(row["closedSize"]), D(row["avgEntryPrice"]), D(row["avgExitPrice"])
        direction = 1 if row["side"] == "Sell" else -1                   # a Sell closes a long
        # Bybit's closed PnL: (exit - entry) × qty × direction - entry fee - exit fee (0.055% taker each).
        open_fee = (qty * entry * FEE).quantize(D("1e-8"))
        close_fee = (qty * exit_ * FEE).quantize(D("1e-8"))
        gross = ((exit_ - entry) * qty * direction).quantize(D("1e-8"))
        assert D(row["closedPnl"]) == gross - open_fee - close_fee
        closing_fill = by_order[row["orderId"]]
        assert D(closing_fill["execFee"]) == close_fee and D(closing_fill["execPrice"]) == exit_
        assert closing_fill["execTime"] == row["updatedTime"]
        assert closing_fill["closedSize"] == row["closedSize"]
        assert D(row["cumExitValue"]) == qty * exit_


def test_transaction_log_trades_and_funding_agree_with_the_rest(hsim: Simulator) -> None:
    end = SIM_START_MS
    window = f"startTime={end - WEEK}&endTime={end}"
    log = all_pages(hsim, "Hedge", "/v5/account/transaction-log", f"accountType=UNIFIED&limit=50&{window}")
    closed = all_pages(hsim, "Hedge", "/v5/position/closed-pnl", f"category=linear&limit=100&{window}")
    fills = {f["execId"]: f for f in all_pages(hsim, "Hedge", "/v5/execution/list",
                                               f"category=linear&limit=100&{window}")}
    for row in log:
        assert D(row["change"]) == D(row["cashFlow"]) + D(row["funding"] or 0) - D(row["fee"] or 0)
    trades = [r for r in log if r["type"] == "TRADE"]
    assert {r["tradeId"] for r in trades} <= set(fills)                  # every TRADE row is a fill
    # A USDT round trip's two TRADE rows (its opening fill: the latest earlier fill of the same symbol
    # and size on the other side) move the cash by exactly its closed PnL.
    checked = 0
    for row in closed:
        close_leg = next(r for r in trades if fills[r["tradeId"]]["orderId"] == row["orderId"])
        opening = [r for r in trades if r["symbol"] == row["symbol"] and r["qty"] == row["closedSize"]
                   and r["side"] != close_leg["side"] and r["transactionTime"] < close_leg["transactionTime"]]
        if opening:
            open_leg = max(opening, key=lambda r: int(r["transactionTime"]))
            assert D(open_leg["change"]) + D(close_leg["change"]) == D(row["closedPnl"])
            checked += 1
    assert checked >= 3
    # Funding every 8 h on the two standing positions (BTCUSDT and ETHUSDT longs), at the rate the
    # funding history gives and the mark of that instant: change = -qty × mark × rate for a long.
    settlements = [r for r in log if r["type"] == "SETTLEMENT"]
    standing = [r for r in settlements if r["qty"] in ("2.5", "15")]
    assert len(standing) == 2 * 21 + 2          # 00/08/16 UTC for 7 days, both ends included, two positions
    rates = {(r["symbol"], r["fundingRateTimestamp"]): D(r["fundingRate"])
             for symbol in ("BTCUSDT", "ETHUSDT")
             for r in httpx.get(f"{hsim.base_url}/v5/market/funding/history",
                                params={"category": "linear", "symbol": symbol, "endTime": end,
                                        "limit": 30}).json()["result"]["list"]}
    for row in standing:
        assert int(row["transactionTime"]) % (8 * 3_600_000) == 0
        rate = rates[(row["symbol"], row["transactionTime"])]
        assert D(row["feeRate"]) == rate                                  # side Buy: the market rate
        expected = (-D(row["qty"]) * D(row["tradePrice"]) * rate).quantize(D("1e-8"))
        assert D(row["funding"]) == D(row["change"]) == expected


def test_time_rules(hsim: Simulator) -> None:
    now = SIM_START_MS
    too_long = get(hsim, "Main", "/v5/position/closed-pnl",
                   f"category=linear&startTime={now - WEEK - 1}&endTime={now}")
    assert too_long["retCode"] == 10001 and "7 days" in too_long["retMsg"]
    too_old = get(hsim, "Main", "/v5/position/closed-pnl", f"category=linear&startTime={now - 731 * DAY}")
    assert too_old["retCode"] == 10001 and "2 years" in too_old["retMsg"]
    # No times: closed PnL covers the last 7 days; the unified transaction log the last 24 h.
    default = all_pages(hsim, "Main", "/v5/position/closed-pnl", "category=linear&limit=100")
    explicit = all_pages(hsim, "Main", "/v5/position/closed-pnl",
                         f"category=linear&limit=100&startTime={now - WEEK}&endTime={now}")
    assert default == explicit
    day_log = all_pages(hsim, "Main", "/v5/account/transaction-log", "accountType=UNIFIED&limit=50")
    assert day_log and all(now - DAY <= int(r["transactionTime"]) <= now for r in day_log)
    # Only endTime: the 7 days before it.
    ending = all_pages(hsim, "Main", "/v5/position/closed-pnl", f"category=linear&limit=100&endTime={now}")
    assert ending == explicit
    assert get(hsim, "Main", "/v5/position/closed-pnl", "category=linear&limit=101")["retCode"] == 10001
    assert get(hsim, "Main", "/v5/account/transaction-log", "limit=51")["retCode"] == 10001
    assert get(hsim, "Main", "/v5/position/closed-pnl", "category=option")["retCode"] == 10001


def test_pages_split_the_same_rows(hsim: Simulator) -> None:
    window = f"startTime={SIM_START_MS - WEEK}&endTime={SIM_START_MS}"
    whole = all_pages(hsim, "Main", "/v5/account/transaction-log", f"limit=50&type=SETTLEMENT&{window}")
    pieces = all_pages(hsim, "Main", "/v5/account/transaction-log", f"limit=11&type=SETTLEMENT&{window}")
    assert pieces == whole and len({r["id"] for r in whole}) == len(whole) > 50
    assert {r["type"] for r in whole} == {"SETTLEMENT"}


def test_classic_accounts_use_the_contract_log(hsim: Simulator) -> None:
    assert get(hsim, "Classic", "/v5/account/transaction-log", "accountType=UNIFIED")["retCode"] == 10028
    assert get(hsim, "Main", "/v5/account/contract-transaction-log", "")["retCode"] == 100028
    rows = all_pages(hsim, "Classic", "/v5/account/contract-transaction-log",
                     f"type=SETTLEMENT&limit=50&startTime={SIM_START_MS - DAY}&endTime={SIM_START_MS}")
    inverse = [r for r in rows if r["symbol"] == "BTCUSD" and r["qty"] == "30000"]
    assert len(inverse) == 4 and all(r["currency"] == "BTC" for r in inverse)
    for row in inverse:
        # Classic sign: funding > 0 is paid; change = cashFlow - funding - fee. A 30,000 USD long pays
        # 30,000 / mark × rate in BTC.
        expected = (D(30_000) / D(row["tradePrice"]) * D(row["feeRate"])).quantize(D("1e-8"))
        assert D(row["funding"]) == expected and D(row["change"]) == -expected


def test_uta1_keeps_inverse_history_in_the_contract_log() -> None:
    # UTA 1.0 (unifiedMarginStatus 3): inverse contracts stay in their own wallet, whose log is the
    # contract transaction log ("classic account, UTA1.0 (inverse)"); the unified log has the rest.
    classic = next(a for a in make_demo_accounts(seed=SIM_SEED) if a.name == "Classic")
    uta1 = replace(classic, name="Uta1", classic=False, uta1=True)
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False,
                   accounts=(uta1,)) as sim:
        assert get(sim, "Uta1", "/v5/account/info", "")["result"]["unifiedMarginStatus"] == 3
        window = f"type=SETTLEMENT&limit=50&startTime={SIM_START_MS - DAY}&endTime={SIM_START_MS}"
        unified = all_pages(sim, "Uta1", "/v5/account/transaction-log", f"accountType=UNIFIED&{window}")
        contract = all_pages(sim, "Uta1", "/v5/account/contract-transaction-log", window)
    assert unified and {r["symbol"] for r in unified} == {"ETHUSDT"}
    assert contract and {(r["symbol"], r["category"], r["currency"]) for r in contract} == {
        ("BTCUSD", "inverse", "BTC")}


def test_spot_instruments_and_the_empty_option_list(hsim: Simulator) -> None:
    # Which categories each market route serves is test_pybit_conformance's matrix; these are the shapes.
    with httpx.Client(base_url=hsim.base_url) as client:
        listed = client.get("/v5/market/instruments-info", params={"category": "spot"}).json()["result"]
        first = listed["list"][0]
        assert {i["symbol"] for i in listed["list"]} >= {"BTCUSDT", "ETHUSDT"}
        assert listed["nextPageCursor"] == ""
        assert "basePrecision" in first["lotSizeFilter"] and "leverageFilter" not in first
        options = client.get("/v5/market/instruments-info", params={"category": "option"}).json()
        assert options["result"]["list"] == []


def balance_after(rows: list[dict[str, Any]]) -> D:
    """The balance after the last of `rows` applied, rows of one instant in any order: the one
    cashBalance that no other row of the instant started from."""
    latest = max(int(r["transactionTime"]) for r in rows)
    last = [r for r in rows if int(r["transactionTime"]) == latest]
    befores = {D(r["cashBalance"]) - D(r["change"]) for r in last}
    (after,) = {D(r["cashBalance"]) for r in last} - befores
    return after


@pytest.mark.parametrize("name", ["Main", "Isolated", "Portfolio", "Classic", "Hedge"])
def test_cash_balance_is_the_wallet_balance_at_the_origin(sim: Simulator, name: str) -> None:
    # The price clock stands at its origin: the transaction log's latest cashBalance of each coin is
    # what wallet-balance reports for it (Main USDC 40,000, Hedge USDT 22,000, ...).
    assert sim.now_ms() == SIM_START_MS
    account = sim.account(name)
    classic = account.classic
    log = "/v5/account/contract-transaction-log" if classic else "/v5/account/transaction-log"
    wallet_type = "CONTRACT" if classic else "UNIFIED"
    wallet = get(sim, name, "/v5/account/wallet-balance", f"accountType={wallet_type}")
    balances = {c["coin"]: D(c["walletBalance"]) for c in wallet["result"]["list"][0]["coin"]}
    rows = all_pages(sim, name, log, f"limit=50&startTime={SIM_START_MS - WEEK}&endTime={SIM_START_MS}")
    coins = {r["currency"] for r in rows}
    assert coins and coins <= set(balances)
    for coin in coins:
        assert balance_after([r for r in rows if r["currency"] == coin]) == balances[coin], (name, coin)
    assert balances == {coin: amount for coin, amount in account.wallet}
