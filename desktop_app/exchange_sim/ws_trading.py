"""Position changes for the simulator: a market fill opens, grows, reduces, closes or flips a position.

`apply_fill` is pure (account in, account and fill out); the stream server applies it to the running
simulator and pushes the resulting `position`, `execution`, `order` and `wallet` messages. Realised
PnL and the taker fee go to the settle coin's wallet balance, as on Bybit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from desktop_app.exchange_sim.accounts import SimAccount, SimPosition
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.render import num
from desktop_app.exchange_sim.valuation import TAKER_FEE_RATE

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Fill:
    symbol: str
    category: str
    side: str                   # "Buy" | "Sell": the order's side
    qty: Decimal                # base coin (linear) or USD contracts (inverse)
    price: Decimal
    position_idx: int
    closed_size: Decimal        # part of qty that reduced an existing position
    exec_pnl: Decimal           # settle coin, before fee
    fee: Decimal                # settle coin
    settle_coin: str
    position: SimPosition | None  # the position after the fill; None when closed


def _opposite(side: str) -> str:
    return "Sell" if side == "Buy" else "Buy"


def _leg_side(side: str, position_idx: int, held: SimPosition | None) -> str:
    """The side of the position a fill lands on: hedge legs are fixed (1 long, 2 short)."""
    if position_idx == 1:
        return "Buy"
    if position_idx == 2:
        return "Sell"
    return held.side if held is not None else side


def apply_fill(account: SimAccount, symbol: str, side: str, qty: Decimal, price: Decimal, *,
               position_idx: int = 0, leverage: Decimal = Decimal(10)) -> tuple[SimAccount, Fill]:
    """The account after a market order of `qty` on `side` filled at `price`.

    One-way mode (idx 0): same side grows the position (average entry), the other side reduces,
    closes or flips it. Hedge mode: idx 1 is the long leg, idx 2 the short leg; an order on the
    leg's own side grows it, the other side reduces it (never below zero).
    May raise: KeyError (unknown symbol), ValueError (bad side, qty or price, over-closing a hedge leg).
    """
    inst = CATALOGUE[symbol]
    if side not in ("Buy", "Sell") or qty <= 0 or price <= 0 or position_idx not in (0, 1, 2):
        raise ValueError("side must be Buy/Sell, qty and price positive, position_idx 0, 1 or 2")
    held = next((p for p in account.positions if p.symbol == symbol and p.position_idx == position_idx), None)
    leg = _leg_side(side, position_idx, held)
    inverse = inst.inverse
    new_pos: SimPosition | None
    closed = ZERO
    pnl = ZERO
    if held is None or side == held.side:
        if held is None and position_idx != 0 and side != leg:
            raise ValueError("nothing to reduce on this hedge leg")
        if held is None:
            new_pos = SimPosition(symbol, side, qty, price, leverage, position_idx)
        else:
            size = held.size + qty
            if inverse:  # inverse entries average harmonically: contracts / sum(contracts / price)
                entry = size / (held.size / held.entry_price + qty / price)
            else:
                entry = (held.size * held.entry_price + qty * price) / size
            new_pos = replace(held, size=size, entry_price=inst.round_price(entry))
    else:
        closed = min(qty, held.size)
        if position_idx != 0 and qty > held.size:
            raise ValueError("a hedge leg cannot be reduced below zero")
        per_unit = (1 / held.entry_price - 1 / price) if inverse else (price - held.entry_price)
        pnl = closed * per_unit * held.side_sign
        rest = held.size - qty
        if rest > 0:
            new_pos = replace(held, size=rest)
        elif rest == 0:
            new_pos = None
        else:
            new_pos = SimPosition(symbol, side, -rest, price, held.leverage, position_idx)
    fee = (qty / price if inverse else qty * price) * TAKER_FEE_RATE
    realised = pnl - fee
    if new_pos is not None:
        new_pos = replace(new_pos, cum_realised_pnl=new_pos.cum_realised_pnl + realised)
    others = tuple(p for p in account.positions if p is not held)
    positions = others if new_pos is None else (*others, new_pos)
    coin = inst.settle_coin
    wallet = account.wallet if any(c == coin for c, _ in account.wallet) else (*account.wallet, (coin, ZERO))
    wallet = tuple((c, amount + realised if c == coin else amount) for c, amount in wallet)
    fill = Fill(symbol, inst.category, side, qty, price, position_idx, closed, pnl, fee, coin, new_pos)
    return replace(account, positions=positions, wallet=wallet), fill


def execution_row(fill: Fill, *, order_id: str, exec_id: str, exec_time_ms: int, seq: int,
                  mark: Decimal) -> dict[str, object]:
    """One item of an `execution` message (ws_execution.json's fields)."""
    value = fill.qty / fill.price if CATALOGUE[fill.symbol].inverse else fill.qty * fill.price
    return {
        "category": fill.category, "symbol": fill.symbol, "closedSize": num(fill.closed_size),
        "execFee": num(fill.fee), "execId": exec_id, "execPrice": str(fill.price), "execQty": num(fill.qty),
        "execType": "Trade", "execValue": num(value), "feeRate": str(TAKER_FEE_RATE), "tradeIv": "",
        "markIv": "", "blockTradeId": "", "markPrice": str(mark), "indexPrice": "", "underlyingPrice": "",
        "leavesQty": "0", "orderId": order_id, "orderLinkId": "", "orderPrice": str(fill.price),
        "orderQty": num(fill.qty), "orderType": "Market", "stopOrderType": "UNKNOWN", "side": fill.side,
        "execTime": str(exec_time_ms), "isLeverage": "0", "isMaker": False, "seq": seq, "marketUnit": "",
        "execPnl": num(fill.exec_pnl), "createType": "CreateByUser", "extraFees": [],
        "feeCurrency": fill.settle_coin,
    }


def order_row(fill: Fill, *, order_id: str, time_ms: int) -> dict[str, object]:
    """One item of an `order` message for the filled market order (ws_order.json's main fields)."""
    return {
        "symbol": fill.symbol, "orderId": order_id, "side": fill.side, "orderType": "Market",
        "cancelType": "UNKNOWN", "price": str(fill.price), "qty": num(fill.qty), "orderIv": "",
        "timeInForce": "IOC", "orderStatus": "Filled", "orderLinkId": "", "lastPriceOnCreated": "",
        "reduceOnly": False, "leavesQty": "0", "leavesValue": "0", "cumExecQty": num(fill.qty),
        "cumExecValue": num(fill.qty * fill.price), "avgPrice": str(fill.price), "blockTradeId": "",
        "positionIdx": fill.position_idx, "cumExecFee": num(fill.fee), "closedPnl": num(fill.exec_pnl),
        "createdTime": str(time_ms), "updatedTime": str(time_ms), "rejectReason": "EC_NoError",
        "stopOrderType": "", "tpslMode": "", "triggerPrice": "", "takeProfit": "", "stopLoss": "",
        "tpTriggerBy": "", "slTriggerBy": "", "tpLimitPrice": "", "slLimitPrice": "", "triggerDirection": 0,
        "triggerBy": "", "closeOnTrigger": False, "category": fill.category, "placeType": "",
        "smpType": "None", "smpGroup": 0, "smpOrderId": "", "feeCurrency": "",
        "cumFeeDetail": {fill.settle_coin: num(fill.fee)},
    }
