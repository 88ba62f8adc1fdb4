"""Invariants of any replay: balances never go negative, quantities respect the lot rules."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.copytrade import (
    Action,
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    QtyRules,
    Scenario,
    replay,
)
from desktop_app.domain.market import Side

_price = st.decimals(min_value=D(100), max_value=D(1000), places=1)
_order = st.tuples(st.booleans(), st.decimals(min_value=D("0.1"), max_value=D(5), places=1), _price,
                   st.decimals(min_value=D("0.99"), max_value=D("1.01"), places=4))


@settings(max_examples=200, deadline=None)
@given(
    mode=st.sampled_from(list(CopyMode)),
    side=st.sampled_from(list(Side)),
    raw_orders=st.lists(_order, min_size=1, max_size=12),
    follower_balance=st.decimals(min_value=D(0), max_value=D(5000), places=2),
    fixed_margin=st.decimals(min_value=D(1), max_value=D(500), places=2),
    cap=st.decimals(min_value=D(1), max_value=D(3000), places=0),
    copyguard=st.booleans(),
)
def test_replay_invariants(mode: CopyMode, side: Side, raw_orders: list[tuple[bool, D, D, D]],
                           follower_balance: D, fixed_margin: D, cap: D, copyguard: bool) -> None:
    held = D(0)
    orders = []
    for i, (is_close, qty, price, drift) in enumerate(raw_orders):
        if is_close and held > 0:
            qty = min(qty, held)
            held -= qty
            action = Action.CLOSE
        else:
            held += qty
            action = Action.OPEN
        orders.append(MasterOrder(i, action, qty, price, (price * drift).quantize(D("0.1"))))
    scenario = Scenario(
        symbol="ETHUSDT", side=side, mode=mode, rules=QtyRules(D("0.01"), D("0.01")),
        master=MasterSettings(D(1_000_000), D(10)),
        follower=FollowerSettings(follower_balance, D(5), fixed_margin, D("0.005"), cap, copyguard),
        orders=tuple(orders), taker_fee=D("0.00055"),
    )
    result = replay(scenario)
    for r in result.results:
        assert r.follower_balance_usdt >= 0
        assert r.follower_qty_held >= 0
        if r.copied and r.order.action is Action.OPEN:
            assert r.follower_qty >= D("0.01") and r.follower_qty % D("0.01") == 0
            assert r.follower_cost_usdt > 0
        if not r.copied:
            assert r.reason is not None and r.follower_qty == 0
    assert result.summary.follower_qty == result.results[-1].follower_qty_held
