"""The two worked tables of Bybit's article, with expectations computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

from desktop_app.copytrade import PRESETS, Reason, replay


def test_advanced_table_is_reproduced_exactly() -> None:
    result = replay(PRESETS["article-advanced"])
    # qty = margin × L / (price × (2fL + 1 − f)); f = 0.0006, L = 10 → factor 1.0114
    # A: 100 × 10 / (10,000 × 1.0114) = 1,000 / 10,114 = 0.098873… → 0.0988 (step 0.0001)
    # B: 1,000 / (20,000 × 1.0114) = 1,000 / 20,228 = 0.049436… → 0.0494
    # C: as A → 0.0988
    assert [r.follower_qty for r in result.results] == [D("0.0988"), D("0.0494"), D("0.0988")]
    assert all(r.copied for r in result.results)
    # master: A 10,000; B (10,000 + 3 × 20,000) / 4 = 17,500; C (70,000 + 2 × 10,000) / 6 = 15,000
    assert [r.master_avg_entry for r in result.results] == [D(10000), D(17500), D(15000)]
    # follower: B (988 + 988) / 0.1482 = 13,333.333…; C (1,976 + 988) / 0.247 = 2,964 / 0.247 = 12,000
    assert [r.follower_avg_entry for r in result.results] == [D(10000), D("13333.33333333"), D(12000)]
    s = result.summary
    assert (s.master_qty, s.follower_qty) == (D(6), D("0.247"))
    # gap (12,000 − 15,000) / 15,000 = −20%
    assert s.entry_gap_pct == D(-20)
    # B and C have follower/master ratios (0.0494/3, 0.0988/2) different from A's (0.0988/1):
    # master notional 60,000 + 20,000 = 80,000.
    assert [(c.code, c.orders, c.master_notional_usdt) for c in s.causes] == [("fixed_margin", 2, D(80000))]


def test_advanced_costs_come_off_the_balance() -> None:
    result = replay(PRESETS["article-advanced"])
    # cost of A = 0.0988 × 10,000 × 1.0114 / 10 = 99.92632; B = 0.0494 × 20,000 × 0.10114 = 99.92632
    assert result.results[0].follower_cost_usdt == D("99.92632")
    assert result.results[1].follower_cost_usdt == D("99.92632")
    # 1,000 − 3 × 99.92632 = 700.22104
    assert result.results[2].follower_balance_usdt == D("700.22104")


def test_missed_trades_table_with_corrected_master_averages() -> None:
    result = replay(PRESETS["article-missed"])
    rows = result.results
    assert [r.copied for r in rows] == [True, False, False, True]
    assert [r.reason for r in rows] == [None, Reason.SLIPPAGE, Reason.COPYGUARD, None]
    # A: 1 × 13,640 / (3,000 + 27,300 − 3,034.2) = 0.50026 → 0.5
    # D: master balance 27,300 − 3,034.2 − 6,068.4 − 6,068.4 = 12,129; follower 13,640 − 1,517.1 = 12,122.9
    #    1 × 12,122.9 / (1,000 + 12,129 − 1,011.4) = 1.00044 → 1
    assert [r.follower_qty for r in rows] == [D("0.5"), D(0), D(0), D(1)]
    # master averages from the orders, not the article's misprint (13,750 and 13,214.28):
    # A 30,000; B (30,000 + 60,000) / 4 = 22,500; C (90,000 + 60,000) / 6 = 25,000;
    # D (150,000 + 10,000) / 7 = 22,857.142857…
    assert [r.master_avg_entry for r in rows] == [D(30000), D(22500), D(25000), D("22857.14285714")]
    # follower: 30,000 until D, then (15,000 + 10,000) / 1.5 = 16,666.666…
    assert [r.follower_avg_entry for r in rows] == [D(30000), D(30000), D(30000), D("16666.66666667")]
    # gap: (50,000/3 − 160,000/7) / (160,000/7) = (350,000 − 480,000) / 480,000 = −27.0833…%
    assert result.summary.entry_gap_pct == D("-27.0833")
    # both missed orders have 60,000 USDT of master notional; ties keep the rule order
    assert [c.code for c in result.summary.causes] == ["slippage", "copyguard"]


def test_explanations_name_the_numbers() -> None:
    rows = replay(PRESETS["article-missed"]).results
    assert "0.5%" in rows[1].explanation and "0.1%" in rows[1].explanation
    assert "Copyguard" in rows[2].explanation and "30,015" in rows[2].explanation
    assert "22,857.14" in rows[3].explanation and "16,666.67" in rows[3].explanation
