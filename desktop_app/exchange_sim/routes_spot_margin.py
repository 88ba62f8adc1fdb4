"""Spot margin endpoints: the unified account's /v5/spot-margin-trade/* and the classic account's
/v5/spot-cross-margin-trade/*.

The simulator lends nothing: spot margin is off on every account, no coin is borrowable, and every
coin counts as collateral in full (the valuation applies no haircut, so the tiered collateral ratio
is 1 from zero upward). Answers follow from that — leverage "", borrow amounts and limits 0, borrow
rates and tiers absent — and agree with the wallet (borrowAmount 0, marginCollateral true) and
collateral-info. Routes pybit calls without signing are public here, as pybit is the client to match.
"""

from __future__ import annotations

from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.routes_account_extra import account_of
from desktop_app.exchange_sim.routes_asset import CLASSIC_ONLY
from desktop_app.exchange_sim.routes_history import COINS

_MONTH_MS = 30 * DAY_MS


def _coins(ctx: RequestContext, name: str = "currency") -> list[str]:
    wanted = (ctx.get(name) or "").upper()
    return [c for c in COINS if not wanted or c == wanted]


def _required_coin(ctx: RequestContext, name: str = "currency") -> str:
    coin = (ctx.get(name) or "").upper()
    if not coin:
        raise ApiError(10001, f"params error: {name} is required")
    return coin


def vip_margin_data(ctx: RequestContext) -> dict[str, object]:
    rows = [{"borrowable": False, "collateralRatio": "1", "currency": c, "hourlyBorrowRate": "",
             "liquidationOrder": "", "marginCollateral": True, "maxBorrowingAmount": "0"}
            for c in _coins(ctx)]
    return {"vipCoinList": [{"list": rows, "vipLevel": ctx.get("vipLevel") or "No VIP"}]}


def margin_state(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx, unified=True)
    return {"spotLeverage": "", "spotMarginMode": "0", "effectiveLeverage": "0"}


def interest_rate_history(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx, unified=True)
    _required_coin(ctx)
    start = ctx.int_param("startTime", -1, 0, 2**62)
    end = ctx.int_param("endTime", -1, 0, 2**62)
    if (start < 0) != (end < 0):
        raise ApiError(10001, "params error: startTime and endTime must be passed together")
    if start >= 0 and not 0 <= end - start <= _MONTH_MS:
        raise ApiError(10001, "params error: [endTime - startTime] must be between 0 and 30 days")
    return {"list": []}


def tiered_collateral_ratio(ctx: RequestContext) -> dict[str, object]:
    return {"list": [{"currency": c, "collateralRatioList": [
        {"minQty": "0", "maxQty": "", "collateralRatio": "1"}]} for c in _coins(ctx)]}


def auto_repay_mode(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx, unified=True)
    return {"data": [{"currency": c, "autoRepayMode": "0"} for c in _coins(ctx)]}


def max_borrowable(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx, unified=True)
    return {"currency": _required_coin(ctx), "maxLoan": "0"}


def position_tiers(ctx: RequestContext) -> dict[str, object]:
    return {"list": []}


def coin_state(ctx: RequestContext) -> dict[str, object]:
    return {"list": [{"currency": c, "spotLeverage": ""} for c in _coins(ctx)]}


def repayment_available(ctx: RequestContext) -> dict[str, object]:
    """min(spot balance, borrowed) with nothing borrowed."""
    account_of(ctx, unified=True)
    return {"currency": _required_coin(ctx), "lossLessRepaymentAmount": "0"}


def currency_data(ctx: RequestContext) -> dict[str, object]:
    blank = dict.fromkeys(("minFlexibleManualBorrowQty", "flexibleManualBorrowAccuracy",
                           "minFixedManualBorrowQty", "fixedManualBorrowAccuracy",
                           "fixedInterestRateAccuracy", "minFixedInterestRate", "maxFixedInterestRate"), "")
    return {"list": [{"currency": c, "flexibleManualBorrowable": False, "fixedManualBorrowable": False,
                      **blank} for c in _coins(ctx)]}


# -- classic account ("normal") spot margin --------------------------------------------------------
def normal_vip_margin_data(ctx: RequestContext) -> dict[str, object]:
    return {"vipCoinList": []}


def normal_coin_list(ctx: RequestContext) -> dict[str, object]:
    """Pledge and borrowable coins of classic spot margin: none."""
    return {"list": []}


def _classic(ctx: RequestContext) -> None:
    if not account_of(ctx).classic:
        raise ApiError(*CLASSIC_ONLY)


def normal_loan_info(ctx: RequestContext) -> dict[str, object]:
    _classic(ctx)
    return {"coin": _required_coin(ctx, "coin"), "interestRate": "", "loanAbleAmount": "0",
            "maxLoanAmount": "0"}


def normal_loan_account(ctx: RequestContext) -> dict[str, object]:
    """The classic spot margin account: margin off, an empty spot wallet."""
    _classic(ctx)
    return {"acctBalanceSum": "0", "debtBalanceSum": "0", "loanAccountList": [], "riskRate": "0", "status": 1,
            "switchStatus": 0}


def normal_loan_orders(ctx: RequestContext) -> dict[str, object]:
    """Borrow and repayment orders."""
    _classic(ctx)
    ctx.int_param("limit", 500, 1, 500)
    return {"list": []}


ROUTES = {
    "/v5/spot-margin-trade/state": margin_state,
    "/v5/spot-margin-trade/interest-rate-history": interest_rate_history,
    "/v5/spot-margin-trade/get-auto-repay-mode": auto_repay_mode,
    "/v5/spot-margin-trade/max-borrowable": max_borrowable,
    "/v5/spot-margin-trade/repayment-available-amount": repayment_available,
    "/v5/spot-cross-margin-trade/loan-info": normal_loan_info,
    "/v5/spot-cross-margin-trade/account": normal_loan_account,
    "/v5/spot-cross-margin-trade/orders": normal_loan_orders,
    "/v5/spot-cross-margin-trade/repay-history": normal_loan_orders,
}
PUBLIC_ROUTES = {
    "/v5/spot-margin-trade/data": vip_margin_data,
    "/v5/spot-margin-trade/collateral": tiered_collateral_ratio,
    "/v5/spot-margin-trade/position-tiers": position_tiers,
    "/v5/spot-margin-trade/coinstate": coin_state,
    "/v5/spot-margin-trade/currency-data": currency_data,
    "/v5/spot-cross-margin-trade/data": normal_vip_margin_data,
    "/v5/spot-cross-margin-trade/pledge-token": normal_coin_list,
    "/v5/spot-cross-margin-trade/borrow-token": normal_coin_list,
}
