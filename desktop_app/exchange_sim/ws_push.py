"""What the stream server pushes, computed from the simulator's state: ticker rows at the current
price clock, and the private rows (position, execution, order, wallet) that follow a fill."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import numpy as np

from desktop_app.exchange_sim import render
from desktop_app.exchange_sim import ws_messages as msg
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.context import RequestContext
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.klines import CandleMaker
from desktop_app.exchange_sim.prices import PriceModel
from desktop_app.exchange_sim.valuation import value_account
from desktop_app.exchange_sim.ws_trading import Fill, execution_row, order_row


class StreamSource(Protocol):
    """What the streams need from the simulator (the `Simulator` object provides it)."""

    model: PriceModel
    candles: CandleMaker
    accounts: tuple[SimAccount, ...]

    def now_ms(self) -> int: ...
    def server_time_ms(self) -> int: ...
    def replace_account(self, account: SimAccount) -> None: ...


def market_context(source: StreamSource, now_ms: int) -> RequestContext:
    """The context a REST market handler would see at `now_ms`, prices computed once."""
    prices: list[np.ndarray] = []

    def coin_prices() -> np.ndarray:
        if not prices:
            prices.append(source.model.prices_at(now_ms))
        return prices[0]

    def mark_of(symbol: str) -> Decimal:
        inst = CATALOGUE[symbol]
        return inst.round_price(Decimal(repr(float(coin_prices()[source.model.index[inst.base_coin]]))))

    def price_of_coin(coin: str) -> float:
        return float(coin_prices()[source.model.index[coin]])

    return RequestContext({}, None, now_ms, source.server_time_ms(), mark_of, price_of_coin, source.model,
                          source.candles, None)


class TickerFeed:
    """Current WS ticker rows per symbol, with Bybit's tickDirection kept across updates."""

    def __init__(self, source: StreamSource) -> None:
        self._source = source
        self._last: dict[str, tuple[Decimal, str]] = {}  # symbol -> (last price, tick direction)

    def rows(self, symbols: set[str], now_ms: int) -> dict[str, dict[str, str]]:
        ctx = market_context(self._source, now_ms)
        out: dict[str, dict[str, str]] = {}
        for symbol in sorted(symbols):
            inst = CATALOGUE[symbol]
            last = ctx.mark_of(symbol)
            previous, direction = self._last.get(symbol, (None, "ZeroPlusTick"))
            direction = msg.tick_direction(previous, last, direction)
            self._last[symbol] = (last, direction)
            out[symbol] = msg.ws_ticker_row(ctx, inst, direction)
        return out


def fill_pushes(source: StreamSource, account: SimAccount, fill: Fill, *, order_id: str, exec_id: str,
                seq: int) -> list[tuple[str, list[dict[str, object]]]]:
    """(topic, rows) in Bybit's order after a fill: order, execution, position, wallet."""
    now_ms = source.now_ms()
    ctx = market_context(source, now_ms)
    mark = ctx.mark_of(fill.symbol)
    inst = CATALOGUE[fill.symbol]
    valued = value_account(account, ctx.mark_of)
    if fill.position is None:
        rest_row = render.empty_position_row(inst, mark, fill.position_idx, now_ms)
    else:
        p = next(v for v in valued.positions if v.spec == fill.position)
        rest_row = render.position_row(p, account, now_ms)
    wallet = render.contract_wallet(valued) if account.classic else render.unified_wallet(valued)
    server_ms = source.server_time_ms()
    return [
        ("order", [order_row(fill, order_id=order_id, time_ms=server_ms)]),
        ("execution", [execution_row(fill, order_id=order_id, exec_id=exec_id, exec_time_ms=server_ms,
                                     seq=seq, mark=mark)]),
        ("position", [msg.ws_position_row(rest_row, inst.category)]),
        ("wallet", [wallet]),
    ]
