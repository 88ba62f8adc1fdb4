"""Private /v5/asset/* balance queries and the settlement and delivery records, derived from the
account's wallet (the same valuation as wallet-balance) and its ledger.

Wallets: a unified account's coins are in UNIFIED, a classic account's in CONTRACT; the funding
wallet (FUND) and a classic account's SPOT wallet hold nothing. Amounts that can move are
balances.transferable, the figure /v5/account/withdrawal gives.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.balances import transferable, wallet_balances
from desktop_app.exchange_sim.context import ApiError, RequestContext
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ledger import DAY_MS
from desktop_app.exchange_sim.render import num
from desktop_app.exchange_sim.routes_account_extra import UTA_ONLY, account_of, coin_list
from desktop_app.exchange_sim.routes_history import COINS, newest_first_page, window
from desktop_app.exchange_sim.valuation import value_account

MONTH_MS = 30 * DAY_MS
CLASSIC_ONLY = (100028, "The API cannot be accessed by unified account users.")


def account_types(account: SimAccount) -> tuple[str, ...]:
    """The wallets an account has (Bybit's get-member-type order); the first holds its coins."""
    return ("CONTRACT", "SPOT", "FUND") if account.classic else ("UNIFIED", "CONTRACT", "FUND")


def _member(ctx: RequestContext, account: SimAccount, name: str = "memberId") -> None:
    """A master key may name a sub-account; the simulator's masters have none. May raise: 10001."""
    member = ctx.get(name)
    if member is not None and member != str(account.uid):
        raise ApiError(10001, f"params error: {name} is not this account or one of its sub-accounts")


def _wallet(ctx: RequestContext, account: SimAccount, name: str) -> tuple[str, dict[str, Decimal],
                                                                           dict[str, Decimal]]:
    """(account type, wallet balance by coin, transferable by coin) of the wallet named by `name`."""
    kind = ctx.get(name)
    if kind is None:
        raise ApiError(10001, f"params error: {name} is required")
    if kind not in account_types(account):
        raise ApiError(10001, f"params error: {name} invalid")
    if kind != account_types(account)[0]:
        return kind, {}, {}
    valued = value_account(account, ctx.mark_of)
    return kind, wallet_balances(valued), transferable(valued)


def coins_balance(ctx: RequestContext) -> dict[str, object]:
    account = account_of(ctx)
    _member(ctx, account)
    kind, wallet, free = _wallet(ctx, account, "accountType")
    coins = coin_list(ctx, "coin", required=kind == "UNIFIED", most=10 if kind == "UNIFIED" else 1000)
    bonus = "0" if ctx.get("withBonus") == "1" else ""
    return {"memberId": str(account.uid), "accountType": kind, "balance": [
        {"coin": c, "walletBalance": num(wallet.get(c, Decimal(0))),
         "transferBalance": num(free.get(c, Decimal(0))), "bonus": bonus}
        for c in (coins or list(wallet))]}


def coin_balance(ctx: RequestContext) -> dict[str, object]:
    account = account_of(ctx)
    _member(ctx, account)
    _member(ctx, account, "toMemberId")
    kind, wallet, free = _wallet(ctx, account, "accountType")
    if ctx.get("toAccountType") is not None:
        _wallet(ctx, account, "toAccountType")
    coin = coin_list(ctx, "coin", required=True, most=1)[0]
    transfer = num(free.get(coin, Decimal(0)))
    return {"accountType": kind, "bizType": 1, "accountId": str(account.uid), "memberId": str(account.uid),
            "balance": {"coin": coin, "walletBalance": num(wallet.get(coin, Decimal(0))),
                        "transferBalance": transfer, "bonus": "0" if ctx.get("withBonus") == "1" else "",
                        "transferSafeAmount": transfer if ctx.get("withTransferSafeAmount") == "1" else "",
                        "ltvTransferSafeAmount": transfer if ctx.get("withLtvTransferSafeAmount") == "1"
                        else ""}}


def spot_asset_info(ctx: RequestContext) -> dict[str, object]:
    """A classic account's SPOT wallet (empty in the simulator)."""
    account = account_of(ctx)
    if not account.classic:
        raise ApiError(*CLASSIC_ONLY)
    if ctx.get("accountType") != "SPOT":
        raise ApiError(10001, "params error: accountType only support SPOT")
    return {"spot": {"status": "ACCOUNT_STATUS_NORMAL", "assets": []}}


def withdrawable_amount(ctx: RequestContext) -> dict[str, object]:
    account = account_of(ctx)
    coin = coin_list(ctx, "coin", required=True, most=1)[0]

    def entry(amount: Decimal) -> dict[str, str]:
        return {"coin": coin, "withdrawableAmount": num(amount), "availableBalance": num(amount)}

    if account.classic:
        wallets = {"SPOT": entry(Decimal(0)), "FUND": entry(Decimal(0))}
    else:
        free = transferable(value_account(account, ctx.mark_of))
        wallets = {"FUND": entry(Decimal(0)), "UTA": entry(free.get(coin, Decimal(0)))}
    return {"limitAmountUsd": "0", "withdrawableAmount": wallets}


def asset_overview(ctx: RequestContext) -> dict[str, object]:
    """Total equity per wallet in USD: the unified wallet's totalEquity and coin equities. Bybit's
    overview account types have no classic derivatives wallet, so classic accounts are refused."""
    account = account_of(ctx)
    if account.classic:
        raise ApiError(*UTA_ONLY)
    _member(ctx, account)
    valued = value_account(account, ctx.mark_of)
    total = num(valued.totals.equity, 2)
    return {"totalEquity": total, "list": [{
        "totalEquity": total, "valuationCurrency": "USD", "accountType": "UnifiedTradingAccount",
        "coinDetail": [{"equity": num(c.equity), "coin": c.coin} for c in valued.coins],
        "snapshotTime": str(ctx.now_ms)}]}


def transfer_coin_list(ctx: RequestContext) -> dict[str, object]:
    account = account_of(ctx)
    kinds = account_types(account)
    source, target = ctx.get("fromAccountType"), ctx.get("toAccountType")
    if source is None or target is None:
        raise ApiError(10001, "params error: fromAccountType and toAccountType are required")
    if source not in kinds or target not in kinds or source == target:
        raise ApiError(10001, "params error: fromAccountType or toAccountType invalid")
    return {"list": list(COINS)}


def settlement_record(ctx: RequestContext) -> dict[str, object]:
    """USDC perpetual session settlements, newest first: the ledger's SETTLEMENT rows of USDC-settled
    symbols, whose session PnL (the log's cashFlow) is realised at the mark, the new session price."""
    account = account_of(ctx)
    if ctx.get("category") != "linear" or ctx.ledgers is None:
        raise ApiError(10001, "params error: category only support linear")
    symbol = (ctx.get("symbol") or "").upper() or None
    limit = ctx.history_limit(20, 50)
    start, end = window(ctx, MONTH_MS, MONTH_MS)
    rows = []
    for entry, _ in ctx.ledgers.ledger(account).cash_rows(start, end, ctx.now_ms):
        if entry.kind != "SETTLEMENT" or CATALOGUE[entry.symbol].settle_coin != "USDC" or \
                (symbol and entry.symbol != symbol):
            continue
        rows.append((entry.time_ms, entry.trade_id, {
            "realisedPnl": num(entry.cash_flow), "symbol": entry.symbol, "side": entry.side,
            "markPrice": num(entry.price), "size": num(entry.qty), "createdTime": str(entry.time_ms),
            "sessionAvgPrice": num(entry.price)}))
    rows.sort(key=lambda r: (-r[0], r[1]))
    page, cursor = newest_first_page(rows, lambda r: (r[0], r[1]), ctx.get("cursor"), limit)
    return {"nextPageCursor": cursor, "category": "linear", "list": [r[2] for r in page]}


def delivery_record(ctx: RequestContext) -> dict[str, object]:
    """Futures and option deliveries: the simulator trades perpetuals only."""
    account = account_of(ctx)
    allowed = ("linear", "option") if account.classic else ("inverse", "linear", "option")
    category = ctx.get("category")
    if category not in allowed:
        raise ApiError(10001, "params error: Category is invalid")
    ctx.int_param("limit", 20, 1, 50)
    window(ctx, MONTH_MS, MONTH_MS)
    return {"nextPageCursor": "", "category": category, "list": []}


ROUTES = {
    "/v5/asset/transfer/query-account-coins-balance": coins_balance,
    "/v5/asset/transfer/query-account-coin-balance": coin_balance,
    "/v5/asset/transfer/query-asset-info": spot_asset_info,
    "/v5/asset/withdraw/withdrawable-amount": withdrawable_amount,
    "/v5/asset/asset-overview": asset_overview,
    "/v5/asset/transfer/query-transfer-coin-list": transfer_coin_list,
    "/v5/asset/settlement-record": settlement_record,
    "/v5/asset/delivery-record": delivery_record,
}
UID_LIMITS = {"/v5/asset/transfer/query-asset-info": 1, "/v5/asset/transfer/query-transfer-coin-list": 1}
