"""The worked examples of Bybit's help article on copy-trading discrepancies, as scenarios.

`ARTICLE_ADVANCED` is the article's fixed-margin table (100 USDT per order, 10x, long).
`ARTICLE_MISSED` is its missed-trades table. The article gives no balances or reasons for that one,
so they are chosen here: balances that make Smart Copy place exactly the article's 0.5 and 1 BTC,
row B missed on slippage (0.5% against a 0.1% tolerance) and row C on Copyguard (a worse price).
The master's averages are computed from the orders: 25,000 and 22,857.14 for rows C and D, not the
article's misprinted 13,750 and 13,214.28.
"""

from __future__ import annotations

from decimal import Decimal as D

from desktop_app.copytrade.model import (
    Action,
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    QtyRules,
    Scenario,
)
from desktop_app.domain.market import Side

_ARTICLE_FEE = D("0.0006")  # the article's tables use the old 0.06% taker fee


def _open(time: str, qty: str, price: str, follower_price: str | None = None) -> MasterOrder:
    return MasterOrder(time, Action.OPEN, D(qty), D(price), D(follower_price or price))


ARTICLE_ADVANCED = Scenario(
    symbol="BTCUSDT",
    side=Side.LONG,
    mode=CopyMode.ADVANCED,
    rules=QtyRules(qty_step=D("0.0001"), min_qty=D("0.001")),
    master=MasterSettings(available_balance_usdt=D(100_000), leverage=D(10)),
    follower=FollowerSettings(available_balance_usdt=D(1_000), leverage=D(10), fixed_margin_usdt=D(100)),
    orders=(_open("A", "1", "10000"), _open("B", "3", "20000"), _open("C", "2", "10000")),
    taker_fee=_ARTICLE_FEE,
)

ARTICLE_MISSED = Scenario(
    symbol="BTCUSDT",
    side=Side.LONG,
    mode=CopyMode.SMART,
    rules=QtyRules(qty_step=D("0.001"), min_qty=D("0.001")),
    # Row A: the follower gets 1 × 13,640 / (3,000 + 27,300 − 3,034.2) = 0.50026 → 0.5 BTC.
    # Row D: 1 × 12,122.9 / (1,000 + 12,129 − 1,011.4) = 1.00044 → 1 BTC.
    master=MasterSettings(available_balance_usdt=D(27_300), leverage=D(10)),
    follower=FollowerSettings(available_balance_usdt=D(13_640), leverage=D(10), copyguard=True),
    orders=(
        _open("A", "1", "30000"),
        _open("B", "3", "20000", "20100"),
        _open("C", "2", "30000", "30015"),
        _open("D", "1", "10000"),
    ),
    taker_fee=_ARTICLE_FEE,
)

# Name shown in the dialog and accepted by the CLI → scenario.
PRESETS: dict[str, Scenario] = {
    "article-advanced": ARTICLE_ADVANCED,
    "article-missed": ARTICLE_MISSED,
}
