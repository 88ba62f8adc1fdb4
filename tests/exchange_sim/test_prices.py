"""Seeded price paths: determinism, correlation, crash magnitude, and klines cut from the same path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from desktop_app.exchange_sim import Simulator
from desktop_app.exchange_sim.klines import CandleMaker
from desktop_app.exchange_sim.prices import DAY_MINUTES, MINUTE_MS, PriceModel
from tests.sim_fixtures import SIM_START_MS

ANCHOR_MINUTE = SIM_START_MS // MINUTE_MS


def test_same_seed_same_path_and_different_seed_different_path() -> None:
    a, b, c = PriceModel(7, SIM_START_MS), PriceModel(7, SIM_START_MS), PriceModel(8, SIM_START_MS)
    span = (ANCHOR_MINUTE - 3 * DAY_MINUTES, ANCHOR_MINUTE + DAY_MINUTES)
    assert np.array_equal(a.minute_prices(*span), b.minute_prices(*span))
    assert not np.allclose(a.minute_prices(*span), c.minute_prices(*span))


def test_path_is_anchored_at_the_start_prices() -> None:
    model = PriceModel(3, SIM_START_MS)
    # SIM_START_MS is a whole minute, so the price there is exactly each coin's reference price.
    start = model.prices_at(SIM_START_MS)
    assert start[model.index["BTC"]] == pytest.approx(65_000.0, rel=1e-12)
    assert start[model.index["ETH"]] == pytest.approx(3_400.0, rel=1e-12)


def test_generated_history_does_not_depend_on_the_order_it_is_asked_for() -> None:
    fresh, warmed = PriceModel(11, SIM_START_MS), PriceModel(11, SIM_START_MS)
    warmed.minute_prices(ANCHOR_MINUTE - 400 * DAY_MINUTES, ANCHOR_MINUTE - 399 * DAY_MINUTES)
    window = (ANCHOR_MINUTE - 10, ANCHOR_MINUTE + 10)
    assert np.array_equal(fresh.minute_prices(*window), warmed.minute_prices(*window))


def test_returns_are_positively_correlated_with_btc() -> None:
    model = PriceModel(5, SIM_START_MS)
    logs = np.log(model.minute_prices(ANCHOR_MINUTE - 20 * DAY_MINUTES, ANCHOR_MINUTE))
    corr = np.corrcoef(np.diff(logs, axis=0).T)
    btc, eth, sol = model.index["BTC"], model.index["ETH"], model.index["SOL"]
    # Targets: corr(BTC, ETH) = 0.85, corr(BTC, SOL) = 0.75, corr(ETH, SOL) = 0.85 × 0.75 = 0.6375;
    # 28,800 samples give a standard error near 0.005, so these bounds only fail on a wrong sign/scale.
    assert 0.8 < corr[btc, eth] < 0.9
    assert 0.7 < corr[btc, sol] < 0.8
    assert 0.58 < corr[eth, sol] < 0.69


def test_crash_moves_btc_minus_15_percent_and_others_by_beta() -> None:
    calm = Simulator(seed=9, realtime=False, start_ms=SIM_START_MS)
    crash = Simulator(seed=9, realtime=False, start_ms=SIM_START_MS)
    crash.trigger_crash(0.15, duration_s=600)
    model = crash.model
    btc, eth = model.index["BTC"], model.index["ETH"]
    # beta_ETH = corr × vol_ETH / vol_BTC = 0.85 × 0.70 / 0.55 = 1.0818...
    beta_eth = 0.85 * 0.70 / 0.55
    for sim in (calm, crash):
        sim.step(300)
    half = crash.model.prices_at(crash.now_ms()) / calm.model.prices_at(calm.now_ms())
    assert half[btc] == pytest.approx(1 - 0.075, rel=1e-12)        # halfway: 15% × 0.5
    for sim in (calm, crash):
        sim.step(300)
    ratio = crash.model.prices_at(crash.now_ms()) / calm.model.prices_at(calm.now_ms())
    assert ratio[btc] == pytest.approx(0.85, rel=1e-12)
    assert ratio[eth] == pytest.approx(1 - beta_eth * 0.15, rel=1e-12)
    # The crash stays applied afterwards.
    for sim in (calm, crash):
        sim.step(3600)
    assert (crash.model.prices_at(crash.now_ms()) / calm.model.prices_at(calm.now_ms()))[btc] == \
        pytest.approx(0.85, rel=1e-12)


def test_crash_that_would_push_a_coin_below_zero_is_refused() -> None:
    sim = Simulator(seed=1, realtime=False, start_ms=SIM_START_MS)
    with pytest.raises(ValueError, match="positive"):
        sim.trigger_crash(0.9)


def test_klines_are_newest_first_and_continuous() -> None:
    model = PriceModel(4, SIM_START_MS)
    maker = CandleMaker(model)
    now = SIM_START_MS + 90 * MINUTE_MS + 30_000
    candles = maker.candles("BTC", "15", now_ms=now, start_ms=None, end_ms=None, limit=5)
    starts = [c.start_ms for c in candles]
    assert starts == sorted(starts, reverse=True) and len(candles) == 5
    # 15-minute candles start on quarter hours: now is 90.5 min after midnight -> live candle at 90 min.
    assert starts[0] == SIM_START_MS + 90 * MINUTE_MS
    for newer, older in itertools.pairwise(candles):
        assert older.close == pytest.approx(newer.open, rel=1e-12)   # a close is the next open
    for c in candles:
        assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
    live_price = model.prices_at(now)[model.index["BTC"]]
    assert candles[0].close == pytest.approx(live_price, rel=1e-12)


def test_daily_history_covers_a_year_and_matches_intraday() -> None:
    model = PriceModel(4, SIM_START_MS)
    maker = CandleMaker(model)
    now = SIM_START_MS + 12 * 3_600_000
    days = maker.candles("ETH", "D", now_ms=now, start_ms=None, end_ms=None, limit=400)
    assert len(days) == 400
    # The day before "now" equals the 24 hourly candles of that day: same open/close, max/min of extremes.
    hours = maker.candles("ETH", "60", now_ms=now, start_ms=days[1].start_ms,
                          end_ms=days[1].start_ms + 23 * 3_600_000, limit=24)
    assert len(hours) == 24
    assert days[1].open == pytest.approx(hours[-1].open) and days[1].close == pytest.approx(hours[0].close)
    assert days[1].high == pytest.approx(max(h.high for h in hours))
    assert days[1].low == pytest.approx(min(h.low for h in hours))
