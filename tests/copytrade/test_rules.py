"""Each skip reason, the rule order, the minimum-quantity rule, short sides and closes."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from desktop_app.copytrade import Reason, ScenarioError, replay
from desktop_app.domain.market import Side
from tests.copytrade.helpers import advanced, cl, op, smart


def reasons(scenario) -> list[Reason | None]:  # type: ignore[no-untyped-def]
    return [r.reason for r in replay(scenario).results]


def test_entry_order_limit_after_400_held_and_reset_by_a_full_close() -> None:
    # price 100: qty = 100 × 10 / (100 × 1.0114) = 9.887… → 9.887; cost ≈ 100 each, 402 orders < 50,000
    orders = [op(i, "1", "100") for i in range(401)] + [cl(401, "401", "100"), op(402, "1", "100")]
    result = replay(advanced(*orders, step="0.001", available_balance_usdt=D(50_000)))
    rows = result.results
    assert all(r.copied for r in rows[:400])
    assert rows[400].reason is Reason.ENTRY_ORDER_LIMIT
    assert "400" in rows[400].explanation
    assert rows[401].copied and rows[401].follower_qty_held == 0
    assert rows[402].copied  # the count restarts once the position is flat


def test_slippage_band_is_inclusive_on_both_sides() -> None:
    # tolerance 0.1% of 100 → 99.90 … 100.10 is accepted
    orders = [op("a", "1", "100", "100.10"), op("b", "1", "100", "99.90"),
              op("c", "1", "100", "100.11"), op("d", "1", "100", "99.89")]
    assert reasons(advanced(*orders)) == [None, None, Reason.SLIPPAGE, Reason.SLIPPAGE]


def test_wider_slippage_tolerance_lets_the_order_through() -> None:
    orders = [op("a", "1", "100", "104.99"), op("b", "1", "100", "105.01")]
    assert reasons(advanced(*orders, slippage_tolerance=D("0.05"))) == [None, Reason.SLIPPAGE]


def test_copyguard_blocks_a_worse_price_only_when_on() -> None:
    # long: 100.05 is worse (higher) than 100 but inside the 0.1% band; 99.95 is better
    orders = [op("a", "1", "100", "100.05"), op("b", "1", "100", "99.95")]
    assert reasons(advanced(*orders, copyguard=True)) == [Reason.COPYGUARD, None]
    assert reasons(advanced(*orders, copyguard=False)) == [None, None]


def test_copyguard_on_a_short_treats_a_lower_price_as_worse() -> None:
    orders = [op("a", "1", "100", "99.95"), op("b", "1", "100", "100.05")]
    assert reasons(advanced(*orders, side=Side.SHORT, copyguard=True)) == [Reason.COPYGUARD, None]


def test_slippage_is_checked_before_copyguard() -> None:
    orders = [op("a", "1", "100", "100.2")]  # 0.2% away and worse: both rules fail
    assert reasons(advanced(*orders, copyguard=True)) == [Reason.SLIPPAGE]


def test_max_position_margin() -> None:
    # each order: qty 1,000 / (100 × 1.0114) = 9.887 (step 0.001); margin 9.887 × 100 / 10 = 98.87
    # second order: 98.87 + 98.87 = 197.74 > 150 cap
    orders = [op("a", "1", "100"), op("b", "1", "100")]
    result = replay(advanced(*orders, step="0.001", max_position_margin_usdt=D(150)))
    assert [r.reason for r in result.results] == [None, Reason.MAX_POSITION_MARGIN]
    assert "197.74" in result.results[1].explanation and "150" in result.results[1].explanation


def test_insufficient_balance_when_even_the_minimum_is_unaffordable() -> None:
    # minimum 0.001 at 10,000: 0.001 × 10,000 × 1.0114 / 10 = 1.0114 USDT > 1 USDT balance
    result = replay(advanced(op("a", "1", "10000"), available_balance_usdt=D(1)))
    assert [r.reason for r in result.results] == [Reason.INSUFFICIENT_BALANCE]
    assert "1.01" in result.results[0].explanation


def test_cost_exceeds_balance_when_the_minimum_would_fit() -> None:
    # qty 0.0988 costs 99.92632 > 50 USDT, while the minimum (1.0114 USDT) would fit
    result = replay(advanced(op("a", "1", "10000"), available_balance_usdt=D(50)))
    assert [r.reason for r in result.results] == [Reason.COST_EXCEEDS_BALANCE]
    assert "99.93" in result.results[0].explanation


def test_max_position_margin_is_checked_before_the_balance() -> None:
    # cap 50 < margin 98.8 and balance 50 < cost 99.93: the cap is named
    scenario = advanced(op("a", "1", "10000"), available_balance_usdt=D(50), max_position_margin_usdt=D(50))
    assert reasons(scenario) == [Reason.MAX_POSITION_MARGIN]


def test_short_side_uses_the_short_factor() -> None:
    # short factor 2 × 0.0006 × 10 + 1 + 0.0006 = 1.0126; 1,000 / (10,000 × 1.0126) = 0.098755… → 0.0987
    # (the long factor 1.0114 would give 0.0988)
    result = replay(advanced(op("a", "1", "10000"), side=Side.SHORT))
    assert result.results[0].follower_qty == D("0.0987")
    # cost 0.0987 × 10,000 × 1.0126 / 10 = 99.94362
    assert result.results[0].follower_cost_usdt == D("99.94362")


def test_short_close_realises_pnl_after_both_fees() -> None:
    result = replay(advanced(op("a", "1", "10000"), cl("b", "1", "9000"), side=Side.SHORT))
    close = result.results[1]
    # gross (10,000 − 9,000) × 0.0987 = 98.7; close fee 0.0987 × 9,000 × 0.0006 = 0.53298;
    # open fee 0.0987 × 10,000 × 0.0006 = 0.5922 → 98.7 − 0.53298 − 0.5922 = 97.57482
    assert close.realised_pnl_usdt == D("97.57482")
    assert close.follower_qty == D("0.0987") and close.follower_qty_held == 0
    assert close.follower_avg_entry is None and close.master_avg_entry is None


def test_partial_close_copies_the_masters_fraction_and_releases_funds() -> None:
    orders = (op("a", "1", "10000"), cl("b", "0.5", "11000"), cl("c", "0.5", "12000"))
    rows = replay(advanced(*orders)).results
    # master closes 0.5 of 1 = 50% → follower closes 50% of 0.0988 = 0.0494
    assert rows[1].follower_qty == D("0.0494") and rows[1].follower_qty_held == D("0.0494")
    assert rows[1].follower_avg_entry == D(10000) and rows[1].master_avg_entry == D(10000)
    # PnL: (11,000 − 10,000) × 0.0494 = 49.4; close fee 0.0494 × 11,000 × 0.0006 = 0.32604;
    # half the open fee 0.0988 × 10,000 × 0.0006 / 2 = 0.2964 → 48.77756
    assert rows[1].realised_pnl_usdt == D("48.77756")
    # balance: 1,000 − 99.92632 = 900.07368; released half of margin 98.8 + close reserve
    # (99.92632 − 98.8 − 0.5928 = 0.53352) = 49.66676; + 49.4 − 0.32604 → 998.8144
    assert rows[1].follower_balance_usdt == D("998.8144")
    assert rows[2].follower_qty == D("0.0494") and rows[2].follower_qty_held == 0


def test_close_without_a_follower_position_is_named() -> None:
    orders = (op("a", "1", "100", "101"), cl("b", "1", "100"))  # 1% slippage: the entry is skipped
    assert reasons(advanced(*orders)) == [Reason.SLIPPAGE, Reason.NO_POSITION]


def test_smart_copy_follows_the_masters_leverage() -> None:
    # master 20x: cost 1 × 1,000 × (2 × 0.0006 × 20 + 1 − 0.0006) / 20 = 1,000 × 1.0234 / 20 = 51.17,
    # margin 50, k = 51.17 / (50 + 10,000 − 51.17) = 51.17 / 9,998.83; budget = k × 5,000
    # qty = budget × 20 / (1,000 × 1.0234) = 5,000 / 9,998.83 = 0.50005… → 0.5
    # (the follower's own 5x would give budget × 5 / (1,000 × 1.0054) = 0.127)
    scenario = smart(op("a", "1", "1000"), master_balance="10000", master_leverage="20",
                     follower_balance="5000", follower_leverage="5")
    row = replay(scenario).results[0]
    assert row.follower_qty == D("0.5")
    # cost 0.5 × 1,000 × 1.0234 / 20 = 25.585
    assert row.follower_cost_usdt == D("25.585")


def test_smart_copy_places_the_minimum_when_k_x_is_too_small() -> None:
    # master: 0.01 × 10,000 × 1.0114 / 10 = 10.114 cost, margin 10, k = 10.114 / 99,999.886 ≈ 0.0001;
    # follower: budget 50 × k ≈ 0.00506 USDT → 0.000005 BTC < 0.001 minimum, which costs 1.0114 ≤ 50
    scenario = smart(op("a", "0.01", "10000"), master_balance="100000", master_leverage="10",
                     follower_balance="50")
    row = replay(scenario).results[0]
    assert row.copied and row.min_qty_used and row.follower_qty == D("0.001")
    # share used: 1.0114 / 50 = 2.02%, against the master's 0.01%
    assert "2.02%" in row.explanation and "0.01%" in row.explanation and "larger" in row.explanation
    assert [c.code for c in replay(scenario).summary.causes] == ["min_qty"]


def test_smart_copy_skips_when_the_minimum_is_unaffordable() -> None:
    scenario = smart(op("a", "0.01", "10000"), master_balance="100000", master_leverage="10",
                     follower_balance="1")
    assert reasons(scenario) == [Reason.INSUFFICIENT_BALANCE]


def test_causes_are_ranked_by_master_notional() -> None:
    # copyguard skips 5 × 100 = 500 USDT of master notional, slippage 1 × 100 = 100
    orders = [op("a", "1", "100", "101"), op("b", "5", "100", "100.05")]
    causes = replay(advanced(*orders, copyguard=True)).summary.causes
    assert [(c.code, c.master_notional_usdt) for c in causes] == [("copyguard", D(500)), ("slippage", D(100))]


def test_master_cannot_close_more_than_it_holds() -> None:
    with pytest.raises(ScenarioError) as err:
        replay(advanced(op("a", "1", "100"), cl("b", "2", "100")))
    assert err.value.field == "orders[1].qty"


def test_master_must_afford_its_own_orders() -> None:
    # 1 BTC at 10,000 at 10x costs 1,011.4 USDT; the master has 1,000
    scenario = smart(op("a", "1", "10000"), master_balance="1000", master_leverage="10",
                     follower_balance="10")
    with pytest.raises(ScenarioError) as err:
        replay(scenario)
    assert err.value.field == "master.available_balance"


def test_a_close_past_the_bankruptcy_price_loses_the_locked_funds_only() -> None:
    # 10x long from 10,000 is bankrupt near 9,000; closing at 8,000 would lose 0.0988 × 2,000 = 197.6.
    # Isolated margin caps the loss at what the order locked and spent: cost 99.92632 in all.
    rows = replay(advanced(op("a", "1", "10000"), cl("b", "1", "8000"))).results
    assert rows[1].realised_pnl_usdt == D("-99.92632")
    assert rows[1].follower_balance_usdt == D(1000) - D("99.92632")
