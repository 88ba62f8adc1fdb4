"""Bybit's JSON shapes for account history rows: closed PnL, executions, transaction-log rows.

Numbers are strings (8 decimals at most, no trailing zeros), empty values are "", times are
millisecond strings; `seq` and `isMaker` keep their JSON types (REFERENCE §3).
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.exchange_sim.ledger_records import CashEntry, Trip, stable_id
from desktop_app.exchange_sim.render import num

_ZERO = Decimal(0)


def closed_pnl_row(trip: Trip) -> dict[str, object]:
    close_side = "Sell" if trip.sign > 0 else "Buy"
    return {
        "symbol": trip.symbol, "orderType": "Market", "leverage": num(trip.leverage),
        "updatedTime": str(trip.close_ms), "side": close_side,
        "orderId": stable_id("order", trip.trip_id, "close"),
        "closedPnl": num(trip.closed_pnl), "avgEntryPrice": num(trip.entry), "qty": num(trip.qty),
        "cumEntryValue": num(trip.value(trip.entry)), "createdTime": str(trip.close_ms),
        "orderPrice": num(trip.exit), "closedSize": num(trip.qty), "avgExitPrice": num(trip.exit),
        "execType": "Trade", "fillCount": "1", "cumExitValue": num(trip.value(trip.exit)),
    }


def execution_row(trip: Trip, leg: str) -> dict[str, object]:
    """`leg` is "open" or "close"."""
    opening = leg == "open"
    price = trip.entry if opening else trip.exit
    side = trip.side if opening else ("Sell" if trip.sign > 0 else "Buy")
    time_ms = trip.open_ms if opening else trip.close_ms
    return {
        "symbol": trip.symbol, "orderType": "Market", "underlyingPrice": "", "orderLinkId": "", "side": side,
        "indexPrice": "", "orderId": stable_id("order", trip.trip_id, leg), "stopOrderType": "UNKNOWN",
        "leavesQty": "0", "execTime": str(time_ms), "feeCurrency": "", "isMaker": False,
        "execFee": num(trip.open_fee if opening else trip.close_fee), "feeRate": "0.00055",
        "execId": stable_id("fill", trip.trip_id, leg), "tradeIv": "", "blockTradeId": "",
        "markPrice": num(price), "execPrice": num(price), "markIv": "", "orderQty": num(trip.qty),
        "orderPrice": num(price), "execValue": num(trip.value(price)), "execType": "Trade",
        "execQty": num(trip.qty), "closedSize": "0" if opening else num(trip.qty),
        "seq": int(stable_id("seq", trip.trip_id, leg).replace("-", "")[:10], 16) % 10**10,
        "createType": "CreateByUser",
    }


def row_id(uid: int, entry: CashEntry) -> str:
    return f"{uid}_{entry.symbol}_{int(entry.trade_id.replace('-', '')[:12], 16)}"


def transaction_row(uid: int, entry: CashEntry, balance: Decimal, *, classic: bool) -> dict[str, object]:
    """A transaction-log row. The classic (contract) log writes funding with the opposite sign
    (positive: paid) and change = cashFlow − funding − fee; the cash effect is the same."""
    settlement = entry.kind == "SETTLEMENT"
    funding = (-entry.funding if classic else entry.funding) if settlement else None
    return {
        "id": row_id(uid, entry), "symbol": entry.symbol, "category": entry.category, "side": entry.side,
        "transactionTime": str(entry.time_ms), "type": entry.kind, "transSubType": "", "qty": num(entry.qty),
        "size": num(entry.size_after), "currency": entry.currency, "tradePrice": num(entry.price),
        "funding": "" if funding is None else num(funding),
        "fee": ("" if classic else "0") if settlement else num(entry.fee),
        "cashFlow": num(entry.cash_flow), "change": num(entry.change), "cashBalance": num(balance),
        "feeRate": num(entry.fee_rate), "bonusChange": "", "tradeId": entry.trade_id,
        "orderId": entry.order_id, "orderLinkId": "",
    }


_CHAINS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # coin -> (chain, chainType, withdraw fee, min withdraw)
    "BTC": (("BTC", "BTC", "0.0002", "0.001"),),
    "ETH": (("ETH", "ETH", "0.0012", "0.002"), ("ARBI", "Arbitrum One", "0.0001", "0.0002")),
    "USDT": (("ETH", "ERC20", "5", "10"), ("TRX", "TRC20", "1", "10"), ("SOL", "SOL", "1", "5")),
    "USDC": (("ETH", "ERC20", "5", "10"), ("SOL", "SOL", "1", "5")),
}


def coin_info_row(coin: str) -> dict[str, object]:
    chains = _CHAINS.get(coin, ((coin, coin, "0.1", "1"),))
    return {
        "name": coin, "coin": coin, "remainAmount": "1000000",
        "chains": [{"chainType": chain_type, "confirmation": "12", "withdrawFee": fee, "depositMin": "0",
                    "withdrawMin": minimum, "chain": chain, "chainDeposit": "1", "chainWithdraw": "1",
                    "minAccuracy": "8", "withdrawPercentageFee": "0", "contractAddress": "",
                    "safeConfirmNumber": "6"} for chain, chain_type, fee, minimum in chains],
    }
