"""VaR and ES on hand-built return series, plus the hedging and scaling properties."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.account import WalletCoin
from desktop_app.domain.market import Category, Side
from desktop_app.risk import ReturnModel, book_from_snapshot, build_report
from desktop_app.risk.returns import ewma_weights
from desktop_app.risk.var import quantile_linear, value_at_risk
from tests.risk.factories import D, account, position, snapshot, wallet

# Three daily log returns, oldest first: +0.02, -0.01, +0.03.
RETURNS = (0.02, -0.01, 0.03)
CLOSES = 100 * np.exp(np.concatenate([[0.0], np.cumsum(RETURNS)]))
Z95, Z99 = 1.6448536269514722, 2.3263478740408408  # standard normal quantiles


def _model() -> ReturnModel:
    return ReturnModel.from_closes({"BTC": CLOSES}, min_closes=2)


def test_ewma_weights_by_hand() -> None:
    # raw weights lam^age oldest first: 0.94^2 = 0.8836, 0.94, 1; sum 2.8236
    assert ewma_weights(3, 0.94) == pytest.approx([0.8836 / 2.8236, 0.94 / 2.8236, 1 / 2.8236])


def test_parametric_var_of_a_one_coin_book() -> None:
    # EWMA variance = (0.8836 x 0.02^2 + 0.94 x 0.01^2 + 1 x 0.03^2) / 2.8236
    #               = (0.00035344 + 0.000094 + 0.0009) / 2.8236 = 0.00134744 / 2.8236
    sigma = math.sqrt(0.00134744 / 2.8236)  # = 0.0218450...
    assert _model().cov[0, 0] == pytest.approx(0.00134744 / 2.8236)
    var95, var99 = value_at_risk(("BTC",), np.array([10_000.0]), _model())
    # VaR = z x |exposure| x sigma = 1.6449 x 10,000 x 0.021845 = 359.3
    assert var95.var_usd == pytest.approx(Z95 * 10_000 * sigma)
    assert var99.var_usd == pytest.approx(Z99 * 10_000 * sigma)
    # ES(95) = sigma x phi(z) / 0.05 x 10,000, phi(1.6449) = exp(-z^2/2)/sqrt(2 pi) = 0.10314
    phi = math.exp(-(Z95**2) / 2) / math.sqrt(2 * math.pi)
    assert var95.es_usd == pytest.approx(10_000 * sigma * phi / 0.05)
    # a short book has the same parametric VaR; a 4-day horizon doubles it (sqrt 4 = 2)
    (short,) = value_at_risk(("BTC",), np.array([-10_000.0]), _model(), confidences=(0.95,))
    assert short.var_usd == pytest.approx(var95.var_usd)
    (h4,) = value_at_risk(("BTC",), np.array([10_000.0]), _model(), confidences=(0.95,), horizon_days=4)
    assert h4.var_usd == pytest.approx(2 * var95.var_usd)


def test_historical_var_on_a_tiny_series() -> None:
    # PnL = 10,000 x (e^r - 1): +202.013, -99.502, +304.545; sorted -99.502, 202.013, 304.545
    pnl = sorted(10_000 * (math.exp(r) - 1) for r in RETURNS)
    # 5 % quantile, linear interpolation at rank 0.05 x (3 - 1) = 0.1:
    # -99.502 + 0.1 x (202.013 + 99.502) = -69.350 -> VaR 69.35; ES = mean of PnL <= q = 99.502
    (long95,) = value_at_risk(("BTC",), np.array([10_000.0]), _model(), confidences=(0.95,))
    assert long95.historical_var_usd == pytest.approx(-(pnl[0] + 0.1 * (pnl[1] - pnl[0])))
    assert long95.historical_var_usd == pytest.approx(69.35, abs=0.01)
    assert long95.historical_es_usd == pytest.approx(99.502, abs=0.001)
    # short: PnL -304.545, -202.013, +99.502 -> q = -304.545 + 0.1 x 102.532 = -294.29
    (short95,) = value_at_risk(("BTC",), np.array([-10_000.0]), _model(), confidences=(0.95,))
    assert short95.historical_var_usd == pytest.approx(294.29, abs=0.01)
    assert short95.observations == 3


def test_missing_history_is_listed_not_zeroed() -> None:
    (r,) = value_at_risk(("BTC", "DOGE"), np.array([10_000.0, 500.0]), _model(), confidences=(0.95,))
    assert r.coins_missing == ("DOGE",)
    (none,) = value_at_risk(("BTC",), np.array([1.0]), ReturnModel.from_closes({}), confidences=(0.95,))
    assert (none.var_usd, none.historical_var_usd) == (None, None)


def test_short_or_broken_series_are_excluded() -> None:
    model = ReturnModel.from_closes({"BTC": CLOSES, "BAD": [1.0, 0.0, 2.0, 3.0], "NEW": [1.0]}, min_closes=2)
    assert (model.coins, model.excluded) == (("BTC",), ("BAD", "NEW"))


SIGMA = math.sqrt(0.00134744 / 2.8236)  # the EWMA daily volatility of RETURNS, worked out above


def test_report_var_of_a_linear_position_is_on_its_exposure() -> None:
    book = book_from_snapshot(snapshot(account("A", (position("BTCUSDT", Side.LONG, 0.5, mark=20_000),))))
    report = build_report(book, model=_model(), confidences=(0.95,))
    # exposure 0.5 x 20,000 = 10,000, the same book as above
    assert report.var[0].var_usd == pytest.approx(Z95 * 10_000 * SIGMA)


def _coin_margined(side: Side, *, entry: float, mark: float, collateral_btc: str) -> object:
    """A classic account holding `collateral_btc` BTC and 10,000 USD of BTCUSD (inverse)."""
    inverse = position("BTCUSD", side, 10_000, category=Category.INVERSE, entry=entry, mark=mark)
    coins = (WalletCoin("BTC", D(collateral_btc), None, D(collateral_btc), D(0), D(0), D(0)),)
    contract = dataclasses.replace(
        wallet(None, im=None, mm=None, mm_rate=None, account_type="CONTRACT"), coins=coins
    )
    return account("Coin", (inverse,), wallet_=contract, classic=True)


def _report_of(state: object) -> object:
    return build_report(book_from_snapshot(snapshot(state)), model=_model(), confidences=(0.95,))


def test_inverse_var_is_on_its_usd_delta_not_its_usd_size() -> None:
    # Short 10,000 USD of BTCUSD from 20,000, mark 25,000, no collateral. USD uPnL = -10,000 x
    # (mark/entry - 1); for a return r the mark becomes 25,000 (1 + r), so the PnL per unit r is
    # -10,000 x 25,000 / 20,000 = -12,500 USD (the exposure table shows the USD size, 10,000).
    report = _report_of(_coin_margined(Side.SHORT, entry=20_000, mark=25_000, collateral_btc="0"))
    assert report.exposure[0].net_usd == pytest.approx(-10_000)
    assert report.var[0].var_usd == pytest.approx(Z95 * 12_500 * SIGMA)


def test_coin_collateral_is_in_var() -> None:
    # Long 10,000 USD of BTCUSD at 20,000 (delta 10,000 x 20,000/20,000 = 10,000 USD) on 0.5 BTC of
    # collateral (0.5 x 20,000 = 10,000 USD that moves with BTC): delta 20,000 USD.
    report = _report_of(_coin_margined(Side.LONG, entry=20_000, mark=20_000, collateral_btc="0.5"))
    assert report.var[0].var_usd == pytest.approx(Z95 * 20_000 * SIGMA)


def test_coin_margined_short_hedged_by_its_collateral_has_no_var() -> None:
    # Short 10,000 USD of BTCUSD at 20,000 on 0.5 BTC: delta -10,000 + 0.5 x 20,000 = 0. The account's
    # USD equity does not move with BTC (the classic coin-margined hedge), so neither VaR does.
    report = _report_of(_coin_margined(Side.SHORT, entry=20_000, mark=20_000, collateral_btc="0.5"))
    assert report.var[0].var_usd == pytest.approx(0.0, abs=1e-9)
    assert report.var[0].historical_var_usd == pytest.approx(0.0, abs=1e-9)


_rng = np.random.default_rng(7)
_HISTORY = {c: 100 * np.exp(np.cumsum(_rng.normal(0, 0.03, 120))) for c in ("BTC", "ETH", "SOL")}
_MODEL = ReturnModel.from_closes(_HISTORY)
_SYMBOLS = {"BTC": "BTCUSDT", "ETH": "ETHUSDT", "SOL": "SOLUSDT"}
legs = st.lists(
    st.tuples(st.sampled_from(sorted(_SYMBOLS)), st.floats(0.01, 50), st.floats(1, 50_000), st.booleans()),
    min_size=1,
    max_size=8,
)


def _book(rows, scale: float = 1.0):
    positions = tuple(
        position(
            _SYMBOLS[c], Side.LONG if is_long else Side.SHORT, size * scale, entry=mark, mark=mark, idx=i
        )
        for i, (c, size, mark, is_long) in enumerate(rows)
    )
    return book_from_snapshot(snapshot(account("A", positions)))


@settings(max_examples=60, deadline=None)
@given(legs)
def test_perfectly_hedged_book_has_zero_var(rows) -> None:
    # every leg mirrored in a second account: net exposure 0 per coin
    longs = tuple(position(_SYMBOLS[c], Side.LONG, s, entry=m, mark=m) for c, s, m, _ in rows)
    shorts = tuple(position(_SYMBOLS[c], Side.SHORT, s, entry=m, mark=m) for c, s, m, _ in rows)
    report = build_report(
        book_from_snapshot(snapshot(account("L", longs), account("S", shorts))), model=_MODEL
    )
    gross = sum(s * m for _, s, m, _ in rows)
    for r in report.var:
        assert abs(r.var_usd) <= 1e-9 * gross and abs(r.historical_var_usd) <= 1e-9 * gross


@settings(max_examples=60, deadline=None)
@given(legs)
def test_var_is_linear_in_scale(rows) -> None:
    one = build_report(_book(rows), model=_MODEL).var
    two = build_report(_book(rows, 2.0), model=_MODEL).var
    for a, b in zip(one, two, strict=True):
        assert b.var_usd == pytest.approx(2 * a.var_usd, rel=1e-9, abs=1e-9)
        assert b.es_usd == pytest.approx(2 * a.es_usd, rel=1e-9, abs=1e-9)
        assert b.historical_var_usd == pytest.approx(2 * a.historical_var_usd, rel=1e-9, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=-1e12, max_value=1e12) | st.just(math.nan), min_size=1, max_size=60),
       st.floats(min_value=0.0, max_value=1.0))
def test_the_var_quantile_is_numpys_linear_quantile_to_the_bit(sample: list[float], fraction: float) -> None:
    values = np.array(sample)
    expected = float(np.quantile(values, fraction))
    got = quantile_linear(values, fraction)
    assert (math.isnan(got) and math.isnan(expected)) or got == expected


def test_the_var_quantile_interpolates_between_neighbours_by_hand() -> None:
    pnl = np.array([40.0, -10.0, 0.0, 20.0, -30.0])  # sorted: -30, -10, 0, 20, 40
    assert quantile_linear(pnl, 0.05) == -30.0 + 0.2 * 20.0  # index 4 x 0.05 = 0.2 -> -26
    assert quantile_linear(pnl, 0.625) == 0.0 + 0.5 * 20.0  # index 2.5 -> 10
    assert (quantile_linear(pnl, 0.0), quantile_linear(pnl, 1.0)) == (-30.0, 40.0)
    assert math.isnan(quantile_linear(np.array([1.0, float("nan")]), 0.5))
