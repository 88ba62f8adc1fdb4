"""Bybit V5 responses -> domain values (desktop_app.domain).

`parse_envelope` reads the HTTP body; every other parser takes the envelope's `result`. All of
them raise only `BybitParseError` on input of the wrong shape, whatever that input is, because a
malformed response must become one clear error for one account rather than a crash of the
monitor. Numbers become exact `Decimal`s and `""` becomes None ("not available", never zero).

The account parsers live in parse_account.py and the market parsers in parse_market.py; both are
re-exported here so callers import one module. Symbol names are read by `domain.symbols`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.page import Page
from desktop_app.bybit.parse_account import parse_account_info, parse_api_key_info, parse_wallets
from desktop_app.bybit.parse_fields import Fields, short_repr, to_int, type_name
from desktop_app.bybit.parse_market import (
    parse_fee_rates,
    parse_instruments,
    parse_klines,
    parse_risk_tiers,
    parse_server_time_ms,
    parse_tickers,
)
from desktop_app.domain.account import Position
from desktop_app.domain.market import Category, Side
from desktop_app.domain.symbols import SymbolError, settle_coin_of

__all__ = [
    "Envelope",
    "parse_account_info",
    "parse_api_key_info",
    "parse_envelope",
    "parse_fee_rates",
    "parse_instruments",
    "parse_klines",
    "parse_positions",
    "parse_risk_tiers",
    "parse_server_time_ms",
    "parse_tickers",
    "parse_wallets",
    "parse_ws_position",
]

_SIDES = {"Buy": Side.LONG, "Sell": Side.SHORT}
_EMPTY_SIDES = ("", "None")  # "None" appears in older captures of empty rows


@dataclass(frozen=True, slots=True)
class Envelope:
    ret_code: int
    ret_msg: str
    result: object  # usually a dict; {} on errors
    time_ms: int | None  # envelope "time"; absent in account/info


def parse_envelope(body: bytes) -> Envelope:
    """The `{retCode, retMsg, result, retExtInfo, time}` envelope of any REST response.
    JSON floats are decoded as Decimal so numbers sent unquoted stay exact.
    May raise: BybitParseError ("response is not Bybit JSON ...")."""
    try:
        data = json.loads(body, parse_float=Decimal)
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; Decimal("1e99999999999999999999") is an
    # ArithmeticError; absurd nesting is a RecursionError.
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        raise BybitParseError("response is not Bybit JSON: the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BybitParseError(f"response is not Bybit JSON: the body is {type_name(data)}, not an object")
    ret_code = data.get("retCode")
    if isinstance(ret_code, bool) or not isinstance(ret_code, int):
        raise BybitParseError(f"response is not Bybit JSON: retCode is {short_repr(ret_code)}")
    ret_msg = data.get("retMsg")
    if ret_msg is None:
        ret_msg = ""
    elif not isinstance(ret_msg, str):
        raise BybitParseError(f"response is not Bybit JSON: retMsg is {type_name(ret_msg)}, not a string")
    time_raw = data.get("time")
    time_ms = None if time_raw is None else to_int(time_raw, "response", "time")
    result = data.get("result")
    return Envelope(
        ret_code=ret_code, ret_msg=ret_msg, result={} if result is None else result, time_ms=time_ms
    )


def _category(value: str, where: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise BybitParseError(
            f"{where}: field 'category' is not a Bybit category: {short_repr(value)}"
        ) from None


def _position_row(
    row: Fields, category: Category | None, settle_coin: str | None, *, ws: bool = False
) -> Position | None:
    """One position row, or None for an empty row (side ""/"None" or size 0)."""
    side_text = row.text("side")
    if side_text in _EMPTY_SIDES:
        return None
    side = _SIDES.get(side_text)
    if side is None:
        raise BybitParseError(f"{row.where}: field 'side' is not Buy, Sell or empty: {short_repr(side_text)}")
    size = row.dec("size")
    if size < 0:
        # Size is unsigned on the wire; a sign would be a direction we must not guess from.
        raise BybitParseError(f"{row.where}: field 'size' is negative: {short_repr(row.raw('size'))}")
    if size == 0:
        return None
    if row.has("category") and row.raw("category") is not None:  # WS rows carry their own category
        category = _category(row.text("category"), row.where)
    if category is None:
        raise BybitParseError(f"{row.where}: field 'category' is missing")
    symbol = row.text("symbol")
    position_idx = row.integer("positionIdx")
    if position_idx < 0:
        raise BybitParseError(f"{row.where}: field 'positionIdx' is negative: {position_idx}")
    return Position(
        category=category,
        symbol=symbol,
        position_idx=position_idx,
        side=side,
        size=size,
        # REST calls the entry price avgPrice; the WS position topic calls it entryPrice.
        entry_price=row.opt_dec("entryPrice", "avgPrice") if ws else row.opt_dec("avgPrice", "entryPrice"),
        mark_price=row.opt_dec("markPrice"),
        position_value=row.opt_dec("positionValue"),
        leverage=row.opt_dec("leverage"),
        liq_price=row.opt_dec("liqPrice"),
        im=row.opt_dec("positionIM", "positionIMByMp"),
        mm=row.opt_dec("positionMM", "positionMMByMp"),
        unrealised_pnl=row.opt_dec("unrealisedPnl"),
        cum_realised_pnl=row.opt_dec("cumRealisedPnl"),
        risk_id=row.opt_integer("riskId") or 0,  # 0 in portfolio margin; absent in some old captures
        risk_limit_value=row.opt_dec("riskLimitValue"),
        status=row.text("positionStatus"),
        auto_add_margin=row.flag("autoAddMargin", default=False),
        delta=row.opt_dec("delta"),
        settle_coin=settle_coin if settle_coin is not None else _settle_coin_or_none(symbol, category),
        updated_ms=row.opt_integer("updatedTime"),
    )


def _settle_coin_or_none(symbol: str, category: Category) -> str | None:
    # An unfamiliar symbol name must not cost the user every other position of the page:
    # its settle coin is then "unknown", which models.Position allows.
    try:
        return settle_coin_of(symbol, category)
    except SymbolError:
        return None


def parse_positions(result: object, *, settle_coin: str | None = None) -> Page[Position]:
    """One page of `/v5/position/list`, without empty rows. Hedge-mode legs stay separate
    positions (key: category, symbol, positionIdx). `settle_coin` is the request's settleCoin,
    if any; otherwise it is read from each symbol. May raise: BybitParseError."""
    fields = Fields(result, "position list")
    category_text = fields.opt_text("category")
    category = None if category_text is None else _category(category_text, fields.where)
    positions: list[Position] = []
    for item in fields.array("list"):
        position = _position_row(Fields(item, "position list", what="list item"), category, settle_coin)
        if position is not None:
            positions.append(position)
    return Page(items=tuple(positions), next_cursor=fields.cursor())


def parse_ws_position(data_item: object, *, settle_coin: str | None = None) -> Position | None:
    """One item of a private `position` WS message's `data` array (it has `entryPrice` and its own
    `category`); None for an empty position. May raise: BybitParseError."""
    return _position_row(Fields(data_item, "ws position", what="data item"), None, settle_coin, ws=True)
