"""Where the recorded Bybit responses live, and which parser reads each REST one.

The recordings are part of the repository (tests/fixtures/bybit, with their provenance in
sources.md there), so the suite runs from a plain clone with nothing beside it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from desktop_app.bybit import parse
from desktop_app.domain.market import Category

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "bybit"

Parser = Callable[[object], object]

# Every REST recording and the parser for its `result`. Error envelopes carry `result: {}` and no parser.
REST_PARSERS: dict[str, Parser | None] = {
    "account_info.json": parse.parse_account_info,
    "error_10002.json": None,
    "error_10004.json": None,
    "error_10004_empty_payload.json": None,
    "error_10010.json": None,
    "fee_rate.json": parse.parse_fee_rates,
    "instruments_info_linear.json": lambda r: parse.parse_instruments(r, category=Category.LINEAR),
    "instruments_info_linear_prelisting.json": lambda r: parse.parse_instruments(r, category=Category.LINEAR),
    "instruments_info_option.json": lambda r: parse.parse_instruments(r, category=Category.OPTION),
    "instruments_info_spot.json": lambda r: parse.parse_instruments(r, category=Category.SPOT),
    "kline.json": parse.parse_klines,
    "kline_linear.json": parse.parse_klines,
    "mark_price_kline.json": parse.parse_klines,
    "position_list_inverse.json": parse.parse_positions,
    "position_list_linear.json": parse.parse_positions,
    "query_api.json": parse.parse_api_key_info,
    "risk_limit.json": parse.parse_risk_tiers,
    "server_time.json": parse.parse_server_time_ms,
    "tickers_inverse.json": lambda r: parse.parse_tickers(r, category=Category.INVERSE),
    "tickers_option.json": lambda r: parse.parse_tickers(r, category=Category.OPTION),
    "tickers_spot.json": lambda r: parse.parse_tickers(r, category=Category.SPOT),
    "wallet_balance_contract.json": parse.parse_wallets,
    "wallet_balance_unified.json": parse.parse_wallets,
}

# Every parser that takes a `result`, for the "only BybitParseError escapes" properties.
ALL_RESULT_PARSERS: dict[str, Parser] = {
    "server_time": parse.parse_server_time_ms,
    "positions": parse.parse_positions,
    "positions_settle": lambda r: parse.parse_positions(r, settle_coin="USDT"),
    "ws_position": parse.parse_ws_position,
    "wallets": parse.parse_wallets,
    "account_info": parse.parse_account_info,
    "api_key_info": parse.parse_api_key_info,
    "klines": parse.parse_klines,
    "risk_tiers": parse.parse_risk_tiers,
    "fee_rates": parse.parse_fee_rates,
    **{f"tickers_{c.value}": (lambda r, c=c: parse.parse_tickers(r, category=c)) for c in Category},
    **{f"instruments_{c.value}": (lambda r, c=c: parse.parse_instruments(r, category=c)) for c in Category},
}


def example_bytes(name: str) -> bytes:
    return (EXAMPLES_DIR / name).read_bytes()


def example_json(name: str) -> object:
    return json.loads(example_bytes(name))


def example_result(name: str) -> object:
    """The `result` of a REST recording, decoded by parse_envelope (as the client does)."""
    return parse.parse_envelope(example_bytes(name)).result
