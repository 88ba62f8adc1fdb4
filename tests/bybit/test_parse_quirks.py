"""Hand-built responses for the type quirks of REFERENCE.md §3/§9 and for malformed input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from desktop_app.bybit import parse
from desktop_app.bybit.errors import MALFORMED, BybitParseError
from desktop_app.domain.market import Category, Side
from tests.bybit.parse_fixtures import ALL_RESULT_PARSERS, example_json


def _row(**changes: Any) -> dict[str, Any]:
    row = dict(example_json("position_list_inverse.json")["result"]["list"][0])  # type: ignore[index]
    row.update(changes)
    return row


def _page(*rows: dict[str, Any], category: str = "inverse", cursor: str = "") -> dict[str, Any]:
    return {"list": list(rows), "nextPageCursor": cursor, "category": category}


def test_error_message_names_the_field() -> None:
    with pytest.raises(BybitParseError) as caught:
        parse.parse_positions(_page(_row(size="abc")))
    assert str(caught.value) == "position list: field 'size' is not a number: 'abc'"
    assert caught.value.ret_code == MALFORMED


JUNK_NUMBERS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999999", "1E+31", " 1", "1_000", "١٢"]


@pytest.mark.parametrize("junk", [*JUNK_NUMBERS, float("nan"), float("inf"), True, [], {}])
def test_non_finite_or_odd_decimals_are_rejected(junk: object) -> None:
    with pytest.raises(BybitParseError, match="'markPrice'"):
        parse.parse_positions(_page(_row(markPrice=junk)))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999999", "1e-999999"])
def test_non_finite_json_numbers_are_rejected(literal: str) -> None:
    body = f'{{"retCode": 0, "result": {{"list": [{{"symbol": "BTCUSD", "takerFeeRate": {literal}, '
    body += '"makerFeeRate": "0.0002"}]}}'
    result = parse.parse_envelope(body.encode()).result
    with pytest.raises(BybitParseError, match="'takerFeeRate'"):
        parse.parse_fee_rates(result)


def test_long_values_are_truncated_in_messages() -> None:
    with pytest.raises(BybitParseError) as caught:
        parse.parse_positions(_page(_row(size="x" * 5000)))
    assert len(str(caught.value)) < 120


def test_empty_rows_are_skipped_and_hedge_legs_kept_apart() -> None:
    page = parse.parse_positions(
        _page(
            _row(side="", size="0"),
            _row(side="None", size="0"),
            _row(side="Buy", size="0"),  # size 0 with a side is still empty
            _row(symbol="BTCUSDT", positionIdx=1, side="Buy", size="0.2"),
            _row(symbol="BTCUSDT", positionIdx=2, side="Sell", size="0.1"),
            category="linear",
        )
    )
    assert [(p.key, p.side, p.size) for p in page.items] == [
        ((Category.LINEAR, "BTCUSDT", 1), Side.LONG, Decimal("0.2")),
        ((Category.LINEAR, "BTCUSDT", 2), Side.SHORT, Decimal("0.1")),
    ]


@pytest.mark.parametrize(
    "changes", [{"side": "Long"}, {"side": None}, {"size": "-300"}, {"positionIdx": "x"}, {"positionIdx": -1}]
)
def test_bad_side_size_or_index_is_an_error(changes: dict[str, Any]) -> None:
    with pytest.raises(BybitParseError):
        parse.parse_positions(_page(_row(**changes)))


def test_either_mmr_timestamp_spelling_parses() -> None:
    old = _row(mmrSysUpdateTime="1697673600012")
    new = {k: v for k, v in _row().items() if k != "mmrSysUpdateTime"} | {"mmrSysUpdatedTime": ""}
    assert len(parse.parse_positions(_page(old, new)).items) == 2


def test_junk_bust_price_is_ignored() -> None:
    (position,) = parse.parse_positions(_page(_row(bustPrice="not a price"))).items
    assert position.size == Decimal("300")


def test_portfolio_margin_blanks_are_none() -> None:
    row = _row(leverage="", liqPrice="", positionIM="", positionIMByMp="", positionMM="", positionMMByMp="")
    (position,) = parse.parse_positions(_page(row)).items
    assert (position.leverage, position.liq_price, position.im, position.mm) == (None, None, None, None)


def test_option_position_delta_and_settle_coin() -> None:
    row = _row(symbol="BTC-29JUL22-25000-C", side="Buy", size="1.5", delta="0.41", cumRealisedPnl="")
    (position,) = parse.parse_positions(_page(row, category="option")).items
    assert position.delta == Decimal("0.41")
    assert (position.settle_coin, position.cum_realised_pnl) == ("USDC", None)


def test_unknown_symbol_gives_unknown_settle_coin_not_an_error() -> None:
    (position,) = parse.parse_positions(_page(_row(symbol="WEIRD"), category="linear")).items
    assert position.settle_coin is None


def test_risk_rates_as_json_numbers_stay_exact() -> None:
    tier = {
        **{"id": 2, "symbol": "BTCUSDT", "riskLimitValue": "4000000", "maintenanceMargin": 0.01},
        **{"initialMargin": 0.02, "isLowestRisk": 0, "maxLeverage": "50.00", "mmDeduction": "10000"},
    }
    body = json.dumps({"retCode": 0, "retMsg": "OK", "result": {"list": [tier]}}).encode()
    via_envelope = parse.parse_risk_tiers(parse.parse_envelope(body).result).items[0]
    via_floats = parse.parse_risk_tiers({"list": [tier]}).items[0]
    for parsed in (via_envelope, via_floats):
        # 0.01 must be the decimal 0.01, not the binary float 0.01000000000000000020816681711721685...
        assert parsed.mm_rate == Decimal("0.01") and parsed.im_rate == Decimal("0.02")
        assert parsed.is_lowest_risk is False and parsed.mm_deduction == Decimal("10000")


def test_risk_tiers_sorted_by_value_whatever_the_list_order() -> None:
    def tier(tier_id: int, value: str) -> dict[str, Any]:
        return {
            **{"id": tier_id, "symbol": "BTCUSDT", "riskLimitValue": value, "maintenanceMargin": "0.005"},
            **{"initialMargin": "0.01", "isLowestRisk": 0, "maxLeverage": "100", "mmDeduction": ""},
        }

    page = parse.parse_risk_tiers({"list": [tier(3, "6000000"), tier(1, "2000000"), tier(2, "4000000")]})
    assert [t.tier_id for t in page.items] == [1, 2, 3]


def test_query_api_read_write_and_wildcard_ip() -> None:
    result = dict(example_json("query_api.json")["result"])  # type: ignore[index]
    result.update(readOnly=0, ips=["*"], expiredAt="2026-01-10T00:00:00Z", deadlineDay=89)
    result["permissions"] = {"Wallet": ["AccountTransfer", "Withdraw"], "ContractTrade": ["Order"]}
    info = parse.parse_api_key_info(result)
    assert info.read_only is False and info.can_trade and info.can_withdraw and info.can_transfer
    assert info.ip_bound is False
    assert info.expires_at is not None and info.expires_at.year == 2026
    assert info.deadline_day == 89


def test_server_time_falls_back_to_seconds() -> None:
    # 1688639403 s * 1000 = 1688639403000 ms
    assert parse.parse_server_time_ms({"timeSecond": "1688639403"}) == 1688639403000
    with pytest.raises(BybitParseError):
        parse.parse_server_time_ms({})


def test_kline_rows_of_wrong_width_are_errors() -> None:
    with pytest.raises(BybitParseError, match="row 0"):
        parse.parse_klines({"list": [["1670608800000", "1", "2", "0.5", "1.5", "10"]]})


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe\x00", b"[" * 100_000, b"{}", b'{"retCode": "0"}',
     b'{"retCode": true}', b'{"retCode": 0, "retMsg": 5}', b'{"retCode": 0, "time": "soon"}',
     b'{"retCode": 0, "result": {"x": 1e99999999999999999999}}', b'{"retCode": 1' + b"0" * 5000 + b"}"],
)  # fmt: skip
def test_envelope_rejects_non_bybit_bodies(body: bytes) -> None:
    with pytest.raises(BybitParseError, match=r"^response"):
        parse.parse_envelope(body)


def test_envelope_defaults() -> None:
    envelope = parse.parse_envelope(b'{"retCode": 10006}')
    assert (envelope.ret_code, envelope.ret_msg, envelope.result, envelope.time_ms) == (10006, "", {}, None)


@pytest.mark.parametrize("name", sorted(ALL_RESULT_PARSERS))
@pytest.mark.parametrize("result", [None, [], "x", 1, {"list": "x"}, {"list": [1]}, {"list": [[]]}])
def test_wrong_shapes_raise_parse_error(name: str, result: object) -> None:
    with pytest.raises(BybitParseError):
        ALL_RESULT_PARSERS[name](result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-01T00:00:00Z", None),  # the epoch: no expiry
        ("", None),
        ("2025-10-13T03:20:45Z", datetime(2025, 10, 13, 3, 20, 45, tzinfo=UTC)),
        # 03:20:45 at +08:00 is 03:20:45 - 8 h = 19:20:45 UTC on the previous day.
        ("2025-10-13T03:20:45+08:00", datetime(2025, 10, 12, 19, 20, 45, tzinfo=UTC)),
        ("2025-10-13T03:20:45", datetime(2025, 10, 13, 3, 20, 45, tzinfo=UTC)),  # no offset: UTC
    ],
)
def test_query_api_times_are_utc(text: str, expected: datetime | None) -> None:
    info = parse.parse_api_key_info({"id": "1", "readOnly": 1, "expiredAt": text})
    assert info.expires_at == expected
    assert info.expires_at is None or info.expires_at.utcoffset() == timedelta(0)


# Year 9999 at -01:00 and year 1 at +01:00 fall outside datetime's range once converted to UTC.
BAD_TIMES = ["soon", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2025" * 20]


@pytest.mark.parametrize("text", BAD_TIMES)
def test_bad_query_api_times_are_parse_errors(text: str) -> None:
    with pytest.raises(BybitParseError, match="'createdAt'"):
        parse.parse_api_key_info({"id": "1", "readOnly": 1, "createdAt": text})


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**400, "99999999999999999999", 1.5, True])
def test_integers_out_of_int64_or_not_integral_are_errors(value: object) -> None:
    with pytest.raises(BybitParseError, match="'positionIdx'"):
        parse.parse_positions(_page(_row(positionIdx=value)))
