"""Public market endpoints about things the simulator does not hold — options, futures deliveries, the
insurance fund, ADL, fee groups — plus the platform's announcements and system status.

Each answers Bybit's documented shape with an empty list after checking Bybit's parameter rules, so a
client sees "nothing of that kind" rather than a missing route, and nothing invented contradicts the
simulator's other endpoints (it lists no options or dated futures; its accounts never reach ADL).
"""

from __future__ import annotations

from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.routes_market import category_of

_VOL_PERIODS = {7, 14, 21, 30, 60, 90, 180, 270}      # days (Bybit's optionPeriod enum)
_MONTH_MS = 30 * DAY_MS
_TWO_YEARS_MS = 730 * DAY_MS
_LOCALES = {"de-DE", "en-US", "es-AR", "es-ES", "es-MX", "fr-FR", "kk-KZ", "id-ID", "uk-UA", "ja-JP",
            "ru-RU", "th-TH", "pt-BR", "tr-TR", "vi-VN", "zh-TW", "ar-SA", "hi-IN", "fil-PH"}


def _day_start(ctx: RequestContext) -> str:
    return str(ctx.now_ms - ctx.now_ms % DAY_MS)


def historical_volatility(ctx: RequestContext) -> dict[str, object]:
    """Option historical volatility. Bybit puts `category` beside `result` and makes `result` the list
    itself; the app builds that envelope from this dict (see app._LIST_RESULT)."""
    category_of(ctx, ("option",))
    period = ctx.int_param("period", 7, 1, 365)
    if ctx.get("period") is not None and period not in _VOL_PERIODS:
        raise ApiError(10001, "params error: period invalid")
    start = ctx.int_param("startTime", -1, 0, 2**62)
    end = ctx.int_param("endTime", -1, 0, 2**62)
    if (start < 0) != (end < 0):
        raise ApiError(10001, "params error: startTime and endTime must be passed together")
    if start >= 0 and not 0 <= end - start <= _MONTH_MS:
        raise ApiError(10001, "params error: [endTime - startTime] must be between 0 and 30 days")
    if start >= 0 and start < ctx.now_ms - _TWO_YEARS_MS:
        raise ApiError(10001, "params error: only the last 2 years can be queried")
    return {"category": "option", "list": []}


def insurance(ctx: RequestContext) -> dict[str, object]:
    """The insurance pools (updated daily): the simulator keeps none."""
    return {"updatedTime": _day_start(ctx), "list": []}


def delivery_price(ctx: RequestContext) -> dict[str, object]:
    """Delivery prices of expired futures and options: the simulator lists perpetuals only."""
    category_of(ctx, ("linear", "inverse", "option"))
    ctx.int_param("limit", 50, 1, 200)
    return {"category": ctx.get("category"), "list": [], "nextPageCursor": ""}


def new_delivery_price(ctx: RequestContext) -> dict[str, object]:
    category_of(ctx, ("option",))
    if ctx.get("baseCoin") is None:
        raise ApiError(10001, "params error: baseCoin is required")
    return {"category": "option", "list": []}


def adl_alert(ctx: RequestContext) -> dict[str, object]:
    """ADL alerts and insurance figures: no pool, so no alert."""
    return {"updatedTime": _day_start(ctx), "list": []}


def fee_group_info(ctx: RequestContext) -> dict[str, object]:
    """Pro and market-maker fee groups: the simulator's accounts trade at the base rate only."""
    if ctx.get("productType") != "contract":
        raise ApiError(10001, "params error: productType only support contract")
    ctx.int_param("groupId", 1, 1, 7)
    return {"list": []}


def option_base_coins(ctx: RequestContext) -> dict[str, object]:
    return {"list": []}


def announcements(ctx: RequestContext) -> dict[str, object]:
    if ctx.get("locale") not in _LOCALES:
        raise ApiError(10001, "params error: locale invalid")
    ctx.int_param("page", 1, 1, 10_000)
    ctx.int_param("limit", 20, 1, 100)
    return {"total": 0, "list": []}


def system_status(ctx: RequestContext) -> dict[str, object]:
    """Maintenance notices: none (faults are injected per request, not announced)."""
    return {"list": []}


ROUTES = {
    "/v5/market/historical-volatility": historical_volatility,
    "/v5/market/insurance": insurance,
    "/v5/market/delivery-price": delivery_price,
    "/v5/market/new-delivery-price": new_delivery_price,
    "/v5/market/adlAlert": adl_alert,
    "/v5/market/fee-group-info": fee_group_info,
    "/v5/market/option-base-coins": option_base_coins,
    "/v5/announcements/index": announcements,
    "/v5/system/status": system_status,
}
