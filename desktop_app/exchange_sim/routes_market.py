"""Public /v5/market/* endpoints (no auth, no per-UID limit)."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.context import ApiError, RequestContext, paginate
from desktop_app.exchange_sim.funding import (
    FUNDING_CAP,
    FUNDING_INTERVAL_MIN,
    funding_rate,
    next_settlement,
    settlement_at_or_before,
)
from desktop_app.exchange_sim.instruments import CATALOGUE, Instrument, instruments_of
from desktop_app.exchange_sim.klines import INTERVALS
from desktop_app.exchange_sim.market_stats import (
    PRICE_LIMIT_X,
    PRICE_LIMIT_Y,
    daily_turnover_usd,
    open_interest,
)
from desktop_app.exchange_sim.render import num


def server_time(ctx: RequestContext) -> dict[str, object]:
    return {"timeSecond": str(ctx.server_ms // 1000), "timeNano": str(ctx.server_ms * 1_000_000 + 423_213)}


def category_of(ctx: RequestContext, allowed: tuple[str, ...], default: str | None = None) -> str:
    """May raise: ApiError 10001 for a missing category or one this endpoint does not serve."""
    category = ctx.get("category") or default
    if category not in allowed:
        raise ApiError(10001, "params error: Category is invalid")
    return category


def instrument_of(ctx: RequestContext, category: str) -> Instrument:
    """The `symbol` parameter's instrument. May raise: ApiError 10001 (missing, unknown, other category)."""
    symbol = ctx.get("symbol")
    if symbol is None:
        raise ApiError(10001, "params error: symbol is required")
    inst = CATALOGUE.get(symbol.upper())
    if inst is None or (category != "spot" and inst.category != category) or \
            (category == "spot" and inst.settle_coin != "USDT"):
        raise ApiError(10001, "Not supported symbols")
    return inst


def fmt_price(inst: Instrument, value: float) -> str:
    return format(inst.round_price(Decimal(repr(value))), "f")


def _ticker(ctx: RequestContext, inst: Instrument, category: str) -> dict[str, object]:
    mark = ctx.mark_of(inst.symbol)
    prev24, high, low, prev1h = ctx.candles.day_stats(inst.base_coin, ctx.now_ms)
    prev24_d = inst.round_price(Decimal(repr(prev24)))
    change = (mark / prev24_d - 1).quantize(Decimal("0.000001"))
    volume_usd = daily_turnover_usd(inst)
    # The top of the order book at this instant, so the ticker and the book never disagree.
    (ask1,), bids = book_levels(ctx, inst, 1)
    bid1 = bids[0] if bids else ["", ""]
    row: dict[str, object] = {
        "symbol": inst.symbol, "lastPrice": str(mark), "prevPrice24h": str(prev24_d),
        "price24hPcnt": format(change, "f"), "highPrice24h": fmt_price(inst, high),
        "lowPrice24h": fmt_price(inst, low),
        "bid1Price": bid1[0], "bid1Size": bid1[1], "ask1Price": ask1[0], "ask1Size": ask1[1],
    }
    if category == "spot":
        volume = volume_usd / float(mark)
        return {**row, "turnover24h": num(Decimal(repr(volume_usd)), 4),
                "volume24h": num(Decimal(repr(volume)), 4), "usdIndexPrice": str(mark)}
    inverse = inst.inverse
    oi = open_interest(inst, mark)
    next_funding = next_settlement(ctx.now_ms)
    return {
        **row, "indexPrice": str(mark), "markPrice": str(mark), "prevPrice1h": fmt_price(inst, prev1h),
        "openInterest": num(oi, 3),
        "openInterestValue": num(oi / mark if inverse else oi * mark, 2),
        "singleOpenInterest": "", "singleOpenInterestValue": "",
        "turnover24h": num(Decimal(repr(volume_usd / float(mark) if inverse else volume_usd)), 4),
        "volume24h": num(Decimal(repr(volume_usd if inverse else volume_usd / float(mark))), 4),
        # The rate that the next settlement will apply (Bybit's predicted rate).
        "fundingRate": num(funding_rate(ctx.seed, inst.symbol, next_funding), 6),
        "nextFundingTime": str(next_funding), "predictedDeliveryPrice": "",
        "basisRate": "", "deliveryFeeRate": "", "deliveryTime": "0", "basis": "", "preOpenPrice": "",
        "preQty": "", "curPreListingPhase": "", "fundingIntervalHour": "8", "basisRateYear": "",
        "fundingCap": str(FUNDING_CAP),
    }


def tickers(ctx: RequestContext) -> dict[str, object]:
    category = category_of(ctx, ("spot", "linear", "inverse", "option"))
    if category == "option":
        if ctx.get("symbol") is None and ctx.get("baseCoin") is None:
            raise ApiError(10001, "params error: symbol or baseCoin is required for option")
        return {"category": "option", "list": []}   # the simulator lists no options
    if ctx.get("symbol") is not None:
        chosen: tuple[Instrument, ...] = (instrument_of(ctx, category),)
    else:
        chosen = instruments_of("linear" if category == "spot" else category)
        if category == "spot":
            chosen = tuple(i for i in chosen if i.settle_coin == "USDT")
    return {"category": category, "list": [_ticker(ctx, i, category) for i in chosen]}


def kline_rows(ctx: RequestContext, *, with_volume: bool, allowed: tuple[str, ...],
               max_limit: int = 1000) -> dict[str, object]:
    """Candles of the symbol's price path, newest first: [start, open, high, low, close] plus volume and
    turnover when `with_volume`. The simulator's mark, index and last price are one path, so the
    trade, mark and index klines share their prices."""
    category = category_of(ctx, allowed, default="linear")
    inst = instrument_of(ctx, category)
    interval = ctx.get("interval")
    if interval not in INTERVALS:
        raise ApiError(10001, "params error: interval invalid")
    limit = ctx.int_param("limit", 200, 1, max_limit)
    start = ctx.int_param("start", 0, 0, 2**62) or None
    end = ctx.int_param("end", 0, 0, 2**62) or None
    rows = []
    for c in ctx.candles.candles(inst.base_coin, interval, now_ms=ctx.now_ms, start_ms=start, end_ms=end,
                                 limit=limit):
        ohlc = [str(c.start_ms), *(fmt_price(inst, v) for v in (c.open, c.high, c.low, c.close))]
        if with_volume:
            # Volume: linear/spot in base coin, inverse in contracts (USD); turnover the other way round.
            base = c.volume_usd / c.close
            volume, turnover = (c.volume_usd, base) if inst.inverse else (base, c.volume_usd)
            ohlc += [num(Decimal(repr(volume)), 4), num(Decimal(repr(turnover)), 4)]
        rows.append(ohlc)
    return {"symbol": inst.symbol, "category": category, "list": rows}


def kline(ctx: RequestContext) -> dict[str, object]:
    return kline_rows(ctx, with_volume=True, allowed=("spot", "linear", "inverse"))


def mark_price_kline(ctx: RequestContext) -> dict[str, object]:
    return kline_rows(ctx, with_volume=False, allowed=("linear", "inverse", "option"))


def risk_limit(ctx: RequestContext) -> dict[str, object]:
    category = category_of(ctx, ("linear", "inverse"))
    chosen = (instrument_of(ctx, category),) if ctx.get("symbol") else instruments_of(category)
    # Bybit pages risk limits 15 symbols at a time; the simulator's cap makes pages smaller still.
    per_page = min(15, ctx.page_size_cap) if ctx.page_size_cap else 15
    page, cursor = paginate(chosen, lambda i: (i.symbol, 0), ctx.get("cursor"), per_page, ctx.now_ms)
    rows = [{
        "id": t.tier_id, "symbol": i.symbol, "riskLimitValue": num(t.risk_limit_value),
        "maintenanceMargin": num(t.mm_rate), "initialMargin": num(t.im_rate),
        "isLowestRisk": 1 if n == 0 else 0, "maxLeverage": format(t.max_leverage, "f"),
        "mmDeduction": "" if n == 0 else num(t.mm_deduction),
    } for i in page for n, t in enumerate(i.tiers)]
    return {"category": category, "list": rows, "nextPageCursor": cursor}


def instrument_row(i: Instrument) -> dict[str, object]:
    max_lev = i.tiers[0].max_leverage
    return {
        "symbol": i.symbol, "symbolId": i.symbol_id, "contractType": i.contract_type, "status": "Trading",
        "baseCoin": i.base_coin, "quoteCoin": i.quote_coin, "launchTime": "1585526400000",
        "deliveryTime": "0",
        "deliveryFeeRate": "", "priceScale": str(i.price_scale),
        "leverageFilter": {"minLeverage": "1", "maxLeverage": format(max_lev, "f"), "leverageStep": "0.01"},
        "priceFilter": {"minPrice": str(i.min_price), "maxPrice": str(i.max_price),
                        "tickSize": str(i.tick_size)},
        "lotSizeFilter": {"maxOrderQty": str(i.qty_step * 1_000_000), "minOrderQty": str(i.qty_step),
                          "qtyStep": str(i.qty_step), "postOnlyMaxOrderQty": str(i.qty_step * 1_000_000),
                          "maxMktOrderQty": str(i.qty_step * 500_000), "minNotionalValue": "5"},
        "unifiedMarginTrade": True, "fundingInterval": FUNDING_INTERVAL_MIN, "settleCoin": i.settle_coin,
        "copyTrading": "both" if i.settle_coin == "USDT" else "none", "upperFundingRate": str(FUNDING_CAP),
        "lowerFundingRate": str(-FUNDING_CAP), "displayName": "", "forbidUplWithdrawal": False,
        "riskParameters": {"priceLimitRatioX": str(PRICE_LIMIT_X["contract"]),
                           "priceLimitRatioY": str(PRICE_LIMIT_Y["contract"])},
        "isPreListing": False, "preListingInfo": None, "symbolType": "",
    }


def spot_row(i: Instrument) -> dict[str, object]:
    return {
        "symbolId": i.symbol_id, "symbol": i.symbol, "baseCoin": i.base_coin, "quoteCoin": i.quote_coin,
        "innovation": "0", "status": "Trading", "marginTrading": "utaOnly", "stTag": "0",
        "lotSizeFilter": {"basePrecision": str(i.qty_step), "quotePrecision": "0.0000001",
                          "minOrderQty": str(i.qty_step), "maxOrderQty": str(i.qty_step * 100_000),
                          "minOrderAmt": "5", "maxOrderAmt": "8000000",
                          "maxLimitOrderQty": str(i.qty_step * 100_000),
                          "maxMarketOrderQty": str(i.qty_step * 50_000),
                          "postOnlyMaxLimitOrderSize": str(i.qty_step * 100_000)},
        "priceFilter": {"tickSize": str(i.tick_size)},
        "riskParameters": {"priceLimitRatioX": str(PRICE_LIMIT_X["spot"]),
                           "priceLimitRatioY": str(PRICE_LIMIT_Y["spot"])}, "symbolType": "",
    }


def instruments_info(ctx: RequestContext) -> dict[str, object]:
    category = category_of(ctx, ("spot", "linear", "inverse", "option"))
    if category == "option":
        return {"category": "option", "nextPageCursor": "", "list": []}
    if category == "spot":
        # The USDT pairs of the coins the simulator prices; spot has no pages (limit and cursor ignored).
        chosen = (instrument_of(ctx, "spot"),) if ctx.get("symbol") else \
            tuple(i for i in instruments_of("linear") if i.settle_coin == "USDT")
        return {"category": "spot", "list": [spot_row(i) for i in chosen], "nextPageCursor": ""}
    chosen = (instrument_of(ctx, category),) if ctx.get("symbol") else instruments_of(category)
    base_coin = ctx.get("baseCoin")
    if base_coin:
        chosen = tuple(i for i in chosen if i.base_coin == base_coin.upper())
    page, cursor = paginate(chosen, lambda i: (i.symbol, 0), ctx.get("cursor"), ctx.page_limit(500, 1000),
                            ctx.now_ms)
    return {"category": category, "list": [instrument_row(i) for i in page], "nextPageCursor": cursor}


def funding_history(ctx: RequestContext) -> dict[str, object]:
    """Past settlements' rates, newest first. Bybit: startTime alone is an error; endTime alone or
    neither gives the `limit` latest up to it (or now)."""
    category = category_of(ctx, ("linear", "inverse"))
    inst = instrument_of(ctx, category)
    limit = ctx.int_param("limit", 200, 1, 200)
    start = ctx.int_param("startTime", -1, 0, 2**62)
    end = ctx.int_param("endTime", -1, 0, 2**62)
    if start >= 0 and end < 0:
        raise ApiError(10001, "params error: endTime is required when startTime is given")
    settlement = settlement_at_or_before(min(ctx.now_ms, end) if end >= 0 else ctx.now_ms)
    rows = []
    while len(rows) < limit and settlement >= max(start, 0):
        rate = funding_rate(ctx.seed, inst.symbol, settlement)
        rows.append({"symbol": inst.symbol, "fundingRate": num(rate, 6),
                     "fundingRateTimestamp": str(settlement)})
        settlement -= _FUNDING_STEP_MS
    return {"category": category, "list": rows}


_FUNDING_STEP_MS = FUNDING_INTERVAL_MIN * 60_000
BOOK_DEPTH = {"spot": (1, 200), "linear": (25, 500), "inverse": (25, 500), "option": (1, 25)}


def book_levels(ctx: RequestContext, inst: Instrument, depth: int) -> tuple[list[list[str]], list[list[str]]]:
    """(asks, bids) around the mark, one tick apart, seeded sizes that change every second: the same
    book for the order book, the RPI book and the full book at one instant."""
    mark = ctx.mark_of(inst.symbol)
    tick = inst.tick_size

    def size(level: int, side: int) -> str:
        return num(inst.qty_step * (7 + (level * 13 + side * 5 + ctx.now_ms // 1000) % 40), 8)

    asks = [[str(mark + tick * (n + 1)), size(n, 1)] for n in range(depth)]
    bids = [[str(mark - tick * (n + 1)), size(n, 2)] for n in range(depth) if mark - tick * (n + 1) > 0]
    return asks, bids


def book_stamps(ctx: RequestContext) -> dict[str, int]:
    """`ts u seq cts` of a book snapshot taken now."""
    update_id = ctx.now_ms // 100
    return {"ts": ctx.now_ms, "u": update_id, "seq": update_id * 3, "cts": ctx.now_ms - 120}


def orderbook(ctx: RequestContext) -> dict[str, object]:
    """A snapshot book around the mark (Bybit's `s a b ts u seq cts`)."""
    category = category_of(ctx, ("spot", "linear", "inverse", "option"))
    inst = instrument_of(ctx, category)
    default, high = BOOK_DEPTH[category]
    asks, bids = book_levels(ctx, inst, ctx.int_param("limit", default, 1, high))
    return {"s": inst.symbol, "a": asks, "b": bids, **book_stamps(ctx)}
