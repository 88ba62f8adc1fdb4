"""Ticker snapshot + delta merging on Bybit's recorded stream messages (REFERENCE §7.2)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.ticker_book import TickerBook
from tests.bybit.parse_fixtures import EXAMPLES_DIR


def example(name: str) -> dict[str, Any]:
    return json.loads(Path(EXAMPLES_DIR, name).read_text())  # type: ignore[no-any-return]


def aave_snapshot() -> dict[str, Any]:
    """The recorded delta is for AAVEUSDT, the recorded snapshot for BTCUSDT: build an AAVEUSDT
    snapshot with the recorded snapshot's keys and values, an older cs and ts than the delta."""
    snapshot = copy.deepcopy(example("ws_tickers_snapshot.json"))
    snapshot["topic"] = "tickers.AAVEUSDT"
    snapshot["data"]["symbol"] = "AAVEUSDT"
    snapshot["cs"] = 78039939000
    snapshot["ts"] = 1709210212600
    return snapshot


def test_recorded_snapshot_gives_the_mark() -> None:
    book = TickerBook()
    update = book.apply(example("ws_tickers_snapshot.json"))
    assert update is not None
    assert (update.symbol, update.mark_price, update.ts_ms, update.cs) == (
        "BTCUSDT", Decimal("66666.60"), 1760325052630, 9532239429)
    assert book.mark_price("tickers.BTCUSDT") == Decimal("66666.60")


def test_recorded_delta_merges_key_by_key_into_its_snapshot() -> None:
    book = TickerBook()
    snapshot = aave_snapshot()
    book.apply(snapshot)
    update = book.apply(example("ws_tickers_delta.json"))
    assert update is not None
    merged = book.get("tickers.AAVEUSDT")
    assert merged is not None
    # The four top-of-book keys the delta carries are replaced...
    assert (merged["bid1Price"], merged["bid1Size"], merged["ask1Price"], merged["ask1Size"]) == (
        "112.89", "2.12", "112.90", "5.02")
    # ...and every key it does not carry is unchanged, none added or lost (25 keys recorded).
    unchanged = {k: v for k, v in snapshot["data"].items() if k not in ("bid1Price", "bid1Size", "ask1Price",
                                                                         "ask1Size")}
    assert {k: merged[k] for k in unchanged} == unchanged and len(merged) == 25
    # No markPrice in the delta: no new mark, the held one stays.
    assert update.mark_price is None and update.cs == 78039939929 and update.ts_ms == 1709210212704
    assert book.mark_price("tickers.AAVEUSDT") == Decimal("66666.60")


def test_delta_without_snapshot_or_for_another_symbol_changes_nothing() -> None:
    book = TickerBook()
    assert book.apply(example("ws_tickers_delta.json")) is None  # no AAVEUSDT snapshot yet
    book.apply(example("ws_tickers_snapshot.json"))
    assert book.apply(example("ws_tickers_delta.json")) is None
    btc = book.get("tickers.BTCUSDT")
    assert btc is not None and btc["bid1Price"] == "66666.60"


def test_stale_cs_is_ignored_equal_cs_is_applied() -> None:
    book = TickerBook()
    book.apply(aave_snapshot())
    base = {"topic": "tickers.AAVEUSDT", "type": "delta", "ts": 1709210212800}
    newer = book.apply({**base, "cs": 78039939100, "data": {"symbol": "AAVEUSDT", "markPrice": "113.5"}})
    assert newer is not None and newer.mark_price == Decimal("113.5")
    # A mark-only change leaves cs where it was: still applied.
    same = book.apply({**base, "cs": 78039939100, "data": {"symbol": "AAVEUSDT", "markPrice": "113.6"}})
    assert same is not None and same.mark_price == Decimal("113.6")
    assert book.apply({**base, "cs": 78039939099, "data": {"symbol": "AAVEUSDT", "markPrice": "1"}}) is None
    assert book.mark_price("tickers.AAVEUSDT") == Decimal("113.6")


def test_futures_option_and_empty_marks() -> None:
    book = TickerBook()
    futures = book.apply(example("ws_tickers_snapshot_linear_futures.json"))
    assert futures is not None and futures.mark_price == Decimal("121144.63")
    assert futures.fields["fundingRate"] == "" and futures.fields["deliveryTime"] == "2025-12-26T08:00:00Z"
    option = book.apply(example("ws_tickers_option.json"))  # snapshot only, no cs
    assert option is not None and option.mark_price == Decimal("7.86976724") and option.cs is None
    blank = book.apply({"topic": "tickers.BTC-26DEC25", "type": "delta", "ts": 1, "cs": 31337927919,
                        "data": {"symbol": "BTC-26DEC25", "markPrice": ""}})
    assert blank is not None and blank.mark_price is None  # "" is "not available", never zero


@pytest.mark.parametrize("broken", [
    {"data": [{"symbol": "BTCUSDT"}]},  # the docs table's array shape
    {"ts": "1760325052630"},
    {"type": "partial"},
    {"topic": "orderbook.1.BTCUSDT"},
    {"data": {"symbol": "BTCUSDT", "markPrice": "abc"}},
])
def test_malformed_messages_raise_parse_errors(broken: dict[str, Any]) -> None:
    with pytest.raises(BybitParseError):
        TickerBook().apply({**example("ws_tickers_snapshot.json"), **broken})


keys = st.sampled_from(["markPrice", "lastPrice", "bid1Price", "ask1Price", "indexPrice", "fundingRate"])
values = st.decimals(min_value=1, max_value=10**6, places=2).map(str)


@given(snapshot=st.dictionaries(keys, values, min_size=1), deltas=st.lists(st.dictionaries(keys, values)))
def test_merge_equals_the_last_write_of_each_key(snapshot: dict[str, str],
                                                 deltas: list[dict[str, str]]) -> None:
    book = TickerBook()
    first = {"topic": "tickers.X", "type": "snapshot", "ts": 0, "cs": 1, "data": {"symbol": "X", **snapshot}}
    book.apply(first)
    for i, delta in enumerate(deltas):
        book.apply({"topic": "tickers.X", "type": "delta", "ts": i + 1, "cs": 2 + i,
                    "data": {"symbol": "X", **delta}})
    # Independently: scan from the newest message back to the snapshot, first hit wins.
    expected = {}
    for key in {*snapshot, *(k for d in deltas for k in d)}:
        expected[key] = next(m[key] for m in [*reversed(deltas), snapshot] if key in m)
    assert book.get("tickers.X") == {"symbol": "X", **expected}
