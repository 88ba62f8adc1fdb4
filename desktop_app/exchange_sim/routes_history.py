"""Private history endpoints: closed PnL, the transaction logs, executions and coin info.

The time rules are Bybit's: at most 7 days between startTime and endTime (10001 otherwise); without
times, the last 7 days (the unified transaction log: the last 24 h); with one of the two, that span
from it; nothing older than two years. Lists are newest first, cut into pages by opaque cursors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from desktop_app.exchange_sim import history_render as render
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.context import ApiError, RequestContext, decode_cursor, encode_cursor
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ledger import DAY_MS, Ledger

T = TypeVar("T")

WEEK_MS = 7 * DAY_MS
TWO_YEARS_MS = 730 * DAY_MS
COINS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "LINK", "AVAX", "USDT", "USDC")


def _ledger(ctx: RequestContext) -> tuple[SimAccount, Ledger]:
    if ctx.account is None or ctx.ledgers is None:   # the app authenticates first; this guards misuse
        raise ApiError(10003, "API key is invalid.")
    return ctx.account, ctx.ledgers.ledger(ctx.account)


def window(ctx: RequestContext, default_ms: int, max_ms: int = WEEK_MS) -> tuple[int, int]:
    """[start, end] of the query in ms: `default_ms` back from now, or from/to the one time given;
    both given: at most `max_ms` apart. May raise: ApiError 10001."""
    start = ctx.int_param("startTime", -1, 0, 2**62)
    end = ctx.int_param("endTime", -1, 0, 2**62)
    if start < 0 and end < 0:
        end = ctx.now_ms
        start = end - default_ms
    elif end < 0:
        end = start + default_ms
    elif start < 0:
        start = end - default_ms
    elif end < start:
        raise ApiError(10001, "params error: endTime must not be earlier than startTime")
    elif end - start > max_ms:
        raise ApiError(10001, "params error: The time range between startTime and endTime cannot exceed "
                              f"{max_ms // DAY_MS} days")
    if start < ctx.now_ms - TWO_YEARS_MS:
        raise ApiError(10001, "Can't query order earlier than 2 years, please check your params: "
                              "startTime or endTime!")
    return start, end


def newest_first_page(rows: Sequence[T], key: Callable[[T], tuple[int, str]], cursor: str | None,
                      limit: int) -> tuple[list[T], str]:
    """The page after `cursor` of `rows` (sorted newest first by `key` = (time_ms, id)), and the next
    cursor ("" on the last page). May raise: ApiError 10001 for a cursor that cannot be decoded."""
    start = 0
    if cursor:
        parts = decode_cursor(cursor)
        try:
            after = (-int(parts[1]), parts[0])
        except (IndexError, ValueError):
            raise ApiError(10001, "params error: cursor invalid") from None
        start = next((i for i, row in enumerate(rows) if (-key(row)[0], key(row)[1]) > after), len(rows))
    page = list(rows[start:start + limit])
    if start + limit >= len(rows) or not page:
        return page, ""
    time_ms, row_id = key(page[-1])
    return page, encode_cursor((row_id, str(time_ms)))


def _symbol_filter(ctx: RequestContext) -> str | None:
    return (ctx.get("symbol") or "").upper() or None


def closed_pnl(ctx: RequestContext) -> dict[str, object]:
    _, ledger = _ledger(ctx)
    category = ctx.get("category")
    if category not in ("linear", "inverse"):
        raise ApiError(10001, "params error: category only support linear, inverse")
    symbol = _symbol_filter(ctx)
    limit = ctx.history_limit(50, 100)
    start, end = window(ctx, WEEK_MS)
    trips = [t for t in ledger.trips_between(start, end, ctx.now_ms)
             if t.instrument.category == category and (symbol is None or t.symbol == symbol)]
    trips.sort(key=lambda t: (-t.close_ms, t.trip_id))
    page, cursor = newest_first_page(trips, lambda t: (t.close_ms, t.trip_id), ctx.get("cursor"), limit)
    return {"category": category, "list": [render.closed_pnl_row(t) for t in page], "nextPageCursor": cursor}


def execution_list(ctx: RequestContext) -> dict[str, object]:
    _, ledger = _ledger(ctx)
    category = ctx.get("category")
    if category not in ("linear", "inverse", "spot", "option"):
        raise ApiError(10001, "params error: Category is invalid")
    symbol, order_id = _symbol_filter(ctx), ctx.get("orderId")
    base_coin = (ctx.get("baseCoin") or "").upper() or None
    exec_type = ctx.get("execType")
    limit = ctx.history_limit(50, 100)
    start, end = window(ctx, WEEK_MS)
    fills: list[tuple[int, str, dict[str, object]]] = []
    if category in ("linear", "inverse") and exec_type in (None, "Trade"):
        for trip in ledger.trips_between(start, end, ctx.now_ms, by="any"):
            inst = trip.instrument
            if inst.category != category or (symbol and trip.symbol != symbol) or \
                    (base_coin and inst.base_coin != base_coin):
                continue
            for leg, time_ms in (("open", trip.open_ms), ("close", trip.close_ms)):
                row = render.execution_row(trip, leg)
                if start <= time_ms <= end and (order_id is None or row["orderId"] == order_id):
                    fills.append((time_ms, str(row["execId"]), row))
    fills.sort(key=lambda f: (-f[0], f[1]))
    page, cursor = newest_first_page(fills, lambda f: (f[0], f[1]), ctx.get("cursor"), limit)
    return {"category": category, "list": [f[2] for f in page], "nextPageCursor": cursor}


def _log_rows(ctx: RequestContext, ledger: Ledger, account: SimAccount, *, classic: bool,
              default_ms: int, categories: tuple[str, ...] = ("spot", "linear", "option", "inverse"),
              ) -> dict[str, object]:
    """The rows of the log, of instruments in `categories` (the wallet the log is of)."""
    category = ctx.get("category")
    if category is not None and category not in ("spot", "linear", "option", "inverse"):
        raise ApiError(10001, "params error: Category is invalid")
    currency = (ctx.get("currency") or "").upper() or None
    base_coin = (ctx.get("baseCoin") or "").upper() or None
    kind = ctx.get("type")
    limit = ctx.history_limit(20, 50)
    start, end = window(ctx, default_ms)
    rows = []
    for entry, balance in ledger.cash_rows(start, end, ctx.now_ms):
        inst = CATALOGUE[entry.symbol]
        if inst.category not in categories or (category and inst.category != category) or \
                (currency and entry.currency != currency) or \
                (base_coin and inst.base_coin != base_coin) or (kind and entry.kind != kind):
            continue
        rows.append(render.transaction_row(account.uid, entry, balance, classic=classic))
    # Newest first; rows of one instant keep a fixed order through their ids.
    rows.sort(key=lambda r: (-int(str(r["transactionTime"])), str(r["id"])))
    page, cursor = newest_first_page(rows, lambda r: (int(str(r["transactionTime"])), str(r["id"])),
                                     ctx.get("cursor"), limit)
    return {"list": page, "nextPageCursor": cursor}


def transaction_log(ctx: RequestContext) -> dict[str, object]:
    account, ledger = _ledger(ctx)
    if account.classic:
        raise ApiError(10028, "The API can only be accessed by unified account users.")
    account_type = ctx.get("accountType")
    if account_type is not None and account_type != "UNIFIED":
        raise ApiError(10001, "accountType only support UNIFIED.")
    # Without times the unified log answers the last 24 h (one time given: 24 h from it). UTA 1.0 keeps
    # its inverse contracts out of the unified wallet, and so out of this log.
    categories = ("spot", "linear", "option") if account.uta1 else ("spot", "linear", "option", "inverse")
    return _log_rows(ctx, ledger, account, classic=False, default_ms=DAY_MS, categories=categories)


def contract_transaction_log(ctx: RequestContext) -> dict[str, object]:
    account, ledger = _ledger(ctx)
    if account.uta1:   # "classic account, UTA1.0 (inverse)": the inverse derivatives wallet's log
        return _log_rows(ctx, ledger, account, classic=True, default_ms=WEEK_MS, categories=("inverse",))
    if not account.classic:
        raise ApiError(100028, "The API cannot be accessed by unified account users.")
    return _log_rows(ctx, ledger, account, classic=True, default_ms=WEEK_MS)


def coin_info(ctx: RequestContext) -> dict[str, object]:
    _ledger(ctx)
    coin = (ctx.get("coin") or "").upper() or None
    if coin is not None and coin not in COINS:
        return {"rows": []}
    return {"rows": [render.coin_info_row(c) for c in COINS if coin is None or c == coin]}
