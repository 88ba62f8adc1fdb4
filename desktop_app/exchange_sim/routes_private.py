"""Private endpoints: positions, wallet, account info, API-key info and fee rates."""

from __future__ import annotations

from desktop_app.exchange_sim import render
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.context import ApiError, RequestContext, paginate
from desktop_app.exchange_sim.instruments import CATALOGUE, instruments_of
from desktop_app.exchange_sim.valuation import MAKER_FEE_RATE, TAKER_FEE_RATE, value_account

# Per-UID requests per rolling second (REFERENCE §5).
UID_LIMITS: dict[str, int] = {
    "/v5/position/list": 50,
    "/v5/account/wallet-balance": 50,
    "/v5/account/info": 50,
    "/v5/user/query-api": 10,
    "/v5/account/fee-rate": 5,
    "/v5/position/closed-pnl": 50,
    "/v5/execution/list": 50,
    "/v5/account/transaction-log": 25,
    "/v5/account/contract-transaction-log": 25,
    "/v5/asset/coin/query-info": 5,
}


def _account(ctx: RequestContext) -> SimAccount:
    if ctx.account is None:   # the app authenticates before dispatching; this guards misuse
        raise ApiError(10003, "API key is invalid.")
    return ctx.account


def position_list(ctx: RequestContext) -> dict[str, object]:
    account = _account(ctx)
    category = ctx.get("category")
    if category not in ("linear", "inverse", "option"):
        raise ApiError(10001, "params error: category only support linear, inverse, option")
    symbol = (ctx.get("symbol") or "").upper() or None
    settle_coin = (ctx.get("settleCoin") or "").upper() or None
    if category == "linear" and symbol is None and settle_coin is None:
        raise ApiError(10001, "Missing symbol or settleCoin")
    limit = ctx.page_limit(20, 200)
    if category == "option":
        return {"list": [], "nextPageCursor": "", "category": "option"}
    if symbol is not None and (symbol not in CATALOGUE or CATALOGUE[symbol].category != category):
        raise ApiError(10001, "params error: symbol invalid")
    valued = value_account(account, ctx.mark_of)
    rows: list[tuple[str, int, dict[str, object]]] = []
    for p in valued.positions:
        inst = p.instrument
        if inst.category != category or (symbol and inst.symbol != symbol):
            continue
        if symbol is None and settle_coin and inst.settle_coin != settle_coin:
            continue
        rows.append((inst.symbol, p.spec.position_idx, render.position_row(p, account, ctx.now_ms)))
    if symbol is not None and not rows:
        # A symbol query answers even without a position: one empty row (REFERENCE §4.2).
        empty = render.empty_position_row(CATALOGUE[symbol], ctx.mark_of(symbol), 0, ctx.now_ms)
        rows.append((symbol, 0, empty))
    rows.sort(key=lambda r: (r[0], r[1]))
    page, cursor = paginate(rows, lambda r: (r[0], r[1]), ctx.get("cursor"), limit, ctx.now_ms)
    return {"list": [r[2] for r in page], "nextPageCursor": cursor, "category": category}


def wallet_balance(ctx: RequestContext) -> dict[str, object]:
    account = _account(ctx)
    account_type = ctx.get("accountType")
    if account.classic:
        if account_type != "CONTRACT":
            raise ApiError(10001, "accountType only support CONTRACT and SPOT for classic account.")
    elif account_type != "UNIFIED":
        raise ApiError(10001, "accountType only support UNIFIED.")
    valued = value_account(account, ctx.mark_of)
    wallet = render.contract_wallet(valued) if account.classic else render.unified_wallet(valued)
    coins_param = ctx.get("coin")
    if coins_param:
        wanted = {c.strip().upper() for c in coins_param.split(",")}
        wallet["coin"] = [c for c in wallet["coin"] if c["coin"] in wanted]  # type: ignore[index, union-attr]
    return {"list": [wallet]}


def account_info(ctx: RequestContext) -> dict[str, object]:
    return render.account_info(_account(ctx))


def query_api(ctx: RequestContext) -> dict[str, object]:
    return render.api_key_info(_account(ctx), ctx.server_ms)


def fee_rate(ctx: RequestContext) -> dict[str, object]:
    _account(ctx)
    category = ctx.get("category")
    if category not in ("spot", "linear", "inverse", "option"):
        raise ApiError(10001, "params error: Category is invalid")
    if category == "option":
        return {"list": [{"baseCoin": c, "takerFeeRate": "0.0003", "makerFeeRate": "0.0003"}
                         for c in ("BTC", "ETH", "SOL")]}
    symbol = (ctx.get("symbol") or "").upper()
    pool = instruments_of("linear" if category == "spot" else category)
    if category == "spot":
        pool = tuple(i for i in pool if i.settle_coin == "USDT")
    chosen = [i for i in pool if not symbol or i.symbol == symbol]
    if symbol and not chosen:
        raise ApiError(10001, "params error: symbol invalid")
    taker, maker = ("0.001", "0.001") if category == "spot" else (str(TAKER_FEE_RATE), str(MAKER_FEE_RATE))
    return {"list": [{"symbol": i.symbol, "takerFeeRate": taker, "makerFeeRate": maker} for i in chosen]}
