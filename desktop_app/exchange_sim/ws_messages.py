"""Bybit's exact WebSocket message shapes (REFERENCE §7, the ws_*.json captures), as dicts.

Public linear/inverse answers carry `req_id` (echoed, "" when none was sent); private answers carry
it only when the request had one. Ticker `data` is an object; private `data` is an array.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.context import RequestContext
from desktop_app.exchange_sim.instruments import Instrument
from desktop_app.exchange_sim.routes_market import _ticker

# Field order of a linear perpetual ticker on the stream (ws_tickers_snapshot.json).
WS_TICKER_KEYS = (
    "symbol", "tickDirection", "price24hPcnt", "lastPrice", "prevPrice24h", "highPrice24h", "lowPrice24h",
    "prevPrice1h", "markPrice", "indexPrice", "openInterest", "openInterestValue", "turnover24h",
    "volume24h", "fundingIntervalHour", "fundingCap", "nextFundingTime", "fundingRate", "bid1Price",
    "bid1Size", "ask1Price", "ask1Size", "preOpenPrice", "preQty", "curPreListingPhase",
)
PRIVATE_TOPICS = frozenset({
    "position", "position.linear", "position.inverse", "position.option",
    "execution", "execution.spot", "execution.linear", "execution.inverse", "execution.option",
    "execution.fast", "order", "order.spot", "order.linear", "order.inverse", "order.option",
    "wallet", "greeks", "dcp",
})


def public_pong(conn_id: str, req_id: str) -> dict[str, object]:
    """Linear/inverse pong (ws_pong_public_linear.json): spot's shape plus `req_id`."""
    return {"success": True, "ret_msg": "pong", "conn_id": conn_id, "req_id": req_id, "op": "ping"}


def private_pong(conn_id: str, req_id: str | None, server_ms: int) -> dict[str, object]:
    """Private pong (ws_pong_private.json): `op: "pong"` with the server time in `args`."""
    reply: dict[str, object] = {"op": "pong", "args": [str(server_ms)], "conn_id": conn_id}
    return {"req_id": req_id, **reply} if req_id is not None else reply


def public_ack(conn_id: str, op: str, req_id: str, success: bool, ret_msg: str = "") -> dict[str, object]:
    """Linear/inverse answer to subscribe/unsubscribe (ws_subscribe_response_linear.json)."""
    return {"success": success, "ret_msg": ret_msg, "conn_id": conn_id, "req_id": req_id, "op": op}


def private_ack(conn_id: str, op: str, req_id: str | None, success: bool,
                ret_msg: str = "") -> dict[str, object]:
    """Private answer to auth/subscribe (ws_auth_response.json, ws_auth_failed.json)."""
    reply: dict[str, object] = {"success": success, "ret_msg": ret_msg, "op": op, "conn_id": conn_id}
    return {"req_id": req_id, **reply} if req_id is not None else reply


def tick_direction(previous: Decimal | None, last: Decimal, previous_direction: str) -> str:
    """PlusTick/MinusTick on a change; ZeroPlusTick/ZeroMinusTick repeat the last direction."""
    if previous is None or last == previous:
        return "ZeroMinusTick" if previous_direction in ("MinusTick", "ZeroMinusTick") else "ZeroPlusTick"
    return "PlusTick" if last > previous else "MinusTick"


def ws_ticker_row(ctx: RequestContext, inst: Instrument, direction: str) -> dict[str, str]:
    """A perpetual's full ticker as the stream sends it, from the same numbers as REST tickers."""
    rest = _ticker(ctx, inst, inst.category)
    row = {"tickDirection": direction, **{k: str(v) for k, v in rest.items()}}
    return {key: row[key] for key in WS_TICKER_KEYS if key in row}


def ticker_message(symbol: str, kind: str, data: dict[str, str], cs: int, ts_ms: int) -> dict[str, object]:
    """`{"topic","type","data","cs","ts"}` (ws_tickers_snapshot.json / ws_tickers_delta.json)."""
    return {"topic": f"tickers.{symbol}", "type": kind, "data": data, "cs": cs, "ts": ts_ms}


def private_message(msg_id: str, topic: str, creation_ms: int,
                    rows: list[dict[str, object]]) -> dict[str, object]:
    """`{"id","topic","creationTime","data":[...]}` (ws_position.json, ws_execution.json)."""
    return {"id": msg_id, "topic": topic, "creationTime": creation_ms, "data": rows}


def ws_position_row(rest_row: dict[str, object], category: str) -> dict[str, object]:
    """The REST position row as the stream sends it: `entryPrice` for `avgPrice`, plus `category`."""
    row = {("entryPrice" if k == "avgPrice" else k): v for k, v in rest_row.items() if k != "openTime"}
    row["category"] = category
    return row
