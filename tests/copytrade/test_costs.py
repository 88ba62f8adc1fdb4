"""Order cost and the quantity solve, against Bybit's own example and as properties."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.copytrade import cost_factor, order_cost, qty_for_budget
from desktop_app.copytrade.costs import floor_to_step
from desktop_app.domain.market import Side


def test_bybit_order_cost_example() -> None:
    # REFERENCE §8.5: 1 BTC long @ 50,000, 10x, taker 0.055% → 5,000 + 27.5 + 24.75 = 5,052.25
    assert order_cost(Side.LONG, D(1), D(50000), D(10), D("0.00055")) == D("5052.25")
    # short closes at the higher bankruptcy price: 50,000 × 1.1 × 0.00055 = 30.25 → 5,057.75
    assert order_cost(Side.SHORT, D(1), D(50000), D(10), D("0.00055")) == D("5057.75")


def test_factors_match_the_article_bracket() -> None:
    # the article's long bracket 0.0012 × L + 0.9994 with f = 0.0006
    assert cost_factor(Side.LONG, D(10), D("0.0006")) == D("1.0114")
    assert cost_factor(Side.LONG, D(25), D("0.0006")) == D("0.0012") * 25 + D("0.9994")
    # short: 2fL + 1 + f = 0.012 + 1.0006
    assert cost_factor(Side.SHORT, D(10), D("0.0006")) == D("1.0126")


def test_floor_to_step_is_exact_on_a_boundary() -> None:
    # 1 / 3 × 1.5 = 0.5 exactly; a rounded 1/3 would give 0.4999… → 0.499
    assert floor_to_step(D("1.5"), D(3), D("0.001")) == D("0.5")
    assert floor_to_step(D("1.4999"), D(3), D("0.001")) == D("0.499")


@settings(max_examples=300, deadline=None)
@given(
    side=st.sampled_from(list(Side)),
    budget=st.decimals(min_value=D("0.01"), max_value=D(1_000_000), places=2),
    price=st.decimals(min_value=D("0.0001"), max_value=D(200_000), places=4),
    leverage=st.integers(min_value=1, max_value=125),
    fee=st.decimals(min_value=D(0), max_value=D("0.002"), places=5),
    step=st.sampled_from([D("0.001"), D("0.01"), D("1"), D("0.0001")]),
)
def test_qty_for_budget_is_the_largest_affordable_step(
    side: Side, budget: D, price: D, leverage: int, fee: D, step: D
) -> None:
    lev = D(leverage)
    qty = qty_for_budget(side, budget, price, lev, fee, step)
    assert qty >= 0 and qty % step == 0
    assert order_cost(side, qty, price, lev, fee) <= budget
    assert order_cost(side, qty + step, price, lev, fee) > budget
