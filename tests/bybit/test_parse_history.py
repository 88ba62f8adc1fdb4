"""Closed-PnL and transaction-log parsers on Bybit's documented examples, hand-checked, plus hostile
input (hypothesis): every malformed page becomes one BybitParseError, never another exception."""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.history import history_windows
from desktop_app.bybit.parse_history import epoch_ms, parse_closed_pnl, parse_funding_payments
from desktop_app.domain.market import Category, Side

D = Decimal

# docs/v5/position/close-pnl.mdx, Response Example (bybit-exchange/docs), the list item verbatim.
DOCS_CLOSED_PNL: dict[str, Any] = {
    "nextPageCursor": "5a373bfe-188d-4913-9c81-d57ab5be8068%3A1672214887231423699%2C5a373bfe-188d-4913-"
                      "9c81-d57ab5be8068%3A1672214887231423699",
    "category": "linear",
    "list": [{
        "symbol": "ETHPERP", "orderType": "Market", "leverage": "3", "updatedTime": "1672214887236",
        "side": "Sell", "orderId": "5a373bfe-188d-4913-9c81-d57ab5be8068", "closedPnl": "-47.4065323",
        "avgEntryPrice": "1194.97516667", "qty": "3", "cumEntryValue": "3584.9255",
        "createdTime": "1672214887231423699", "orderPrice": "1122.95", "closedSize": "3",
        "avgExitPrice": "1180.59833333", "execType": "Trade", "fillCount": "4", "cumExitValue": "3541.795",
    }],
}

# docs/v5/account/transaction-log.mdx, Response Example: a funding settlement and two trade fills.
DOCS_TRANSACTION_LOG: dict[str, Any] = {
    "nextPageCursor": "21963%3A1%2C14954%3A1",
    "list": [
        {"id": "592324_XRPUSDT_161440249321", "symbol": "XRPUSDT", "side": "Buy",
         "funding": "-0.003676", "orderLinkId": "", "orderId": "1672128000-8-592324-1-2",
         "fee": "0.00000000", "change": "-0.003676",
         "cashFlow": "0", "transactionTime": "1672128000000", "type": "SETTLEMENT", "feeRate": "0.0001",
         "bonusChange": "", "size": "100", "qty": "100", "cashBalance": "5086.55825002", "currency": "USDT",
         "category": "linear", "tradePrice": "0.3676", "tradeId": "534c0003-4bf7-486f-aa02-78cee36825e4"},
        {"id": "592324_XRPUSDT_161440249321", "symbol": "XRPUSDT", "side": "Buy", "funding": "",
         "orderLinkId": "linear-order", "orderId": "592b7e41-78fd-42e2-9aa3-91e1835ef3e1",
         "fee": "0.01908720",
         "change": "-0.0190872", "cashFlow": "0", "transactionTime": "1672121182224", "type": "TRADE",
         "feeRate": "0.0006", "bonusChange": "-0.1430544", "size": "100", "qty": "88",
         "cashBalance": "5086.56192602", "currency": "USDT", "category": "linear", "tradePrice": "0.3615",
         "tradeId": "5184f079-88ec-54c7-8774-5173cafd2b4e"},
        {"id": "592324_XRPUSDT_161407743011", "symbol": "XRPUSDT", "side": "Buy", "funding": "",
         "orderLinkId": "linear-order", "orderId": "592b7e41-78fd-42e2-9aa3-91e1835ef3e1",
         "fee": "0.00260280",
         "change": "-0.0026028", "cashFlow": "0", "transactionTime": "1672121182224", "type": "TRADE",
         "feeRate": "0.0006", "bonusChange": "", "size": "12", "qty": "12",
         "cashBalance": "5086.58101322",
         "currency": "USDT", "category": "linear", "tradePrice": "0.3615",
         "tradeId": "8569c10f-5061-5891-81c4-a54929847eb3"},
    ],
}

# docs/v5/account/contract-transaction-log.mdx (classic accounts), Response Example.
DOCS_CONTRACT_LOG: dict[str, Any] = {
    "list": [{"id": "467153", "symbol": "BTCUSD", "category": "inverse", "side": "Sell",
              "transactionTime": "1714032000000", "type": "SETTLEMENT", "qty": "1000", "size": "-1000",
              "currency": "BTC", "tradePrice": "63974.88", "funding": "-0.00000156", "fee": "",
              "cashFlow": "0.00000000", "change": "0.00000156", "cashBalance": "1.1311",
              "feeRate": "-0.00010000",
              "bonusChange": "", "tradeId": "423a565c-f1b6-4c81-bc62-760cd7dd89e7", "orderId": "",
              "orderLinkId": ""}],
    "nextPageCursor": "cursor_id%3D467153%26",
}


def test_docs_closed_pnl_example() -> None:
    page = parse_closed_pnl(DOCS_CLOSED_PNL, category=Category.LINEAR)
    assert page.next_cursor == DOCS_CLOSED_PNL["nextPageCursor"]   # verbatim, still percent-encoded
    (row,) = page.items
    # A Sell order closes a long.
    assert (row.symbol, row.settle_coin, row.position_side) == ("ETHPERP", "USDC", Side.LONG)
    assert row.closed_pnl == D("-47.4065323") and row.closed_size == D(3)
    # createdTime is in nanoseconds in this example; updatedTime (the close) is in milliseconds.
    assert (row.created_ms, row.closed_ms) == (1_672_214_887_231, 1_672_214_887_236)
    # The row's identity keeps the nanoseconds: another close of the order in the same ms is another row.
    assert row.created_time == 1_672_214_887_231_423_699
    assert row.row_id == "linear:ETHPERP:5a373bfe-188d-4913-9c81-d57ab5be8068:1672214887231423699"
    # Bybit's closedPnl is after trading fees and WITHOUT funding. By hand, at the example's 0.06% taker
    # rate: exit 3,541.795 - entry 3,584.9255 = -43.1305; fees 3,584.9255 × 0.0006 = 2.1509553 and
    # 3,541.795 × 0.0006 = 2.125077; -43.1305 - 2.1509553 - 2.125077 = -47.4065323, exactly the row.
    fees = D("3584.9255") * D("0.0006") + D("3541.795") * D("0.0006")
    assert D("3541.795") - D("3584.9255") - fees == row.closed_pnl


def test_docs_transaction_log_example_keeps_only_the_settlement() -> None:
    page = parse_funding_payments(DOCS_TRANSACTION_LOG)
    (payment,) = page.items                                        # the two TRADE rows are not funding
    # A long of 100 XRP at 0.3676 paying a 0.0001 rate: 100 × 0.3676 × 0.0001 = 0.003676 paid.
    assert payment.amount == D("-0.003676") and payment.currency == "USDT"
    assert (payment.symbol, payment.category, payment.rate) == ("XRPUSDT", Category.LINEAR, D("0.0001"))
    assert payment.time_ms == 1_672_128_000_000
    assert page.next_cursor == "21963%3A1%2C14954%3A1"


def test_docs_classic_contract_log_example() -> None:
    (payment,) = parse_funding_payments(DOCS_CONTRACT_LOG).items
    # Classic logs write funding with the opposite sign (change = cashFlow - funding - fee): a short of
    # 1,000 USD at 63,974.88 receives 1,000 / 63,974.88 × 0.0001 = 0.00000156 BTC.
    assert payment.amount == D("0.00000156") and payment.currency == "BTC"
    # feeRate is the negated market rate for a short (side Sell): the market rate was +0.0001.
    assert payment.rate == D("0.0001") and payment.category == Category.INVERSE


def test_usdc_session_settlement_is_not_funding() -> None:
    # USDC perpetuals settle the 8-hour session PnL in the same SETTLEMENT row: cashFlow 12.5 (realised,
    # also in closed PnL) + funding -0.75 - fee 0 = change 11.75. Funding is 11.75 - 12.5 + 0 = -0.75.
    row = {"id": "9", "symbol": "BTCPERP", "category": "linear", "side": "Buy", "transactionTime": 1000,
           "type": "SETTLEMENT", "currency": "USDC", "funding": "-0.75", "fee": "", "cashFlow": "12.5",
           "change": "11.75", "feeRate": "0.0001"}
    (payment,) = parse_funding_payments({"list": [row], "nextPageCursor": ""}).items
    assert payment.amount == D("-0.75")


@pytest.mark.parametrize("result, message", [
    ({"list": [{**DOCS_CLOSED_PNL["list"][0], "side": "None"}]}, "'side' is not Buy or Sell"),
    ({"list": [{**DOCS_CLOSED_PNL["list"][0], "closedPnl": "NaN"}]}, "'closedPnl' is not a number"),
    ({"list": [{k: v for k, v in DOCS_CLOSED_PNL["list"][0].items() if "Time" not in k}]}, "both missing"),
    ({"list": "x"}, "'list' is not an array"),
])
def test_malformed_closed_pnl_names_the_field(result: object, message: str) -> None:
    with pytest.raises(BybitParseError, match=message):
        parse_closed_pnl(result, category=Category.LINEAR)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
row_keys = st.sampled_from(["side", "closedPnl", "closedSize", "createdTime", "updatedTime", "symbol",
                            "orderId", "type", "change", "cashFlow", "fee", "transactionTime", "currency",
                            "category"])


@given(st.dictionaries(row_keys, json_values | st.sampled_from(["SETTLEMENT", "Buy", "Sell", "1", ""]),
                       max_size=14))
def test_hostile_rows_raise_only_parse_errors(row: dict[str, object]) -> None:
    for parse in (lambda r: parse_closed_pnl(r, category=Category.INVERSE), parse_funding_payments):
        with contextlib.suppress(BybitParseError):
            parse({"list": [row], "nextPageCursor": ""})


@given(st.integers(0, 10**13), st.integers(0, 40 * 86_400_000), st.integers(3_600_000, 10 * 86_400_000))
def test_history_windows_cover_the_period_once(start: int, length: int, span: int) -> None:
    end = start + length
    windows = history_windows(start, end, span)
    assert windows[0][1] == end and windows[-1][0] == start            # newest first, whole period
    for (lower, _), (_, next_upper) in itertools.pairwise(windows):
        assert next_upper == lower - 1                                   # back to back: no gap, no overlap
    assert all(0 <= upper - lower < span for lower, upper in windows)   # each shorter than the span
    assert history_windows(end + 1, end) == []


def test_epoch_ms_reads_milli_micro_and_nanoseconds() -> None:
    assert epoch_ms(1_672_214_887_236) == epoch_ms(1_672_214_887_236_000) == 1_672_214_887_236
    assert epoch_ms(1_672_214_887_231_423_699) == 1_672_214_887_231
