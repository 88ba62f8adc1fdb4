"""Parsers for Bybit's account history: closed PnL (`/v5/position/closed-pnl`) and the funding
settlements of the transaction logs (`/v5/account/transaction-log` for unified accounts,
`/v5/account/contract-transaction-log` for classic ones).

Each takes the envelope's `result` and raises only `BybitParseError`.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.page import Page
from desktop_app.bybit.parse_fields import Fields, short_repr
from desktop_app.domain.journal import ClosedPnl, FundingPayment
from desktop_app.domain.market import Category, Side
from desktop_app.domain.symbols import SymbolError, settle_coin_of

# The side of the closing ORDER: a Sell closes a long, a Buy closes a short.
_CLOSED_POSITION_SIDE = {"Sell": Side.LONG, "Buy": Side.SHORT}
SETTLEMENT = "SETTLEMENT"  # transaction-log type of a funding settlement
_ZERO = Decimal(0)
# Epoch times past these are in micro- or nanoseconds: the docs' closed-PnL example has a 19-digit
# createdTime ("1672214887231423699") beside a millisecond updatedTime.
_MICROS_FROM = 10**14
_NANOS_FROM = 10**17


def epoch_ms(value: int) -> int:
    """Milliseconds from an epoch time in ms, µs or ns (judged by its size)."""
    if value >= _NANOS_FROM:
        return value // 1_000_000
    if value >= _MICROS_FROM:
        return value // 1000
    return value


def _closed_pnl_row(row: Fields, category: Category) -> ClosedPnl:
    side_text = row.text("side")
    position_side = _CLOSED_POSITION_SIDE.get(side_text)
    if position_side is None:
        raise BybitParseError(f"{row.where}: field 'side' is not Buy or Sell: {short_repr(side_text)}")
    created = row.opt_integer("createdTime")
    updated = row.opt_integer("updatedTime")
    if created is None and updated is None:
        raise BybitParseError(f"{row.where}: fields 'createdTime' and 'updatedTime' are both missing")
    created_raw = created if created is not None else updated
    created_ms = epoch_ms(created_raw)  # type: ignore[arg-type]
    closed_ms = epoch_ms(updated) if updated is not None else created_ms
    symbol = row.text("symbol")
    try:
        settle_coin: str | None = settle_coin_of(symbol, category)
    except SymbolError:
        settle_coin = None  # an unfamiliar name; the journal then cannot value it and says so
    return ClosedPnl(
        category=category,
        symbol=symbol,
        order_id=row.text("orderId"),
        position_side=position_side,
        closed_size=row.dec("closedSize"),
        avg_entry_price=row.opt_dec("avgEntryPrice"),
        avg_exit_price=row.opt_dec("avgExitPrice"),
        closed_pnl=row.dec("closedPnl"),
        exec_type=row.text("execType", default=""),
        created_ms=created_ms,
        closed_ms=closed_ms,
        settle_coin=settle_coin,
        created_time=None if created_raw == created_ms else created_raw,
    )


def parse_closed_pnl(result: object, *, category: Category) -> Page[ClosedPnl]:
    """One page of `/v5/position/closed-pnl` for `category` (the one asked for; Bybit echoes it).
    May raise: BybitParseError."""
    fields = Fields(result, "closed pnl")
    rows = [_closed_pnl_row(Fields(item, "closed pnl", what="list item"), category)
            for item in fields.array("list")]
    return Page(items=tuple(rows), next_cursor=fields.cursor())


def _category_or_none(row: Fields) -> Category | None:
    text = row.opt_text("category")
    if text is None:
        return None
    try:
        return Category(text)
    except ValueError:
        raise BybitParseError(f"{row.where}: field 'category' is not a Bybit category: {short_repr(text)}") \
            from None


def _funding_row(row: Fields) -> FundingPayment:
    # Bybit defines change = cashFlow + funding − fee (UTA; the classic log writes −funding, same
    # cash). For USDC perpetuals the 8-hour session settlement rides in the same SETTLEMENT row as
    # cashFlow: that is realised PnL, not funding, so the funding's cash is change − cashFlow + fee.
    change = row.dec("change")
    amount = change - (row.opt_dec("cashFlow") or _ZERO) + (row.opt_dec("fee") or _ZERO)
    time_ms = epoch_ms(row.integer("transactionTime"))
    symbol = row.text("symbol", default="")
    fee_rate = row.opt_dec("feeRate")
    # feeRate is the market rate for a long (side Buy) and its negative for a short.
    rate = None if fee_rate is None else (-fee_rate if row.opt_text("side") == "Sell" else fee_rate)
    entry_id = row.opt_text("id") or row.opt_text("tradeId") or row.opt_text("orderId") or ""
    return FundingPayment(
        entry_id=f"{entry_id}:{symbol}:{time_ms}",
        category=_category_or_none(row),
        symbol=symbol,
        currency=row.text("currency"),
        time_ms=time_ms,
        amount=amount,
        rate=rate,
    )


def parse_funding_payments(result: object) -> Page[FundingPayment]:
    """The funding settlements (type SETTLEMENT) of one transaction-log page; every other kind of
    row (trades, fees, transfers) is not funding and is skipped. May raise: BybitParseError."""
    fields = Fields(result, "transaction log")
    payments: list[FundingPayment] = []
    for item in fields.array("list"):
        row = Fields(item, "transaction log", what="list item")
        if row.text("type", default="") == SETTLEMENT:
            payments.append(_funding_row(row))
    return Page(items=tuple(payments), next_cursor=fields.cursor())
