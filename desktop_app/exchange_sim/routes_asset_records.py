"""Private /v5/asset/* and /v5/fiat/* records of money that moved in or out: transfers, deposits,
withdrawals, conversions, the funding wallet's history, addresses and sub-account lists.

The simulator's accounts were funded before their history starts and never move money, convert
coins, hold fiat or have sub-accounts, so every record list is empty and every address list too — after
Bybit's parameter checks (required fields, time spans, permissions). The deposit coin list is the
one piece of platform data: the chains of coin/query-info.
"""

from __future__ import annotations

from desktop_app.exchange_sim import history_render
from desktop_app.exchange_sim.context import ApiError, RequestContext, paginate
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.render import wallet_permissions
from desktop_app.exchange_sim.routes_account_extra import account_of
from desktop_app.exchange_sim.routes_history import COINS, WEEK_MS, window

MONTH_MS = 30 * DAY_MS
PERMISSION_DENIED = (10005, "Permission denied, please check your API key permissions.")
_CONVERT_WALLETS = {"eb_convert_funding", "eb_convert_uta", "eb_convert_spot", "eb_convert_contract",
                    "eb_convert_inverse"}


def _require(ctx: RequestContext, *names: str) -> None:
    for name in names:
        if ctx.get(name) is None:
            raise ApiError(10001, f"params error: {name} is required")


def _records(ctx: RequestContext, key: str, *, span_ms: int, default_limit: int) -> dict[str, object]:
    account_of(ctx)
    ctx.int_param("limit", default_limit, 1, 50)
    window(ctx, span_ms, span_ms)
    return {key: [], "nextPageCursor": ""}


def internal_transfers(ctx: RequestContext) -> dict[str, object]:
    return _records(ctx, "list", span_ms=WEEK_MS, default_limit=20)


def universal_transfers(ctx: RequestContext) -> dict[str, object]:
    """Needs the SubMemberTransfer permission on a master key (Bybit's 10005 otherwise)."""
    if "SubMemberTransfer" not in wallet_permissions(account_of(ctx)):
        raise ApiError(*PERMISSION_DENIED)
    return _records(ctx, "list", span_ms=WEEK_MS, default_limit=20)


def sub_member_ids(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    return {"subMemberIds": [], "transferableSubMemberIds": []}


def allowed_deposit_coins(ctx: RequestContext) -> dict[str, object]:
    """Public: every chain of every coin coin/query-info lists, `coin` and `chain` given as a pair."""
    coin, chain = (ctx.get("coin") or "").upper(), (ctx.get("chain") or "").upper()
    if bool(coin) != bool(chain):
        raise ApiError(10001, "params error: coin and chain must be passed together")
    rows = []
    for name in COINS:
        for c in history_render.coin_info_row(name)["chains"]:  # type: ignore[attr-defined]
            if coin and (name != coin or c["chain"] != chain):
                continue
            rows.append({"coin": name, "chain": c["chain"], "coinShowName": name, "chainType": c["chainType"],
                         "blockConfirmNumber": int(c["confirmation"]), "minDepositAmount": c["depositMin"]})
    rows.sort(key=lambda r: (r["coin"], r["chain"]))     # the order pages are cut in
    page, cursor = paginate(rows, lambda r: (f"{r['coin']}/{r['chain']}", 0), ctx.get("cursor"),
                            ctx.int_param("limit", 10, 1, 35), 0)
    return {"configList": page, "nextPageCursor": cursor}


def deposit_records(ctx: RequestContext) -> dict[str, object]:
    return _records(ctx, "rows", span_ms=MONTH_MS, default_limit=50)


def sub_deposit_records(ctx: RequestContext) -> dict[str, object]:
    _require(ctx, "subMemberId")
    return _records(ctx, "rows", span_ms=MONTH_MS, default_limit=50)


def internal_deposit_records(ctx: RequestContext) -> dict[str, object]:
    return _records(ctx, "rows", span_ms=MONTH_MS, default_limit=50)


def master_deposit_address(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    _require(ctx, "coin")
    return {"coin": (ctx.get("coin") or "").upper(), "chains": []}


def sub_deposit_address(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    _require(ctx, "coin", "chainType", "subMemberId")
    return {"coin": (ctx.get("coin") or "").upper(), "chains": {}}


def withdrawal_records(ctx: RequestContext) -> dict[str, object]:
    if ctx.get("withdrawType") is not None:
        ctx.int_param("withdrawType", 0, 0, 2)
    return _records(ctx, "rows", span_ms=MONTH_MS, default_limit=50)


def withdrawal_addresses(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    ctx.int_param("addressType", 0, 0, 2)
    ctx.int_param("limit", 50, 1, 50)
    return {"rows": [], "nextPageCursor": ""}


def vasp_list(ctx: RequestContext) -> dict[str, object]:
    """Travel-rule exchanges of the user's compliance zone: none for the simulator's users."""
    account_of(ctx)
    return {"vasp": []}


def exchange_records(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    ctx.int_param("limit", 20, 1, 50)
    return {"orderBody": [], "nextPageCursor": ""}


def _convert_wallet(ctx: RequestContext, *, required: bool) -> None:
    wallets = [w for w in (ctx.get("accountType") or "").split(",") if w]
    if required and not wallets:
        raise ApiError(10001, "params error: accountType is required")
    if any(w not in _CONVERT_WALLETS for w in wallets):
        raise ApiError(10001, "params error: accountType invalid")


def convert_coins(ctx: RequestContext) -> dict[str, object]:
    """Coins open to conversion: the simulator offers no conversion."""
    account_of(ctx)
    _convert_wallet(ctx, required=True)
    return {"coins": []}


def convert_status(ctx: RequestContext) -> dict[str, object]:
    """No quote was ever issued, so any quoteTxId is unknown."""
    account_of(ctx)
    _convert_wallet(ctx, required=True)
    _require(ctx, "quoteTxId")
    raise ApiError(10001, "params error: quoteTxId does not exist")


def convert_history(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    _convert_wallet(ctx, required=False)
    return {"list": []}


def small_balances(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    if ctx.get("accountType") not in ("eb_convert_uta", "eb_convert_funding"):
        raise ApiError(10001, "params error: accountType invalid")
    return {"list": []}


def small_balance_history(ctx: RequestContext) -> dict[str, object]:
    small_balances(ctx)
    return {"list": [], "nextPageCursor": ""}


def funding_wallet_history(ctx: RequestContext) -> dict[str, object]:
    """The funding wallet's log; its times are in seconds, both or neither, 7 days at most."""
    account_of(ctx)
    start = ctx.int_param("createTimeFrom", -1, 0, 2**40)
    end = ctx.int_param("createTimeTo", -1, 0, 2**40)
    if (start < 0) != (end < 0):
        raise ApiError(10001, "params error: createTimeFrom and createTimeTo must be passed together")
    if start >= 0 and not 0 <= end - start <= WEEK_MS // 1000:
        raise ApiError(10001, "params error: the interval between createTimeFrom and createTimeTo cannot "
                              "exceed 7 days")
    ctx.int_param("limit", 10, 1, 100)
    return {"nextPageCursor": "", "list": []}


def fiat_balance(ctx: RequestContext) -> dict[str, object]:
    """Fiat balances (a list-valued result, see app._LIST_RESULT): the accounts hold no fiat."""
    account_of(ctx)
    return {"list": []}


def fiat_pairs(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    if ctx.get("side") not in (None, "0", "1"):
        raise ApiError(10001, "params error: side invalid")
    return {"fiats": [], "cryptos": []}


def fiat_history(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    ctx.int_param("index", 1, 1, 10_000)
    return {"list": []}


def fiat_reference_price(ctx: RequestContext) -> dict[str, object]:
    """A fiat-crypto pair's quotes: the simulator quotes no fiat, so both sides are empty."""
    account_of(ctx)
    fiat, _, crypto = (ctx.get("symbol") or "").upper().partition("-")
    if not fiat or not crypto:
        raise ApiError(10001, "params error: symbol must be a pair such as EUR-USDT")
    return {"symbol": f"{fiat}-{crypto}", "fiat": fiat, "crypto": crypto,
            "timestamp": str(ctx.now_ms // 1000), "buys": [], "sells": []}


def fiat_trade_status(ctx: RequestContext) -> dict[str, object]:
    account_of(ctx)
    if ctx.get("tradeNo") is None and ctx.get("merchantRequestId") is None:
        raise ApiError(10001, "params error: tradeNo or merchantRequestId must be provided")
    raise ApiError(10001, "params error: the trade does not exist")


ROUTES = {
    "/v5/fiat/balance-query": fiat_balance,
    "/v5/fiat/query-coin-list": fiat_pairs,
    "/v5/fiat/query-trade-history": fiat_history,
    "/v5/fiat/reference-price": fiat_reference_price,
    "/v5/fiat/trade-query": fiat_trade_status,
    "/v5/asset/transfer/query-inter-transfer-list": internal_transfers,
    "/v5/asset/transfer/query-universal-transfer-list": universal_transfers,
    "/v5/asset/transfer/query-sub-member-list": sub_member_ids,
    "/v5/asset/deposit/query-record": deposit_records,
    "/v5/asset/deposit/query-sub-member-record": sub_deposit_records,
    "/v5/asset/deposit/query-internal-record": internal_deposit_records,
    "/v5/asset/deposit/query-address": master_deposit_address,
    "/v5/asset/deposit/query-sub-member-address": sub_deposit_address,
    "/v5/asset/withdraw/query-record": withdrawal_records,
    # pybit's path; the docs print /v5/asset/withdraw/address/list for the same list.
    "/v5/asset/withdraw/query-address": withdrawal_addresses,
    "/v5/asset/withdraw/address/list": withdrawal_addresses,
    "/v5/asset/withdraw/vasp/list": vasp_list,
    "/v5/asset/exchange/order-record": exchange_records,
    "/v5/asset/exchange/query-coin-list": convert_coins,
    "/v5/asset/exchange/convert-result-query": convert_status,
    "/v5/asset/exchange/query-convert-history": convert_history,
    "/v5/asset/covert/small-balance-list": small_balances,
    "/v5/asset/covert/small-balance-history": small_balance_history,
    "/v5/asset/fundinghistory": funding_wallet_history,
}
PUBLIC_ROUTES = {"/v5/asset/deposit/query-allowed-list": allowed_deposit_coins}
# Bybit's per-minute limits as per-second ones (60/min -> 1/s, 300/min -> 5/s, 600/min -> 10/s).
UID_LIMITS = {
    "/v5/asset/transfer/query-inter-transfer-list": 1, "/v5/asset/transfer/query-sub-member-list": 1,
    "/v5/asset/transfer/query-universal-transfer-list": 1, "/v5/asset/deposit/query-record": 5,
    "/v5/asset/deposit/query-sub-member-record": 5, "/v5/asset/deposit/query-address": 5,
    "/v5/asset/deposit/query-sub-member-address": 5, "/v5/asset/withdraw/query-record": 5,
    "/v5/asset/exchange/order-record": 10,
}
