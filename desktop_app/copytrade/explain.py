"""Sentences a follower understands, and the ranked causes of a position gap.

Every sentence is an English template with `{named}` fields plus a dict of already-formatted
values. The UI passes the template through Qt's translator before filling it in, so translators
can reorder the fields; `QT_TRANSLATE_NOOP` only marks the templates for the string extractor.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from desktop_app.copytrade.model import (
    MAX_ENTRY_ORDERS_HELD,
    Cause,
    CopyMode,
    OrderResult,
    Reason,
    Scenario,
)
from desktop_app.i18n import QT_TRANSLATE_NOOP
from desktop_app.i18n.figures import localise

CONTEXT = "copytrade"  # the translation context of every sentence here

OPEN_ADVANCED = QT_TRANSLATE_NOOP(
    "copytrade",
    "Copied: your fixed order margin of {budget} USDT at {leverage}x opens {qty} {coin} {side} at {price}"
    " (cost {cost} USDT)."
    " Your average entry is {f_avg}; the master's is {m_avg}.",
)
OPEN_SMART = QT_TRANSLATE_NOOP(
    "copytrade",
    "Copied: the master put {k_pct}% of its funds into this order, so {budget} USDT of your {balance} USDT"
    " opens {qty} {coin} {side} at {price} at the master's {leverage}x (cost {cost} USDT)."
    " Your average entry is {f_avg}; the master's is {m_avg}.",
)
OPEN_MIN_SMART = QT_TRANSLATE_NOOP(
    "copytrade",
    "Copied at the minimum size: {k_pct}% of your balance ({budget} USDT) buys less than the minimum"
    " {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT)."
    " That uses {share_pct}% of your balance while the master used {k_pct}% of its funds, so from now on"
    " your position is larger for your funds than the master's."
    " Your average entry is {f_avg}; the master's is {m_avg}.",
)
OPEN_MIN_ADVANCED = QT_TRANSLATE_NOOP(
    "copytrade",
    "Copied at the minimum size: your fixed order margin of {budget} USDT buys less than the minimum"
    " {min_qty} {coin}, so Bybit placed {min_qty} {coin} {side} at {price} instead (cost {cost} USDT),"
    " more than your fixed margin."
    " Your average entry is {f_avg}; the master's is {m_avg}.",
)
CLOSE_COPIED = QT_TRANSLATE_NOOP(
    "copytrade",
    "Copied: the master closed {m_fraction_pct}% of its position, so you closed {qty} {coin}"
    " ({f_fraction_pct}% of yours) at {price}; realised PnL {pnl} USDT after fees."
    " Your average entry is {f_avg}; the master's is {m_avg}.",
)

SKIP_TEMPLATES: dict[Reason, str] = {
    Reason.ENTRY_ORDER_LIMIT: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: you already hold {held} entry orders from this master, and beyond {limit} Bybit pauses"
        " copying the master's entry orders."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.SLIPPAGE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: your price {f_price} is {slip_pct}% away from the master's fill at {m_price}, more than"
        " your slippage tolerance of {tol_pct}%."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.COPYGUARD: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: Copyguard is on and your price {f_price} is worse than the master's {m_price} for a"
        " {side} entry."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.MAX_POSITION_MARGIN: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: {qty} {coin} would raise your position margin from {margin} to {new_margin} USDT,"
        " above your max position margin of {cap} USDT."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.INSUFFICIENT_BALANCE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: even the minimum order of {min_qty} {coin} costs {min_cost} USDT, more than your"
        " available balance of {balance} USDT."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.COST_EXCEEDS_BALANCE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: {qty} {coin} would cost {cost} USDT (margin plus fees to open and close), more than"
        " your available balance of {balance} USDT."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
    Reason.NO_POSITION: QT_TRANSLATE_NOOP(
        "copytrade",
        "Not copied: the master closed {m_qty} {coin}, but you hold no position to close because the"
        " entry orders were not copied."
        " Your average entry stays {f_avg}; the master's is now {m_avg}.",
    ),
}

CAUSE_TEMPLATES: dict[str, str] = {
    Reason.ENTRY_ORDER_LIMIT: QT_TRANSLATE_NOOP(
        "copytrade",
        "Entry-order limit: {orders} order(s) missed (master's notional {notional} USDT) while you"
        " held {limit}.",
    ),
    Reason.SLIPPAGE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Slippage: {orders} order(s) missed (master's notional {notional} USDT), your price outside"
        " {tol_pct}%.",
    ),
    Reason.COPYGUARD: QT_TRANSLATE_NOOP(
        "copytrade",
        "Copyguard: {orders} order(s) missed (master's notional {notional} USDT), your price worse"
        " than the master's.",
    ),
    Reason.MAX_POSITION_MARGIN: QT_TRANSLATE_NOOP(
        "copytrade",
        "Max position margin: {orders} order(s) missed (master's notional {notional} USDT) at the"
        " {cap} USDT cap.",
    ),
    Reason.INSUFFICIENT_BALANCE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Insufficient balance: {orders} order(s) missed (master's notional {notional} USDT), the"
        " minimum size costs too much.",
    ),
    Reason.COST_EXCEEDS_BALANCE: QT_TRANSLATE_NOOP(
        "copytrade",
        "Order cost over balance: {orders} order(s) missed (master's notional {notional} USDT).",
    ),
    Reason.NO_POSITION: QT_TRANSLATE_NOOP(
        "copytrade",
        "Nothing to close: {orders} closing order(s) (master's notional {notional} USDT) had no"
        " position behind them.",
    ),
    "min_qty": QT_TRANSLATE_NOOP(
        "copytrade",
        "Minimum order size: {orders} order(s) (master's notional {notional} USDT) placed at"
        " {min_qty} {coin}, a larger share than the master's.",
    ),
    "fixed_margin": QT_TRANSLATE_NOOP(
        "copytrade",
        "Fixed order margin: {orders} order(s) (master's notional {notional} USDT) used {budget} USDT"
        " whatever the master's quantity.",
    ),
    "price_difference": QT_TRANSLATE_NOOP(
        "copytrade",
        "Different fill prices: {orders} copied order(s) (master's notional {notional} USDT) filled off the"
        " master's prices.",
    ),
}

NONE_TEXT = "—"


def fmt(value: Decimal | None, max_dp: int = 8) -> str:
    """`12345.6789` → `12,345.6789`, at most `max_dp` decimals, trailing zeros dropped; None → `—`."""
    if value is None:
        return NONE_TEXT
    rounded = value.quantize(Decimal(1).scaleb(-max_dp), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else localise(text)


def fmt_price(value: Decimal | None) -> str:
    """Prices of 100 and more get cents; cheaper coins keep more digits."""
    return fmt(value, 2 if value is not None and abs(value) >= 100 else 6)


def fmt_usdt(value: Decimal) -> str:
    return fmt(value, 2)


def fmt_pct(fraction: Decimal) -> str:
    return fmt(fraction * 100, 2)


def rank_causes(scenario: Scenario, results: Iterable[OrderResult]) -> tuple[Cause, ...]:
    """Group what made the positions differ, largest master notional first."""
    counts: dict[str, int] = {}
    notionals: dict[str, Decimal] = {}
    base_ratio: Decimal | None = None

    def add(code: str, result: OrderResult) -> None:
        counts[code] = counts.get(code, 0) + 1
        notionals[code] = notionals.get(code, Decimal(0)) + result.order.qty * result.order.price

    for result in results:
        if result.reason is not None:
            add(result.reason.value, result)
            continue
        if result.follower_price != result.order.price:
            add("price_difference", result)
        if result.order.action.value != "open":
            continue
        if result.min_qty_used:
            add("min_qty", result)
        elif scenario.mode is CopyMode.ADVANCED:
            # Fixed margin breaks proportionality whenever an order's follower/master ratio differs
            # from the first copied order's.
            ratio = result.follower_qty / result.order.qty
            if base_ratio is None:
                base_ratio = ratio
            elif ratio != base_ratio:
                add("fixed_margin", result)
    params_common = {
        "limit": str(MAX_ENTRY_ORDERS_HELD),
        "tol_pct": fmt_pct(scenario.follower.slippage_tolerance),
        "cap": fmt_usdt(scenario.follower.max_position_margin_usdt),
        "min_qty": fmt(scenario.rules.min_qty),
        "coin": scenario.base_coin,
        "budget": fmt_usdt(scenario.follower.fixed_margin_usdt or Decimal(0)),
    }
    order = list(CAUSE_TEMPLATES)
    codes = sorted(counts, key=lambda c: (-notionals[c], -counts[c], order.index(c)))
    return tuple(
        Cause(
            code=code,
            orders=counts[code],
            master_notional_usdt=notionals[code],
            template=CAUSE_TEMPLATES[code],
            params={**params_common, "orders": str(counts[code]), "notional": fmt_usdt(notionals[code])},
        )
        for code in codes
    )
