"""Margin maths against hand-computed examples (REFERENCE.md §8)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.exchange_sim import margin
from desktop_app.exchange_sim.instruments import CATALOGUE, build_tiers

BTC_TIERS = CATALOGUE["BTCUSDT"].tiers


def test_btcusdt_deductions_follow_the_recurrence() -> None:
    # MMD(n) = RL(n-1) × (MMR(n) − MMR(n-1)) + MMD(n-1), limits 2M/4M/6M/8M/10M, MMR 0.5%..2.5%:
    # 0; 2,000,000×0.005 = 10,000; 4,000,000×0.005 + 10,000 = 30,000; 6M×0.005 + 30,000 = 60,000;
    # 8M×0.005 + 60,000 = 100,000
    assert [t.mm_deduction for t in BTC_TIERS] == [D(0), D(10_000), D(30_000), D(60_000), D(100_000)]
    assert [t.max_leverage for t in BTC_TIERS][:2] == [D("100.00"), D("50.00")]


def test_im_and_mm_across_a_tier_boundary() -> None:
    # 2,000,000 is still tier 1 (limit >= value): MM = 2,000,000 × 0.005 = 10,000
    mm, tier = margin.maintenance_margin(D(2_000_000), BTC_TIERS)
    assert (mm, tier.tier_id) == (D(10_000), BTC_TIERS[0].tier_id)
    # 3,000,000 is tier 2: MM = 3,000,000 × 0.01 − 10,000 = 20,000
    # (= first 2M at 0.5% + next 1M at 1% = 10,000 + 10,000)
    mm, tier = margin.maintenance_margin(D(3_000_000), BTC_TIERS)
    assert (mm, tier.tier_id) == (D(20_000), BTC_TIERS[1].tier_id)
    # IM at 10x = 3,000,000 / 10 = 300,000
    assert margin.initial_margin(D(3_000_000), D(10)) == D(300_000)


@given(st.decimals(min_value=1, max_value=12_000_000, places=2))
def test_mm_equals_each_slice_at_its_own_rate(value: D) -> None:
    # The deduction makes MM continuous: the same as charging each slice of value at its tier's rate.
    mm, _ = margin.maintenance_margin(value, BTC_TIERS)
    expected, lower = D(0), D(0)
    for i, tier in enumerate(BTC_TIERS):
        upper = tier.risk_limit_value if i < len(BTC_TIERS) - 1 else value
        if value > lower:
            expected += (min(value, upper) - lower) * tier.mm_rate
        lower = tier.risk_limit_value
    assert mm == expected


def test_isolated_long_liquidation_price_is_19700() -> None:
    # Long 1 BTC @ 20,000, 50x, MMR 0.5%: IM 400, MM 100, LP = 20,000 − (400 − 100)/1 = 19,700
    assert margin.isolated_liq_price_linear(1, D(1), D(20_000), D(50), BTC_TIERS) == D(19_700)
    # The short mirror: 20,000 + 300 = 20,300; with 100 USDT extra margin: 20,300 + 100/1 = 20,400
    assert margin.isolated_liq_price_linear(-1, D(1), D(20_000), D(50), BTC_TIERS) == D(20_300)
    assert margin.isolated_liq_price_linear(-1, D(1), D(20_000), D(50), BTC_TIERS, D(100)) == D(20_400)


def test_isolated_inverse_liquidation_price() -> None:
    tiers = CATALOGUE["BTCUSD"].tiers
    # Long 1,000 USD @ 20,000, 50x, MMR 0.5%: PV 0.05 BTC, IM 0.001, MM 0.00025,
    # LP = 1000 / (0.05 + 0.00075) = 1000 / 0.05075 = 19,704.4334975...
    lp = margin.isolated_liq_price_inverse(1, D(1000), D(20_000), D(50), tiers)
    assert abs(lp - D("19704.43349753694581280788177")) < D("1e-20")
    # Short: 1000 / (0.05 − 0.00075) = 1000 / 0.04925 = 20,304.5685279...
    lp = margin.isolated_liq_price_inverse(-1, D(1000), D(20_000), D(50), tiers)
    assert abs(lp - D("20304.56852791878172588832487")) < D("1e-20")


def test_unrealised_pnl_linear_and_inverse() -> None:
    # Linear short 2 ETH @ 3,000, mark 2,900: (2,900 − 3,000) × 2 × (−1) = +200
    assert margin.unrealised_pnl(-1, D(2), D(3000), D(2900), inverse=False) == D(200)
    # Inverse long 10,000 USD @ 20,000, mark 25,000:
    # 10,000 × (1/20,000 − 1/25,000) = 10,000 × 0.00001 = 0.1 BTC
    assert margin.unrealised_pnl(1, D(10_000), D(20_000), D(25_000), inverse=True) == D("0.1")
    assert margin.unrealised_pnl(-1, D(10_000), D(20_000), D(25_000), inverse=True) == D("-0.1")


def test_account_rates_and_available_balance() -> None:
    # Wallet 10,000, UPL −2,000 -> margin balance 8,000; IM 4,000 -> IM rate 0.5; MM 400 -> MM rate 0.05;
    # available = 8,000 − 4,000 = 4,000
    totals = margin.AccountTotals(D(10_000), D(-2_000), D(4_000), D(400))
    assert (totals.margin_balance, totals.im_rate, totals.mm_rate, totals.available) == \
        (D(8_000), D("0.5"), D("0.05"), D(4_000))
    # Underwater account: the rate saturates at 1 instead of dividing by a negative balance
    assert margin.AccountTotals(D(100), D(-200), D(50), D(10)).mm_rate == 1


def test_cross_liquidation_estimate_for_a_single_long() -> None:
    tier = build_tiers([(D(2_000_000), D("0.005"), D("0.01"))], 1)[0]
    # 1 BTC long at mark 20,000, margin balance 2,000, MM 100 (this position only).
    # At price p: MB = 2,000 + (p − 20,000) and MM = 0.005 p;
    # equal when 0.995 p = 18,000 -> p = 18,090.4522...
    p = margin.cross_liq_price_estimate(1, D(1), D(20_000), tier, D(2_000), D(100))
    assert p is not None and abs(p - D(18_000) / D("0.995")) < D("1e-20")
    # With 50,000 of margin balance behind a 20,000 long, no positive price liquidates it:
    # p = (0 − 50,000 + 20,000) / 0.995 < 0
    assert margin.cross_liq_price_estimate(1, D(1), D(20_000), tier, D(50_000), D(100)) is None


def test_bankruptcy_and_break_even() -> None:
    # Long @ 20,000, 50x: 20,000 × (1 − 1/50) = 19,600; short: 20,400
    assert margin.bankruptcy_price(1, D(20_000), D(50)) == D(19_600)
    assert margin.bankruptcy_price(-1, D(20_000), D(50)) == D(20_400)
    # Long 1 @ 20,000, realised −11 (fee): (20,000 + 11) / (1 − 0.00055) = 20,011 / 0.99945 = 20,022.0121...
    bep = margin.break_even_price(1, D(1), D(20_000), D(-11), D("0.00055"))
    assert abs(bep - D(20_011) / D("0.99945")) < D("1e-20")
