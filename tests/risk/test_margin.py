"""Bybit's formulas (REFERENCE §8), with the expected numbers worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.domain.market import RiskTier, Side
from desktop_app.risk import margin

D = Decimal


def _tier(tier_id: int, limit: int, mmr: str, imr: str) -> RiskTier:
    return RiskTier(tier_id, "BTCUSDT", D(limit), D(mmr), D(imr), tier_id == 1, D(1) / D(imr), D(0))


# Deliberately out of order: the tier is defined by riskLimitValue, not list position.
TIERS = (
    _tier(3, 3_200_000, "0.0062", "0.0122"),
    _tier(1, 2_000_000, "0.005", "0.01"),
    _tier(2, 2_600_000, "0.0056", "0.0116"),
)


def test_mm_deduction_recurrence() -> None:
    # tier 1: 0
    # tier 2: 2,000,000 x (0.0056 - 0.005) + 0     = 1,200
    # tier 3: 2,600,000 x (0.0062 - 0.0056) + 1,200 = 1,560 + 1,200 = 2,760
    assert margin.mm_deductions(TIERS) == (D(0), D(1200), D(2760))


def test_maintenance_margin_in_tier_one_and_across_boundaries() -> None:
    # tier 1: 1,000,000 x 0.005 = 5,000
    assert margin.maintenance_margin(D(1_000_000), TIERS) == D(5000)
    # exactly at the tier-1 limit: still tier 1, 2,000,000 x 0.005 = 10,000
    assert margin.maintenance_margin(D(2_000_000), TIERS) == D(10000)
    # tier 2: 2,500,000 x 0.0056 - 1,200 = 14,000 - 1,200 = 12,800
    # (slices: 2,000,000 x 0.005 + 500,000 x 0.0056 = 10,000 + 2,800 = 12,800)
    assert margin.maintenance_margin(D(2_500_000), TIERS) == D(12800)
    # tier 3: 3,000,000 x 0.0062 - 2,760 = 18,600 - 2,760 = 15,840
    # (slices: 10,000 + 600,000 x 0.0056 + 400,000 x 0.0062 = 10,000 + 3,360 + 2,480)
    assert margin.maintenance_margin(D(3_000_000), TIERS) == D(15840)


def test_tier_lookup_and_limits() -> None:
    tier, deduction = margin.tier_for(D(2_000_001), TIERS)
    assert (tier.tier_id, deduction) == (2, D(1200))
    with pytest.raises(ValueError):
        margin.tier_for(D(3_200_001), TIERS)
    with pytest.raises(ValueError):
        margin.maintenance_margin(D(1), ())


def test_initial_margin() -> None:
    # 2,500,000 / 50 = 50,000
    assert margin.initial_margin(D(2_500_000), D(50)) == D(50000)
    with pytest.raises(ValueError):
        margin.initial_margin(D(1), D(0))


def test_isolated_liq_price_linear_reference_example() -> None:
    # long 1 BTC @20,000, 50x, MMR 0.5%: IM = 20,000/50 = 400, MM = 20,000 x 0.005 = 100,
    # LP = 20,000 - (400 - 100)/1 = 19,700
    assert margin.isolated_liq_price_linear(Side.LONG, D(20000), D(1), D(50), D("0.005")) == D(19700)
    # short: 20,000 + 300 = 20,300; with 100 USDT extra margin: + 100/1 = 20,400
    assert margin.isolated_liq_price_linear(Side.SHORT, D(20000), D(1), D(50), D("0.005")) == D(20300)
    short_extra = margin.isolated_liq_price_linear(
        Side.SHORT, D(20000), D(1), D(50), D("0.005"), extra_margin=D(100)
    )
    assert short_extra == D(20400)


def test_isolated_liq_price_inverse() -> None:
    # long 10,000 USD @20,000, 50x, MMR 0.5%: PV = 0.5 BTC, IM = 0.01, MM = 0.0025,
    # LP = 10,000 / (0.5 + 0.0075) = 10,000 / 0.5075 = 19,704.4334975...
    lp = margin.isolated_liq_price_inverse(Side.LONG, D(20000), D(10000), D(50), D("0.005"))
    assert lp.quantize(D("0.0001")) == D("19704.4335")
    # short: 10,000 / (0.5 - 0.0075) = 10,000 / 0.4925 = 20,304.5685279...
    lp = margin.isolated_liq_price_inverse(Side.SHORT, D(20000), D(10000), D(50), D("0.005"))
    assert lp.quantize(D("0.0001")) == D("20304.5685")


def test_bankruptcy_price() -> None:
    # 20,000 x (1 - 1/50) = 19,600; 20,000 x (1 + 1/50) = 20,400
    assert margin.bankruptcy_price_linear(Side.LONG, D(20000), D(50)) == D(19600)
    assert margin.bankruptcy_price_linear(Side.SHORT, D(20000), D(50)) == D(20400)


def test_order_cost_reference_example() -> None:
    # 1 BTC long @50,000, 10x, taker 0.055%: IM 5,000; open 50,000 x 0.00055 = 27.5;
    # close 50,000 x (1 - 1/10) x 0.00055 = 24.75; total 5,052.25
    cost = margin.order_cost_linear(Side.LONG, D(1), D(50000), D(10), D("0.00055"))
    assert (cost.initial_margin, cost.fee_to_open, cost.fee_to_close) == (D(5000), D("27.5"), D("24.75"))
    assert cost.total == D("5052.25")
    # sell: close at 50,000 x 1.1 x 0.00055 = 30.25 -> 5,057.75
    assert margin.order_cost_linear(Side.SHORT, D(1), D(50000), D(10), D("0.00055")).total == D("5057.75")


def test_order_cost_inverse() -> None:
    # 10,000 USD long @50,000, 10x: value 0.2 BTC, IM 0.02, open 0.2 x 0.00055 = 0.00011,
    # close 0.2 x 1.1 x 0.00055 = 0.000121; total 0.020231 BTC
    cost = margin.order_cost_inverse(Side.LONG, D(10000), D(50000), D(10), D("0.00055"))
    assert cost.total == D("0.020231")
