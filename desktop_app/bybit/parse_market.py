"""Parsers for Bybit V5 market endpoints and the fee-rate endpoint (REFERENCE.md §4.1, §4.6–§4.11).

Each takes the envelope's `result` and raises only `BybitParseError`.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.page import Page
from desktop_app.bybit.parse_fields import Fields, short_repr, to_decimal, to_int
from desktop_app.domain.market import Category, FeeRate, Instrument, Kline, RiskTier, Ticker

_NANOS_PER_MS = 1_000_000
_MS_PER_S = 1000


def parse_server_time_ms(result: object) -> int:
    """Server time in epoch ms from `/v5/market/time`: timeNano, else timeSecond.
    May raise: BybitParseError."""
    fields = Fields(result, "server time")
    nanos = fields.opt_integer("timeNano")
    if nanos is not None:
        return nanos // _NANOS_PER_MS
    seconds = fields.opt_integer("timeSecond")
    if seconds is None:
        raise BybitParseError("server time: fields 'timeNano' and 'timeSecond' are both missing")
    return seconds * _MS_PER_S


def _items(result: object, where: str) -> tuple[Fields, list[Fields]]:
    fields = Fields(result, where)
    rows = [Fields(row, where, what="list item") for row in fields.array("list")]
    return fields, rows


def parse_tickers(result: object, *, category: Category) -> tuple[Ticker, ...]:
    """Tickers of one category from `/v5/market/tickers`. May raise: BybitParseError."""
    _, rows = _items(result, "tickers")
    return tuple(
        Ticker(
            category=category,
            symbol=row.text("symbol"),
            last_price=row.opt_dec("lastPrice"),
            mark_price=row.opt_dec("markPrice"),
            # Spot has no indexPrice; its usdIndexPrice is the base coin's USD index.
            index_price=row.opt_dec("indexPrice", "usdIndexPrice"),
            underlying_price=row.opt_dec("underlyingPrice"),
            funding_rate=row.opt_dec("fundingRate"),
            price_24h_change_rate=row.opt_dec("price24hPcnt"),
        )
        for row in rows
    )


def _kline_row(row: object, index: int) -> Kline:
    where = "kline"
    if not isinstance(row, list) or len(row) not in (5, 7):
        raise BybitParseError(f"{where}: row {index} is not a 5- or 7-column array: {short_repr(row)}")
    start_ms = to_int(row[0], where, f"list[{index}][0] startTime")
    prices = [to_decimal(row[i], where, f"list[{index}][{i}]") for i in range(1, 5)]
    volume = turnover = None
    if len(row) == 7:  # mark-price klines have no volume/turnover columns
        volume = to_decimal(row[5], where, f"list[{index}][5] volume")
        turnover = to_decimal(row[6], where, f"list[{index}][6] turnover")
    return Kline(start_ms, prices[0], prices[1], prices[2], prices[3], volume, turnover)


def parse_klines(result: object) -> tuple[Kline, ...]:
    """Candles from `/v5/market/kline` or `/v5/market/mark-price-kline`, OLDEST FIRST.
    Bybit sends them newest first; sorting (not reversing) also copes with any other order.
    May raise: BybitParseError."""
    rows = Fields(result, "kline").array("list")
    klines = [_kline_row(row, i) for i, row in enumerate(rows)]
    klines.sort(key=lambda k: k.start_ms)
    return tuple(klines)


def parse_risk_tiers(result: object) -> Page[RiskTier]:
    """Risk-limit tiers from `/v5/market/risk-limit`, sorted by (symbol, risk_limit_value):
    Bybit's list order is not a promise. May raise: BybitParseError."""
    fields, rows = _items(result, "risk limit")
    tiers = [
        RiskTier(
            tier_id=row.integer("id"),
            symbol=row.text("symbol"),
            risk_limit_value=row.dec("riskLimitValue"),
            # The docs type the rates as number, the wire as string; to_decimal takes both.
            mm_rate=row.dec("maintenanceMargin"),
            im_rate=row.dec("initialMargin"),
            is_lowest_risk=row.flag("isLowestRisk", default=False),
            max_leverage=row.dec("maxLeverage"),
            # The lowest tier's deduction is "" on the wire and 0 by definition (REFERENCE.md §8.1).
            mm_deduction=row.opt_dec("mmDeduction") or Decimal(0),
        )
        for row in rows
    ]
    tiers.sort(key=lambda t: (t.symbol, t.risk_limit_value))
    return Page(items=tuple(tiers), next_cursor=fields.cursor())


def _instrument(row: Fields, category: Category) -> Instrument:
    prices = row.sub("priceFilter")
    lots = row.sub("lotSizeFilter")
    leverage = row.sub("leverageFilter")
    return Instrument(
        category=category,
        symbol=row.text("symbol"),
        contract_type=row.opt_text("contractType"),
        status=row.text("status"),
        base_coin=row.text("baseCoin"),
        quote_coin=row.text("quoteCoin"),
        settle_coin=row.opt_text("settleCoin"),
        tick_size=prices.opt_dec("tickSize") if prices else None,
        min_price=prices.opt_dec("minPrice") if prices else None,
        max_price=prices.opt_dec("maxPrice") if prices else None,
        min_order_qty=lots.opt_dec("minOrderQty") if lots else None,
        max_order_qty=lots.opt_dec("maxOrderQty") if lots else None,
        # Spot names its quantity step basePrecision and its minimum notional minOrderAmt.
        qty_step=lots.opt_dec("qtyStep", "basePrecision") if lots else None,
        min_notional_value=lots.opt_dec("minNotionalValue", "minOrderAmt") if lots else None,
        max_leverage=leverage.opt_dec("maxLeverage") if leverage else None,
        leverage_step=leverage.opt_dec("leverageStep") if leverage else None,
        copy_trading=row.opt_text("copyTrading"),
        funding_interval_min=_funding_interval(row),
    )


def _funding_interval(row: Fields) -> int | None:
    # 0 or absent for futures and spot, which never settle funding; a negative one is junk.
    minutes = row.opt_integer("fundingInterval")
    return minutes if minutes is not None and minutes > 0 else None


def parse_instruments(result: object, *, category: Category) -> Page[Instrument]:
    """One page of `/v5/market/instruments-info`. May raise: BybitParseError."""
    fields, rows = _items(result, "instruments info")
    return Page(items=tuple(_instrument(row, category) for row in rows), next_cursor=fields.cursor())


def parse_fee_rates(result: object) -> tuple[FeeRate, ...]:
    """Fee rates (fractions) from `/v5/account/fee-rate`. May raise: BybitParseError."""
    _, rows = _items(result, "fee rate")
    return tuple(
        FeeRate(
            # Option rows are per base coin and may leave the symbol empty.
            symbol=row.opt_text("symbol") or row.text("baseCoin"),
            taker_rate=row.dec("takerFeeRate"),
            maker_rate=row.dec("makerFeeRate"),
        )
        for row in rows
    )
