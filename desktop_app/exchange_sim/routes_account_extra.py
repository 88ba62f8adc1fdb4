"""Private /v5/account/* queries beyond wallet, info, fee rate and the logs, and /v5/asset/coin-greeks.

What the simulator holds is answered from it: the unified transferable amounts (balances.py), the
collateral flags the wallet shows (every coin counts in full, nothing is borrowed or borrowable), the
instruments, and the account-info settings (DCP off, SMP group 0). It models no borrowing, options or
market-maker protection, so those answers are empty lists.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.balances import transferable
from desktop_app.exchange_sim.context import ApiError, RequestContext, paginate
from desktop_app.exchange_sim.instruments import instruments_of
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.render import num
from desktop_app.exchange_sim.routes_history import COINS
from desktop_app.exchange_sim.routes_market import category_of, instrument_of, instrument_row, spot_row
from desktop_app.exchange_sim.valuation import value_account

UTA_ONLY = (10028, "The API can only be accessed by unified account users.")
_MONTH_MS = 30 * DAY_MS


def account_of(ctx: RequestContext, *, unified: bool = False) -> SimAccount:
    """The caller. May raise: ApiError 10028 when `unified` and the account is classic."""
    if ctx.account is None:   # the app authenticates first; this guards misuse
        raise ApiError(10003, "API key is invalid.")
    if unified and ctx.account.classic:
        raise ApiError(*UTA_ONLY)
    return ctx.account


def coin_list(ctx: RequestContext, name: str, *, required: bool, most: int = 20) -> list[str]:
    """The comma-separated coins of parameter `name`, upper-cased. May raise: ApiError 10001."""
    text = ctx.get(name)
    if text is None:
        if required:
            raise ApiError(10001, f"params error: {name} is required")
        return []
    coins = [c.strip().upper() for c in text.split(",") if c.strip()]
    if not coins or len(coins) > most:
        raise ApiError(10001, f"params error: {name} must hold 1 to {most} coins")
    return coins


def transferable_amount(ctx: RequestContext) -> dict[str, object]:
    """GET /v5/account/withdrawal: what each requested coin can leave the unified wallet with now."""
    account = account_of(ctx, unified=True)
    coins = coin_list(ctx, "coinName", required=True)
    amounts = transferable(value_account(account, ctx.mark_of))
    by_coin = {c: num(amounts.get(c, Decimal(0))) for c in coins}
    return {"availableWithdrawal": by_coin[coins[0]], "availableWithdrawalMap": by_coin}


def borrow_history(ctx: RequestContext) -> dict[str, object]:
    """Interest records: nothing is ever borrowed (every wallet shows borrowAmount 0)."""
    account_of(ctx, unified=True)
    ctx.int_param("limit", 20, 1, 50)
    start = ctx.int_param("startTime", -1, 0, 2**62)
    end = ctx.int_param("endTime", -1, 0, 2**62)
    if start >= 0 and end >= 0 and not 0 <= end - start <= _MONTH_MS:
        raise ApiError(10001, "params error: [endTime - startTime] must be between 0 and 30 days")
    return {"list": [], "nextPageCursor": ""}


def collateral_row(coin: str) -> dict[str, object]:
    return {
        "availableToBorrow": "0", "freeBorrowingAmount": "", "freeBorrowAmount": "0",
        "maxBorrowingAmount": "0", "hourlyBorrowRate": "", "borrowUsageRate": "0", "collateralSwitch": True,
        "borrowAmount": "0", "borrowable": False, "currency": coin, "otherBorrowAmount": "0",
        "marginCollateral": True, "freeBorrowingLimit": "0", "collateralRatio": "1",
    }


def collateral_info(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx, unified=True)
    currency = (ctx.get("currency") or "").upper()
    return {"list": [collateral_row(c) for c in COINS if not currency or c == currency]}


def coin_greeks(ctx: RequestContext) -> dict[str, object]:
    """Option greeks per base coin: the accounts hold no options."""
    account_of(ctx)
    return {"list": []}


def mmp_state(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    if ctx.get("baseCoin") is None:
        raise ApiError(10001, "params error: baseCoin is required")
    return {"result": []}


def account_instruments(ctx: RequestContext) -> dict[str, object]:
    """The instruments this account may trade: all of the simulator's (spot is never paged)."""
    account_of(ctx)
    category = category_of(ctx, ("spot", "linear", "inverse"))
    rpi = {"isPublicRpi": False, "myRpiPermission": False}
    if category == "spot":
        chosen = (instrument_of(ctx, "spot"),) if ctx.get("symbol") else \
            tuple(i for i in instruments_of("linear") if i.settle_coin == "USDT")
        return {"category": "spot", "list": [{**spot_row(i), **rpi} for i in chosen]}
    chosen = (instrument_of(ctx, category),) if ctx.get("symbol") else instruments_of(category)
    page, cursor = paginate(chosen, lambda i: (i.symbol, 0), ctx.get("cursor"), ctx.page_limit(200, 200),
                            ctx.now_ms)
    return {"category": category, "list": [{**instrument_row(i), **rpi} for i in page],
            "nextPageCursor": cursor}


def dcp_info(ctx: RequestContext) -> dict[str, object]:
    """DCP is not configured (account info says dcpStatus OFF): Bybit answers an empty array."""
    account_of(ctx)
    return {"dcpInfos": []}


def smp_group(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    return {"smpGroup": 0}     # as account info's smpGroup


def user_setting_config(ctx: RequestContext) -> dict[str, object]:
    """Bybit's defaults: out-of-band spot orders are rejected, perp orders moved to the boundary."""
    account_of(ctx)
    return {"lpaSpot": False, "lpaPerp": False}


ROUTES = {
    "/v5/account/withdrawal": transferable_amount,
    "/v5/account/borrow-history": borrow_history,
    "/v5/account/collateral-info": collateral_info,
    "/v5/asset/coin-greeks": coin_greeks,
    "/v5/account/mmp-state": mmp_state,
    "/v5/account/instruments-info": account_instruments,
    "/v5/account/query-dcp-info": dcp_info,
    "/v5/account/smp-group": smp_group,
    "/v5/account/user-setting-config": user_setting_config,
}
UID_LIMITS = {"/v5/account/collateral-info": 50}
