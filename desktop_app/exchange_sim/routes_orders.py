"""Private order queries: open & recent closed orders, order history, and the spot borrow check.

Every order the simulator's accounts ever placed is a leg of a ledger round trip: a market order that
filled at once (taker, at the mark). So there is never an open order, and the closed ones carry the
ids, prices, quantities and fees of the execution list and closed PnL, appearing once the trip has
closed, as the fills do. Hedge-mode symbols (an account holding positionIdx 1/2 legs there) put a
long trip's orders on idx 1 and a short trip's on idx 2.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from desktop_app.exchange_sim import render
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.balances import transferable
from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ledger import Ledger
from desktop_app.exchange_sim.ledger_records import Trip, stable_id
from desktop_app.exchange_sim.routes_history import WEEK_MS, newest_first_page, window
from desktop_app.exchange_sim.routes_market import instrument_of
from desktop_app.exchange_sim.valuation import value_account

RECENT_CLOSED = 500            # closed orders /v5/order/realtime keeps per account
Order = tuple[int, str, dict[str, object]]   # (time ms, orderId, row)


def _ledger(ctx: RequestContext) -> tuple[SimAccount, Ledger]:
    if ctx.account is None or ctx.ledgers is None:   # the app authenticates first; this guards misuse
        raise ApiError(10003, "API key is invalid.")
    return ctx.account, ctx.ledgers.ledger(ctx.account)


def order_row(trip: Trip, leg: str, hedge: bool) -> dict[str, object]:
    """The filled market order of one leg ("open" | "close") of a round trip."""
    opening = leg == "open"
    inst = trip.instrument
    price = trip.entry if opening else trip.exit
    time_ms = str(trip.open_ms if opening else trip.close_ms)
    zero_price = render.price(inst, Decimal(0))
    return {
        "orderId": stable_id("order", trip.trip_id, leg), "orderLinkId": "", "blockTradeId": "",
        "symbol": trip.symbol, "price": render.num(price), "qty": render.num(trip.qty),
        "side": trip.side if opening else ("Sell" if trip.sign > 0 else "Buy"), "isLeverage": "",
        "positionIdx": (1 if trip.sign > 0 else 2) if hedge else 0, "orderStatus": "Filled",
        "createType": "CreateByUser", "cancelType": "UNKNOWN", "rejectReason": "EC_NoError",
        "avgPrice": render.num(price), "leavesQty": "0", "leavesValue": "0",
        "cumExecQty": render.num(trip.qty), "cumExecValue": render.num(trip.value(price)),
        "cumExecFee": render.num(trip.open_fee if opening else trip.close_fee), "timeInForce": "IOC",
        "orderType": "Market", "stopOrderType": "UNKNOWN", "orderIv": "", "triggerPrice": zero_price,
        "takeProfit": zero_price, "stopLoss": zero_price, "tpTriggerBy": "UNKNOWN", "slTriggerBy": "UNKNOWN",
        "triggerDirection": 0, "triggerBy": "UNKNOWN", "lastPriceOnCreated": render.num(price),
        "reduceOnly": not opening, "closeOnTrigger": False, "smpType": "None", "smpGroup": 0,
        "smpOrderId": "", "tpslMode": "", "tpLimitPrice": "", "slLimitPrice": "", "placeType": "",
        "createdTime": time_ms, "updatedTime": time_ms,
    }


def _orders_between(account: SimAccount, ledger: Ledger, lo_ms: int, hi_ms: int, now_ms: int,
                    category: str) -> list[Order]:
    """Orders of `category` placed in (lo_ms, hi_ms], newest first."""
    hedged = {p.symbol for p in account.positions if p.position_idx}
    out: list[Order] = []
    for trip in ledger.trips_between(lo_ms + 1, hi_ms, now_ms, by="any"):
        if trip.instrument.category != category:
            continue
        for leg, time_ms in (("open", trip.open_ms), ("close", trip.close_ms)):
            if lo_ms < time_ms <= hi_ms:
                row = order_row(trip, leg, trip.symbol in hedged)
                out.append((time_ms, str(row["orderId"]), row))
    out.sort(key=lambda o: (-o[0], o[1]))
    return out


def _recent_closed(account: SimAccount, ledger: Ledger, now_ms: int, category: str) -> list[Order]:
    """The latest RECENT_CLOSED orders, walking back a week at a time to the start of the history."""
    out: list[Order] = []
    hi = now_ms
    while len(out) < RECENT_CLOSED and hi >= ledger.history_start_ms:
        out += _orders_between(account, ledger, hi - WEEK_MS, hi, now_ms, category)
        hi -= WEEK_MS
    return out[:RECENT_CLOSED]


def _category(ctx: RequestContext, account: SimAccount) -> str:
    category = ctx.get("category")
    allowed = ("spot", "linear", "inverse") if account.classic else ("spot", "linear", "inverse", "option")
    if category not in allowed:
        raise ApiError(10001, "params error: Category is invalid")
    return category


def _matches(ctx: RequestContext, order: Order, *, with_status: bool) -> bool:
    """The filters a client may pass; each given one must equal the order's value (orderFilter "Order":
    plain orders, which all of these are; orderStatus: all are Filled)."""
    row = order[2]
    inst = CATALOGUE[str(row["symbol"])]
    wanted = {
        "orderId": row["orderId"], "orderLinkId": row["orderLinkId"], "symbol": row["symbol"],
        "baseCoin": inst.base_coin, "settleCoin": inst.settle_coin, "orderFilter": "Order",
        **({"orderStatus": "Filled"} if with_status else {}),
    }
    return all(ctx.get(name) is None or ctx.get(name) == value for name, value in wanted.items())


def order_realtime(ctx: RequestContext) -> dict[str, object]:
    """Open orders (never any), or with openOnly 1/2, or by orderId/orderLinkId, the recent closed ones."""
    account, ledger = _ledger(ctx)
    category = _category(ctx, account)
    if category == "linear" and not any(ctx.get(p) for p in ("symbol", "baseCoin", "settleCoin")):
        raise ApiError(10001, "params error: symbol, baseCoin or settleCoin is required for linear")
    open_only = ctx.int_param("openOnly", 0, 0, 2)
    limit = ctx.history_limit(20, 50)
    orders: list[Order] = []
    if open_only or ctx.get("orderId") or ctx.get("orderLinkId"):
        orders = [o for o in _recent_closed(account, ledger, ctx.now_ms, category)
                  if _matches(ctx, o, with_status=False)]
    page, cursor = newest_first_page(orders, lambda o: (o[0], o[1]), ctx.get("cursor"), limit)
    return {"category": category, "list": [o[2] for o in page], "nextPageCursor": cursor}


def order_history(ctx: RequestContext) -> dict[str, object]:
    """Orders in [startTime, endTime] (both or neither; the last 7 days by default, 7 days at most)."""
    account, ledger = _ledger(ctx)
    category = _category(ctx, account)
    if (ctx.get("startTime") is None) != (ctx.get("endTime") is None):
        raise ApiError(10001, "params error: startTime and endTime must be passed together")
    limit = ctx.history_limit(20, 50)
    start, end = window(ctx, WEEK_MS)
    orders = [o for o in _orders_between(account, ledger, start - 1, end, ctx.now_ms, category)
              if _matches(ctx, o, with_status=True)]
    page, cursor = newest_first_page(orders, lambda o: (o[0], o[1]), ctx.get("cursor"), limit)
    return {"category": category, "list": [o[2] for o in page], "nextPageCursor": cursor}


def spot_borrow_check(ctx: RequestContext) -> dict[str, object]:
    """What a spot order may trade now. Spot margin is off on every simulated account, so the maxima
    are the spot balances: the quote coin to buy with, the base coin to sell (a classic account's
    spot wallet is empty)."""
    account, _ = _ledger(ctx)
    if ctx.get("category") != "spot":
        raise ApiError(10001, "params error: category only support spot")
    inst = instrument_of(ctx, "spot")
    side = ctx.get("side")
    if side not in ("Buy", "Sell"):
        raise ApiError(10001, "params error: side invalid")
    mark = ctx.mark_of(inst.symbol)
    available = {} if account.classic else transferable(value_account(account, ctx.mark_of))
    if side == "Buy":
        amount = available.get(inst.quote_coin, Decimal(0))
        qty = (amount / mark).quantize(Decimal("0.0001"), ROUND_DOWN)
    else:
        qty = available.get(inst.base_coin, Decimal(0)).quantize(Decimal("0.0001"), ROUND_DOWN)
        amount = qty * mark
    qty_text, amount_text = render.num(qty, 4), render.num(amount.quantize(Decimal("1e-8"), ROUND_DOWN))
    return {"symbol": inst.symbol, "side": side, "maxTradeQty": qty_text, "maxTradeAmount": amount_text,
            "spotMaxTradeQty": qty_text, "spotMaxTradeAmount": amount_text,
            "borrowCoin": inst.quote_coin if side == "Buy" else inst.base_coin}


ROUTES = {
    "/v5/order/realtime": order_realtime,
    "/v5/order/history": order_history,
    "/v5/order/spot-borrow-check": spot_borrow_check,
}
UID_LIMITS = {"/v5/order/realtime": 50, "/v5/order/history": 50, "/v5/order/spot-borrow-check": 50}
