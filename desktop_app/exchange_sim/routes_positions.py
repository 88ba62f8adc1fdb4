"""Private position queries beyond the position list and closed PnL: moved positions, closed option
positions, and the open-interest limit of the caller's user group.

The simulator's accounts never move positions between UIDs nor trade options, so those lists are
empty after Bybit's parameter checks. The limit info is derived: the group is the master account
alone (no sub-accounts), its sizes are its positions, and the platform open interest is the tickers'.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.market_stats import OI_LIMIT_PCNT, open_interest
from desktop_app.exchange_sim.render import num
from desktop_app.exchange_sim.routes_history import WEEK_MS, window

_MOVE_STATUSES = ("Processing", "Filled", "Rejected")


def _account(ctx: RequestContext) -> SimAccount:
    if ctx.account is None:   # the app authenticates first; this guards misuse
        raise ApiError(10003, "API key is invalid.")
    return ctx.account


def move_history(ctx: RequestContext) -> dict[str, object]:
    _account(ctx)
    category = ctx.get("category")
    if category is not None and category not in ("linear", "inverse", "spot", "option"):
        raise ApiError(10001, "params error: Category is invalid")
    status = ctx.get("status")
    if status is not None and status not in _MOVE_STATUSES:
        raise ApiError(10001, "params error: status invalid")
    ctx.int_param("limit", 20, 1, 200)
    window(ctx, WEEK_MS)
    return {"list": [], "nextPageCursor": ""}


def closed_option_positions(ctx: RequestContext) -> dict[str, object]:
    """Closed option positions: one day by default, at most 7 days between the two times."""
    _account(ctx)
    if ctx.get("category") != "option":
        raise ApiError(10001, "params error: category only support option")
    ctx.int_param("limit", 50, 1, 100)
    window(ctx, DAY_MS)
    return {"nextPageCursor": "", "category": "option", "list": []}


def limit_info(ctx: RequestContext) -> dict[str, object]:
    """The group's open-interest cap on one symbol: OI_LIMIT_PCNT of the platform's open interest."""
    account = _account(ctx)
    symbol = (ctx.get("symbol") or "").upper()
    inst = CATALOGUE.get(symbol)
    if not symbol:
        raise ApiError(10001, "params error: symbol is required")
    if inst is None:
        raise ApiError(10001, "params error: symbol invalid")
    held = [p for p in account.positions if p.symbol == symbol]

    def total(side: str) -> str:
        sizes = [p.size for p in held if p.side == side]
        return num(sum(sizes, Decimal(0)), 4) if sizes else ""

    # The cap is taken on the open interest as shown (3 decimals, as the tickers print it), so the two
    # figures a client reads multiply exactly.
    oi = Decimal(num(open_interest(inst, ctx.mark_of(symbol)), 3))
    cap = num(oi * OI_LIMIT_PCNT)
    return {
        "currentLimitPcnt": format(OI_LIMIT_PCNT, ".4f"), "totalBuyPositionSize": total("Buy"),
        "totalSellPositionSize": total("Sell"), "estMaxPositionSize": cap, "openInterest": num(oi, 3),
        "list": [{"userId": str(account.uid), "positionSize": num(p.size, 4), "side": p.side} for p in held],
        "updateTime": str(ctx.now_ms), "maxUserOi": cap,
    }


ROUTES = {
    "/v5/position/move-history": move_history,
    "/v5/position/get-closed-positions": closed_option_positions,
    "/v5/position/limit-info": limit_info,
}
