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
from desktop_app.exchange_sim.render import num


def server_time(ctx: RequestContext) -> dict[str, object]:
    return {"timeSecond": str(ctx.server_ms // 1000), "timeNano": str(ctx.server_ms * 1_000_000 + 423_213)}


def _category(ctx: RequestContext, allowed: tuple[str, ...], default: str | None = None) -> str:
    category = ctx.get("category") or default
    if category not in allowed:
        raise ApiError(10001, "params error: Category is invalid")
    return category


def _instrument(ctx: RequestContext, category: str) -> Instrument:
    symbol = ctx.get("symbol")
    if symbol is None:
        raise ApiError(10001, "params error: symbol is required")
    inst = CATALOGUE.get(symbol.upper())
    if inst is None or (category != "spot" and inst.category != category) or \
            (category == "spot" and inst.settle_coin != "USDT"):
        raise ApiError(10001, "Not supported symbols")
    return inst


def _fmt(inst: Instrument, value: float) -> str:
    return format(inst.round_price(Decimal(repr(value))), "f")


def _ticker(ctx: RequestContext, inst: Instrument, category: str) -> dict[str, object]:
    mark = ctx.mark_of(inst.symbol)
    prev24, high, low, prev1h = ctx.candles.day_stats(inst.base_coin, ctx.now_ms)
    prev24_d = inst.round_price(Decimal(repr(prev24)))
    change = (mark / prev24_d - 1).quantize(Decimal("0.000001"))
    tick = inst.tick_size
    volume_usd = 360_000_000.0 if inst.base_coin == "BTC" else 60_000_000.0
    row: dict[str, object] = {
        "symbol": inst.symbol, "lastPrice": str(mark), "prevPrice24h": str(prev24_d),
        "price24hPcnt": format(change, "f"), "highPrice24h": _fmt(inst, high), "lowPrice24h": _fmt(inst, low),
        "bid1Price": str(mark - tick), "bid1Size": "12.5", "ask1Price": str(mark + tick), "ask1Size": "9.8",
    }
    if category == "spot":
        volume = volume_usd / float(mark)
        return {**row, "turnover24h": num(Decimal(repr(volume_usd)), 4),
                "volume24h": num(Decimal(repr(volume)), 4), "usdIndexPrice": str(mark)}
    inverse = inst.inverse
    open_interest = Decimal(repr(volume_usd / 4 if inverse else volume_usd / 4 / float(mark)))
    next_funding = next_settlement(ctx.now_ms)
    return {
        **row, "indexPrice": str(mark), "markPrice": str(mark), "prevPrice1h": _fmt(inst, prev1h),
        "openInterest": num(open_interest, 3),
        "openInterestValue": num(open_interest / mark if inverse else open_interest * mark, 2),
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
    category = _category(ctx, ("spot", "linear", "inverse", "option"))
    if category == "option":
        if ctx.get("symbol") is None and ctx.get("baseCoin") is None:
            raise ApiError(10001, "params error: symbol or baseCoin is required for option")
        return {"category": "option", "list": []}   # the simulator lists no options
    if ctx.get("symbol") is not None:
        chosen: tuple[Instrument, ...] = (_instrument(ctx, category),)
    else:
        chosen = instruments_of("linear" if category == "spot" else category)
        if category == "spot":
            chosen = tuple(i for i in chosen if i.settle_coin == "USDT")
    return {"category": category, "list": [_ticker(ctx, i, category) for i in chosen]}


def _kline_rows(ctx: RequestContext, mark: bool) -> dict[str, object]:
    allowed = ("linear", "inverse", "option") if mark else ("spot", "linear", "inverse")
    category = _category(ctx, allowed, default="linear")
    inst = _instrument(ctx, category)
    interval = ctx.get("interval")
    if interval not in INTERVALS:
        raise ApiError(10001, "params error: interval invalid")
    limit = ctx.int_param("limit", 200, 1, 1000)
    start = ctx.int_param("start", 0, 0, 2**62) or None
    end = ctx.int_param("end", 0, 0, 2**62) or None
    rows = []
    for c in ctx.candles.candles(inst.base_coin, interval, now_ms=ctx.now_ms, start_ms=start, end_ms=end,
                                 limit=limit):
        ohlc = [str(c.start_ms), *(_fmt(inst, v) for v in (c.open, c.high, c.low, c.close))]
        if not mark:
            # Volume: linear/spot in base coin, inverse in contracts (USD); turnover the other way round.
            base = c.volume_usd / c.close
            volume, turnover = (c.volume_usd, base) if inst.inverse else (base, c.volume_usd)
            ohlc += [num(Decimal(repr(volume)), 4), num(Decimal(repr(turnover)), 4)]
        rows.append(ohlc)
    return {"symbol": inst.symbol, "category": category, "list": rows}


def kline(ctx: RequestContext) -> dict[str, object]:
    return _kline_rows(ctx, mark=False)


def mark_price_kline(ctx: RequestContext) -> dict[str, object]:
    return _kline_rows(ctx, mark=True)


def risk_limit(ctx: RequestContext) -> dict[str, object]:
    category = _category(ctx, ("linear", "inverse"))
    chosen = (_instrument(ctx, category),) if ctx.get("symbol") else instruments_of(category)
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


def _instrument_row(i: Instrument) -> dict[str, object]:
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
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
        "isPreListing": False, "preListingInfo": None, "symbolType": "",
    }


def _spot_row(i: Instrument) -> dict[str, object]:
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
        "riskParameters": {"priceLimitRatioX": "0.005", "priceLimitRatioY": "0.01"}, "symbolType": "",
    }


def instruments_info(ctx: RequestContext) -> dict[str, object]:
    category = _category(ctx, ("spot", "linear", "inverse", "option"))
    if category == "option":
        return {"category": "option", "nextPageCursor": "", "list": []}
    if category == "spot":
        # The USDT pairs of the coins the simulator prices; spot has no pages (limit and cursor ignored).
        chosen = (_instrument(ctx, "spot"),) if ctx.get("symbol") else \
            tuple(i for i in instruments_of("linear") if i.settle_coin == "USDT")
        return {"category": "spot", "list": [_spot_row(i) for i in chosen], "nextPageCursor": ""}
    chosen = (_instrument(ctx, category),) if ctx.get("symbol") else instruments_of(category)
    base_coin = ctx.get("baseCoin")
    if base_coin:
        chosen = tuple(i for i in chosen if i.base_coin == base_coin.upper())
    page, cursor = paginate(chosen, lambda i: (i.symbol, 0), ctx.get("cursor"), ctx.page_limit(500, 1000),
                            ctx.now_ms)
    return {"category": category, "list": [_instrument_row(i) for i in page], "nextPageCursor": cursor}


def funding_history(ctx: RequestContext) -> dict[str, object]:
    """Past settlements' rates, newest first. Bybit: startTime alone is an error; endTime alone or
    neither gives the `limit` latest up to it (or now)."""
    category = _category(ctx, ("linear", "inverse"))
    inst = _instrument(ctx, category)
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
_BOOK_DEPTH = {"spot": (1, 200), "linear": (25, 500), "inverse": (25, 500), "option": (1, 25)}


def orderbook(ctx: RequestContext) -> dict[str, object]:
    """A snapshot book around the mark, one tick apart, seeded sizes (Bybit's `s a b ts u seq cts`)."""
    category = _category(ctx, ("spot", "linear", "inverse", "option"))
    inst = _instrument(ctx, category)
    default, high = _BOOK_DEPTH[category]
    depth = ctx.int_param("limit", default, 1, high)
    mark = ctx.mark_of(inst.symbol)
    tick = inst.tick_size

    def size(level: int, side: int) -> str:
        return num(inst.qty_step * (7 + (level * 13 + side * 5 + ctx.now_ms // 1000) % 40), 8)

    asks = [[str(mark + tick * (n + 1)), size(n, 1)] for n in range(depth)]
    bids = [[str(mark - tick * (n + 1)), size(n, 2)] for n in range(depth) if mark - tick * (n + 1) > 0]
    update_id = ctx.now_ms // 100
    return {"s": inst.symbol, "a": asks, "b": bids, "ts": ctx.now_ms, "u": update_id, "seq": update_id * 3,
            "cts": ctx.now_ms - 120}
