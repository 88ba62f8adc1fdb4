"""Private /v5/user/* and /v5/affiliate/* queries besides query-api.

Every simulated account is a master account without sub-accounts, affiliates or referrals. Bybit's
permission rules hold: the sub-member lists need a Wallet permission ("Account Transfer", "Subaccount
Transfer" or "Withdrawal") and the affiliate endpoints the Affiliate one, which no simulated key has;
a key without them gets Bybit's 10005, as /v5/user/query-api's permission lists predict.
"""

from __future__ import annotations

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.render import wallet_permissions
from desktop_app.exchange_sim.routes_account_extra import account_of
from desktop_app.exchange_sim.routes_asset_records import PERMISSION_DENIED


def _with_wallet_permission(ctx: RequestContext) -> SimAccount:
    account = account_of(ctx)
    if not wallet_permissions(account):
        raise ApiError(*PERMISSION_DENIED)
    return account


def sub_members(ctx: RequestContext) -> dict[str, object]:
    _with_wallet_permission(ctx)
    return {"subMembers": []}


def sub_members_paged(ctx: RequestContext) -> dict[str, object]:
    """Both paged sub-member lists; `nextCursor` "0" means no more pages."""
    _with_wallet_permission(ctx)
    ctx.int_param("pageSize", 100, 1, 100)
    return {"subMembers": [], "nextCursor": "0"}


def sub_api_keys(ctx: RequestContext) -> dict[str, object]:
    """Any permission may ask; the sub UID named is not one of this master's (it has none)."""
    account_of(ctx)
    if ctx.get("subMemberId") is None:
        raise ApiError(10001, "params error: subMemberId is required")
    ctx.int_param("limit", 20, 1, 20)
    return {"result": [], "nextPageCursor": ""}


def member_type(ctx: RequestContext) -> dict[str, object]:
    """The caller's wallets in Bybit's documented order; FUND is not shown because it was never used.
    Named sub UIDs are not this master's (it has none), so only the caller is listed."""
    account = account_of(ctx)
    wallets = ["SPOT", "CONTRACT"] if account.classic else ["UNIFIED", "CONTRACT"]
    return {"accounts": [{"uid": str(account.uid), "accountType": wallets}]}


def affiliate_only(ctx: RequestContext) -> dict[str, object]:
    """Affiliate data: only keys with the Affiliate permission, which no simulated key carries."""
    account_of(ctx)
    raise ApiError(*PERMISSION_DENIED)


def friend_referrals(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    status = ctx.get("status")
    if status is not None and status not in ("0", "1"):
        raise ApiError(10001, "params error: status invalid")
    ctx.int_param("size", 20, 1, 100)
    return {"nextCursor": "", "records": []}


ROUTES = {
    "/v5/user/query-sub-members": sub_members,
    "/v5/user/submembers": sub_members_paged,
    "/v5/user/escrow_sub_members": sub_members_paged,
    "/v5/user/sub-apikeys": sub_api_keys,
    "/v5/user/get-member-type": member_type,
    "/v5/user/aff-customer-info": affiliate_only,
    "/v5/affiliate/aff-user-list": affiliate_only,
    "/v5/affiliate/affiliate-sub-list": affiliate_only,
    "/v5/user/invitation/referrals": friend_referrals,
}
UID_LIMITS = {"/v5/user/query-sub-members": 10}
