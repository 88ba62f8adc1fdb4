"""Scenario builders for the copy-trading tests: small, explicit, with the article's 0.06% fee."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from desktop_app.copytrade import (
    Action,
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    QtyRules,
    Scenario,
)
from desktop_app.domain.market import Side

FEE = D("0.0006")  # at 10x: long factor 2·0.0006·10 + 1 − 0.0006 = 1.0114, short 1.0126


def op(time: str | int, qty: str, price: str, follower_price: str | None = None) -> MasterOrder:
    return MasterOrder(time, Action.OPEN, D(qty), D(price), D(follower_price or price))


def cl(time: str | int, qty: str, price: str, follower_price: str | None = None) -> MasterOrder:
    return MasterOrder(time, Action.CLOSE, D(qty), D(price), D(follower_price or price))


def advanced(*orders: MasterOrder, side: Side = Side.LONG, step: str = "0.0001", min_qty: str = "0.001",
             **follower: object) -> Scenario:
    """Advanced mode, 100 USDT fixed margin at 10x, 1,000 USDT follower balance unless overridden."""
    settings = FollowerSettings(available_balance_usdt=D(1000), leverage=D(10), fixed_margin_usdt=D(100))
    return Scenario(
        symbol="BTCUSDT", side=side, mode=CopyMode.ADVANCED,
        rules=QtyRules(qty_step=D(step), min_qty=D(min_qty)),
        master=MasterSettings(available_balance_usdt=D(1_000_000), leverage=D(10)),
        follower=replace(settings, **follower),  # type: ignore[arg-type]
        orders=orders, taker_fee=FEE,
    )


def smart(*orders: MasterOrder, master_balance: str, master_leverage: str, follower_balance: str,
          follower_leverage: str = "10", step: str = "0.001", min_qty: str = "0.001") -> Scenario:
    return Scenario(
        symbol="BTCUSDT", side=Side.LONG, mode=CopyMode.SMART,
        rules=QtyRules(qty_step=D(step), min_qty=D(min_qty)),
        master=MasterSettings(available_balance_usdt=D(master_balance), leverage=D(master_leverage)),
        follower=FollowerSettings(available_balance_usdt=D(follower_balance), leverage=D(follower_leverage)),
        orders=orders, taker_fee=FEE,
    )
