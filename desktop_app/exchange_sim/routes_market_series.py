"""Public market series cut from the simulator's own price path: index and premium-index klines, recent
public trades, open-interest history, the order-price band, and the RPI and full order books.

Everything here is derived from state other endpoints already show, so clients that cross-check see
one market: the index kline is the mark kline (index = mark here), the newest public trade is the
ticker's lastPrice, a one-minute candle holds exactly one trade (at its close, sized at its volume),
open interest is the tickers' formula at each time, and the premium index is the one Bybit's funding
formula turns into the funding history's rates.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from desktop_app.exchange_sim.context import ApiError, RequestContext, decode_cursor, encode_cursor
from desktop_app.exchange_sim.funding import FUNDING_INTERVAL_MS, next_settlement, premium_index
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.klines import INTERVAL_MINUTES, INTERVALS
from desktop_app.exchange_sim.ledger_records import stable_id
from desktop_app.exchange_sim.market_stats import open_interest, price_band
from desktop_app.exchange_sim.prices import MINUTE_MS
from desktop_app.exchange_sim.render import num
from desktop_app.exchange_sim.routes_market import (
    BOOK_DEPTH,
    book_levels,
    book_stamps,
    category_of,
    fmt_price,
    instrument_of,
    kline_rows,
)

PERIOD_MS = {"5min": 5 * MINUTE_MS, "15min": 15 * MINUTE_MS, "30min": 30 * MINUTE_MS,
             "1h": 60 * MINUTE_MS, "4h": 240 * MINUTE_MS, "1d": 1440 * MINUTE_MS}
_Q6 = Decimal("0.000001")


def index_price_kline(ctx: RequestContext) -> dict[str, object]:
    return kline_rows(ctx, with_volume=False, allowed=("linear", "inverse"), max_limit=200)


def _candle_end(start_ms: int, interval: str) -> int:
    """The last millisecond of the candle starting at `start_ms`."""
    if interval == "M":
        start = datetime.fromtimestamp(start_ms / 1000, UTC)
        nxt = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
        return int(nxt.timestamp() * 1000) - 1
    return start_ms + INTERVAL_MINUTES[interval] * MINUTE_MS - 1


def premium_index_price_kline(ctx: RequestContext) -> dict[str, object]:
    """Premium-index candles (linear only). The premium is constant through each funding interval, so a
    candle's open and close are the premiums of the intervals holding its first and last instants."""
    category = category_of(ctx, ("linear",), default="linear")
    inst = instrument_of(ctx, category)
    interval = ctx.get("interval")
    if interval not in INTERVALS:
        raise ApiError(10001, "params error: interval invalid")
    limit = ctx.int_param("limit", 200, 1, 1000)
    start = ctx.int_param("start", 0, 0, 2**62) or None
    end = ctx.int_param("end", 0, 0, 2**62) or None
    rows = []
    for c in ctx.candles.candles(inst.base_coin, interval, now_ms=ctx.now_ms, start_ms=start, end_ms=end,
                                 limit=limit):
        last_ms = min(_candle_end(c.start_ms, interval), ctx.now_ms)
        settlements = range(next_settlement(c.start_ms), next_settlement(last_ms) + 1, FUNDING_INTERVAL_MS)
        values = [premium_index(ctx.seed, inst.symbol, s).quantize(_Q6) for s in settlements]
        rows.append([str(c.start_ms), *(format(v, "f") for v in
                                        (values[0], max(values), min(values), values[-1]))])
    return {"symbol": inst.symbol, "category": category, "list": rows}


def recent_trade(ctx: RequestContext) -> dict[str, object]:
    """The latest public trades, newest first: one per one-minute candle, at its close, for its volume
    (base coin; contracts for inverse), the side by the tick rule. The simulator lists no options."""
    category = category_of(ctx, ("spot", "linear", "inverse", "option"))
    if category == "option":
        if ctx.get("symbol") is not None:
            instrument_of(ctx, category)        # an option symbol is unknown here: Bybit's 10001
        return {"category": "option", "list": []}
    inst = instrument_of(ctx, category)
    default, high = (60, 60) if category == "spot" else (500, 1000)
    limit = ctx.int_param("limit", default, 1, high)
    rows = []
    for c in ctx.candles.candles(inst.base_coin, "1", now_ms=ctx.now_ms, start_ms=None, end_ms=None,
                                 limit=limit):
        time_ms = min(c.start_ms + MINUTE_MS - 1, ctx.now_ms)
        price, opened = fmt_price(inst, c.close), fmt_price(inst, c.open)
        size = c.volume_usd if inst.inverse else c.volume_usd / c.close
        rows.append({
            "execId": stable_id("trade", category, inst.symbol, time_ms), "symbol": inst.symbol,
            "price": price, "size": num(Decimal(repr(size)), 4),
            "side": "Buy" if Decimal(price) >= Decimal(opened) else "Sell", "time": str(time_ms),
            "isBlockTrade": False,
        })
    return {"category": category, "list": rows}


def open_interest_history(ctx: RequestContext) -> dict[str, object]:
    """Open interest at each `intervalTime` boundary, newest first, paged by an opaque cursor."""
    category = category_of(ctx, ("linear", "inverse"))
    inst = instrument_of(ctx, category)
    step = PERIOD_MS.get(ctx.get("intervalTime") or "")
    if step is None:
        raise ApiError(10001, "params error: intervalTime invalid")
    limit = ctx.page_limit(50, 200)
    start = max(ctx.int_param("startTime", 0, 0, 2**62), ctx.model.first_minute * MINUTE_MS)
    end = min(ctx.int_param("endTime", ctx.now_ms, 0, 2**62), ctx.now_ms)
    newest = end - end % step
    cursor = ctx.get("cursor")
    if cursor:
        parts = decode_cursor(cursor)
        try:
            newest = min(newest, int(parts[1]))
        except (IndexError, ValueError):
            raise ApiError(10001, "params error: cursor invalid") from None
    stamps = list(range(newest, max(start - 1, newest - step * limit), -step))
    idx = ctx.model.index[inst.base_coin]
    rows = []
    for stamp in stamps:
        mark = inst.round_price(Decimal(repr(float(ctx.model.prices_at(stamp)[idx]))))
        rows.append({"openInterest": num(open_interest(inst, mark), 3), "timestamp": str(stamp)})
    older = stamps[-1] - step if stamps else -1
    next_cursor = encode_cursor((inst.symbol, str(older), "0")) if stamps and older >= start else ""
    return {"symbol": inst.symbol, "category": category, "list": rows, "nextPageCursor": next_cursor}


def account_ratio(ctx: RequestContext) -> dict[str, object]:
    """The share of users net long/short: the simulator models no crowd, so the list is empty."""
    category = category_of(ctx, ("linear", "inverse"))
    instrument_of(ctx, category)
    if ctx.get("period") not in PERIOD_MS:
        raise ApiError(10001, "params error: period invalid")
    ctx.int_param("limit", 50, 1, 500)
    return {"list": []}


def price_limit(ctx: RequestContext) -> dict[str, object]:
    """The limit-order price band now, from the instruments' riskParameters (index = mark here)."""
    category = category_of(ctx, ("spot", "linear", "inverse"), default="linear")
    inst = instrument_of(ctx, category)
    mark = ctx.mark_of(inst.symbol)
    buy, sell = price_band(inst, mark, mark, spot=category == "spot")
    return {"symbol": inst.symbol, "buyLmt": str(buy), "sellLmt": str(sell), "ts": str(ctx.now_ms)}


def rpi_orderbook(ctx: RequestContext) -> dict[str, object]:
    """The order book with an RPI size per level; the simulator's book holds no RPI orders."""
    category = category_of(ctx, ("spot", "linear", "inverse"), default="linear")
    inst = instrument_of(ctx, category)
    if ctx.get("limit") is None:
        raise ApiError(10001, "params error: limit is required")
    asks, bids = book_levels(ctx, inst, ctx.int_param("limit", 1, 1, 50))
    return {"s": inst.symbol, "a": [[*level, "0"] for level in asks], "b": [[*level, "0"] for level in bids],
            **book_stamps(ctx)}


def full_orderbook(ctx: RequestContext) -> dict[str, object]:
    """Every level of the simulator's book (as deep as the order book's largest limit)."""
    category = category_of(ctx, ("spot", "linear", "inverse"))
    inst = instrument_of(ctx, category)
    asks, bids = book_levels(ctx, inst, BOOK_DEPTH[category][1])
    return {"s": inst.symbol, "a": asks, "b": bids, **book_stamps(ctx)}


def index_price_components(ctx: RequestContext) -> dict[str, object]:
    """The index of a linear symbol: the simulator prices it from one source, its own spot pair."""
    name = (ctx.get("indexName") or "").upper()
    if not name:
        raise ApiError(10001, "params error: indexName is required")
    inst = CATALOGUE.get(name)
    if inst is None or inst.category != "linear":
        raise ApiError(10001, "params error: indexName invalid")
    price = str(ctx.mark_of(inst.symbol))
    return {"indexName": inst.symbol, "lastPrice": price, "updateTime": str(ctx.now_ms), "components": [{
        "exchange": "Bybit", "spotPair": f"{inst.base_coin}USDT", "equivalentPrice": price, "multiplier": "1",
        "price": price, "weight": "1"}]}


ROUTES = {
    "/v5/market/index-price-kline": index_price_kline,
    "/v5/market/premium-index-price-kline": premium_index_price_kline,
    "/v5/market/recent-trade": recent_trade,
    "/v5/market/open-interest": open_interest_history,
    "/v5/market/account-ratio": account_ratio,
    "/v5/market/price-limit": price_limit,
    "/v5/market/rpi_orderbook": rpi_orderbook,
    "/v5/market/full_orderbook": full_orderbook,
    "/v5/market/index-price-components": index_price_components,
}
