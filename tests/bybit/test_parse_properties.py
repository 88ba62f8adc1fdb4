"""Property tests: whatever arrives, the parsers raise only BybitParseError; valid rows round-trip."""

from __future__ import annotations

import contextlib
import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.bybit import parse
from desktop_app.bybit.errors import BybitParseError
from desktop_app.domain.market import Category, Side
from tests.bybit.parse_fixtures import ALL_RESULT_PARSERS, REST_PARSERS, example_json, example_result

# derandomize: the same examples on every run, so a failure reproduces and CI cannot flake.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _keys_of(value: object, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            into.add(key)
            _keys_of(item, into)
    elif isinstance(value, list):
        for item in value:
            _keys_of(item, into)
    return into


# Field names from the recordings, so random objects often have the right keys and reach deep code.
VOCABULARY = sorted(_keys_of([example_json(n) for n in REST_PARSERS], set()) | {"entryPrice", "category"})

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # includes NaN and +-inf, which json.dumps writes as NaN/Infinity
    | st.text(max_size=12)
    | st.sampled_from(["", "0", "1", "-1", "1.5", "NaN", "1e999999", "Buy", "Sell", "None", "linear"])
)
keys = st.sampled_from(VOCABULARY) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=25,
)


def _only_parse_errors(parser: Any, value: object) -> None:
    with contextlib.suppress(BybitParseError):
        parser(value)


@PROPERTY_SETTINGS
@given(value=json_values)
def test_arbitrary_json_raises_only_parse_errors(value: object) -> None:
    for parser in ALL_RESULT_PARSERS.values():
        _only_parse_errors(parser, value)
        _only_parse_errors(parser, {"list": [value], "nextPageCursor": value, "category": "linear"})
    _only_parse_errors(parse.parse_envelope, json.dumps(value).encode())
    wrapped = {"retCode": 0, "retMsg": "", "result": value}
    _only_parse_errors(parse.parse_envelope, json.dumps(wrapped).encode())


@PROPERTY_SETTINGS
@given(body=st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_parse_errors(body: bytes) -> None:
    _only_parse_errors(parse.parse_envelope, body)


MUTABLE_FIXTURES: list[tuple[str, Any]] = [
    (name, parser) for name, parser in sorted(REST_PARSERS.items()) if parser is not None
]
MUTABLE_FIXTURES.append(("ws_position.json", parse.parse_ws_position))


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _fixture_input(name: str) -> object:
    """What the parser takes: a REST `result`, or the (only) item of a WS message's `data`."""
    if name.startswith("ws_"):
        message: Any = example_json(name)
        return message["data"][0]
    return example_result(name)


@pytest.mark.parametrize(("name", "parser"), MUTABLE_FIXTURES, ids=[name for name, _ in MUTABLE_FIXTURES])
@settings(PROPERTY_SETTINGS, max_examples=40)
@given(data=st.data(), replacement=json_values)
def test_mutated_fixture_parses_or_raises_parse_error(
    name: str, parser: Any, data: st.DataObject, replacement: object
) -> None:
    original = _fixture_input(name)
    mutated = copy.deepcopy(original)
    path = data.draw(st.sampled_from(_paths(mutated)), label="path")
    parent: Any = mutated
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and data.draw(st.booleans(), label="delete"):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    _only_parse_errors(parser, mutated)


def _decimal_text(low: str, high: str, places: int) -> st.SearchStrategy[str]:
    numbers = st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)
    return numbers.map(str)  # str(Decimal) may be "1E+2" or "0E-8": Bybit-legal spellings of numbers


@st.composite
def position_rows(draw: st.DrawFn, index: int) -> dict[str, Any]:
    return {
        "positionIdx": index,
        "riskId": draw(st.integers(0, 200)),
        "symbol": "BTCUSDT",
        "side": draw(st.sampled_from(["Buy", "Sell"])),
        "size": draw(_decimal_text("0.001", "1000000", 3).filter(lambda s: Decimal(s) > 0)),
        "avgPrice": draw(_decimal_text("0.0001", "2000000", 4)),
        "markPrice": draw(_decimal_text("0.0001", "2000000", 4)),
        "positionValue": draw(_decimal_text("0", "1000000000", 8)),
        "leverage": draw(st.sampled_from(["", "1", "10", "12.5", "100"])),
        "liqPrice": draw(st.sampled_from(["", "0.1"]) | _decimal_text("0", "2000000", 2)),
        "positionIM": draw(_decimal_text("0", "1000000", 8)),
        "positionMM": draw(_decimal_text("0", "1000000", 8)),
        "unrealisedPnl": draw(_decimal_text("-1000000", "1000000", 8)),
        "cumRealisedPnl": draw(_decimal_text("-1000000", "1000000", 8)),
        "riskLimitValue": draw(_decimal_text("0", "100000000", 0)),
        "positionStatus": draw(st.sampled_from(["Normal", "Liq", "Adl"])),
        "autoAddMargin": draw(st.sampled_from([0, 1])),
        "updatedTime": str(draw(st.integers(0, 2**62))),
    }


def _same_decimal(parsed: Decimal | None, text: str) -> bool:
    if text == "":
        return parsed is None
    # as_tuple() compares digits and exponent: "28224.50" must not come back as 28224.5.
    return parsed is not None and parsed.as_tuple() == Decimal(text).as_tuple()


@PROPERTY_SETTINGS
@given(hedge=st.booleans(), data=st.data())
def test_valid_position_rows_round_trip(hedge: bool, data: st.DataObject) -> None:
    # Hedge mode: two legs of one symbol (positionIdx 1 and 2); one-way mode: positionIdx 0.
    rows = [data.draw(position_rows(i)) for i in ((1, 2) if hedge else (0,))]
    result = {"list": rows, "category": "linear", "nextPageCursor": ""}
    body = json.dumps({"retCode": 0, "retMsg": "OK", "result": result})
    page = parse.parse_positions(parse.parse_envelope(body.encode()).result)
    assert page.next_cursor is None
    assert [p.key for p in page.items] == [(Category.LINEAR, "BTCUSDT", row["positionIdx"]) for row in rows]
    for row, position in zip(rows, page.items, strict=True):
        assert position.side is {"Buy": Side.LONG, "Sell": Side.SHORT}[row["side"]]
        assert position.size > 0
        pairs = [
            (position.size, "size"),
            (position.entry_price, "avgPrice"),
            (position.mark_price, "markPrice"),
            (position.position_value, "positionValue"),
            (position.leverage, "leverage"),
            (position.liq_price, "liqPrice"),
            (position.im, "positionIM"),
            (position.mm, "positionMM"),
            (position.unrealised_pnl, "unrealisedPnl"),
            (position.cum_realised_pnl, "cumRealisedPnl"),
            (position.risk_limit_value, "riskLimitValue"),
        ]
        for parsed, field in pairs:
            assert _same_decimal(parsed, row[field]), field
        assert position.risk_id == row["riskId"]
        assert position.status == row["positionStatus"]
        assert position.auto_add_margin is (row["autoAddMargin"] == 1)
        assert position.updated_ms == int(row["updatedTime"])
        assert position.settle_coin == "USDT"
