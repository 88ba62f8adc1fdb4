"""Stress scenarios and the first-liquidation search, expected numbers by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.account import MarginMode
from desktop_app.domain.market import Side
from desktop_app.risk import (
    ReturnModel,
    account_liquidations,
    book_from_snapshot,
    build_report,
    first_liquidation,
    stress,
    stress_to_dict,
)
from tests.risk.factories import account, missing, position, snapshot, wallet


def _iso_long():
    # long 1 BTC @20,000, 50x: IM 400, MM 100, liq 19,700 (REFERENCE §8.2)
    pos = position("BTCUSDT", Side.LONG, 1, leverage=50, liq=19_700, im=400, mm=100)
    return account("Iso", (pos,), mode=MarginMode.ISOLATED, wallet_=wallet(10_000, im=400, mm=100))


def _cross_long():
    # cross: margin balance 2,000, one long 1 BTC @ mark 20,000 with MM 100
    pos = position("BTCUSDT", Side.LONG, 1, liq=18_100, im=2_000, mm=100)
    return account("Cross", (pos,), wallet_=wallet(2_000, im=2_000, mm=100))


def test_isolated_position_crossing_liq_loses_only_its_margin() -> None:
    book = book_from_snapshot(snapshot(_iso_long()))
    result = stress(book, {"BTC": -0.15}, beta=False)
    (a,) = result.accounts
    # -15 % -> mark 17,000 < liq 19,700: liquidated; the linear loss 3,000 is capped at the margin 400
    assert (a.pnl_usd, a.equity_before_usd, a.equity_after_usd) == (-400, 10_000, 9_600)
    assert a.liquidated and [(p.symbol, p.side) for p in a.liquidated_positions] == [("BTCUSDT", "long")]
    assert result.liquidated_accounts == ("Iso",) and result.total_pnl_usd == -400
    # -1 % -> mark 19,800 > 19,700: alive, loss 1 x 200 = 200
    (a,) = stress(book, {"BTC": -0.01}, beta=False).accounts
    assert (a.pnl_usd, a.liquidated, a.liquidated_positions) == (-200, False, ())


def test_cross_account_reaching_mm_rate_one() -> None:
    book = book_from_snapshot(snapshot(_cross_long()))
    # -9 %: PnL -1,800, MM 100 x 0.91 = 91, denominator 2,000 - 1,800 = 200 -> rate 0.455
    (a,) = stress(book, {"BTC": -0.09}, beta=False).accounts
    assert (a.pnl_usd, a.mm_rate_after, a.liquidated) == (pytest.approx(-1800), pytest.approx(0.455), False)
    # -9.6 %: PnL -1,920, MM 90.4, denominator 80 -> rate 1.13 >= 1: liquidated
    (a,) = stress(book, {"BTC": -0.096}, beta=False).accounts
    assert (a.mm_rate_after, a.liquidated, a.liquidated_positions) == (pytest.approx(1.13), True, ())
    # first liquidation: 100(1 + r) = 2,000 + 20,000 r -> r = -1,900 / 19,900 = -0.0954774
    first = first_liquidation(book)
    assert (first.coin, first.account, first.symbol) == ("BTC", "Cross", None)
    assert first.shock == pytest.approx(-1900 / 19900)


def test_first_liquidation_of_the_reference_isolated_long() -> None:
    book = book_from_snapshot(snapshot(_iso_long()))
    first = first_liquidation(book)
    # liq 19,700 at mark 20,000 -> 19,700 / 20,000 - 1 = -1.5 %
    assert (first.coin, first.account, first.symbol, first.side) == ("BTC", "Iso", "BTCUSDT", "long")
    assert first.shock == pytest.approx(-0.015)
    assert first.headline == "BTC −1.5% → Iso liquidated"


def test_first_liquidation_upwards_for_a_short_and_none_without_liq() -> None:
    short = position("ETHUSDT", Side.SHORT, 10, entry=2_000, mark=2_000, liq=2_500, im=400, mm=20)
    book = book_from_snapshot(snapshot(account("S", (short,), mode=MarginMode.ISOLATED)))
    # 2,500 / 2,000 - 1 = +25 %
    assert first_liquidation(book).shock == pytest.approx(0.25)
    calm = account("Calm", (position("BTCUSDT", liq=None),), mode=MarginMode.ISOLATED)
    assert first_liquidation(book_from_snapshot(snapshot(calm, missing("Gone")))) is None


def test_classic_account_liquidates_on_position_liq_price_with_uncapped_loss() -> None:
    pos = position("BTCUSDT", Side.LONG, 1, liq=19_000, im=2_000, mm=100)
    classic = account(
        "Old", (pos,), classic=True, mode=None, wallet_=wallet(5_000, im=None, mm=None, mm_rate=None)
    )
    book = book_from_snapshot(snapshot(classic))
    (a,) = stress(book, {"BTC": -0.10}, beta=False).accounts
    # -10 % -> 18,000 <= 19,000: liquidated; cross money, so the loss is the full 2,000
    assert (a.liquidated, a.pnl_usd, a.mm_rate_after) == (True, -2000, None)
    assert first_liquidation(book).shock == pytest.approx(-0.05)  # 19,000 / 20,000 - 1


def test_beta_moves_the_other_coins() -> None:
    # ETH's daily log returns are exactly twice BTC's -> beta(ETH to BTC) = cov / var = 2
    btc_r = np.array([0.01, -0.02, 0.015, 0.005, -0.01])
    closes = {
        "BTC": 100 * np.exp(np.cumsum(np.r_[0, btc_r])),
        "ETH": 10 * np.exp(np.cumsum(np.r_[0, 2 * btc_r])),
    }
    model = ReturnModel.from_closes(closes, min_closes=2)
    eth = position("ETHUSDT", Side.LONG, 10, entry=1_000, mark=1_000)
    book = book_from_snapshot(snapshot(account("A", (eth,), wallet_=wallet(50_000, mm=50))))
    result = stress(book, {"BTC": -0.10}, model=model)
    # ETH moves 2 x -10 % = -20 %: 10 x 1,000 x -0.2 = -2,000
    assert result.total_pnl_usd == pytest.approx(-2000)
    assert dict(result.moves)["ETH"] == pytest.approx(-0.2)
    assert stress(book, {"BTC": -0.10}, model=model, beta=False).total_pnl_usd == 0


def test_stress_result_serialises_and_rejects_impossible_shocks() -> None:
    book = book_from_snapshot(snapshot(_iso_long(), missing("Gone")))
    out = stress_to_dict(stress(book, {"BTC": -0.15}, beta=False))
    assert out["shocks"] == {"BTC": -0.15} and out["liquidated_accounts"] == ["Iso"]
    gone = out["accounts"][1]
    assert (gone["equity_before_usd"], gone["pnl_usd"], gone["liquidated"]) == (None, None, False)
    assert out["first_liquidation"]["shock"] == pytest.approx(-0.015)
    with pytest.raises(ValueError):
        stress(book, {"BTC": -1.0})


# Equity above the largest MM (5 BTC × 20,000 × 0.5% = 500): an account already at MM rate 1 is
# liquidated before any shock, which these properties are not about.
books = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.floats(0.1, 5), st.floats(0.01, 0.5), st.floats(501, 20_000)),
    min_size=1,
    max_size=6,
)


def _random_book(rows):
    accounts = []
    for i, (isolated, is_long, size, gap, equity) in enumerate(rows):
        mark = 20_000.0
        liq = mark * (1 - gap) if is_long else mark * (1 + gap)
        pos = position(
            "BTCUSDT",
            Side.LONG if is_long else Side.SHORT,
            size,
            entry=mark,
            mark=mark,
            liq=liq,
            im=size * mark / 10,
            mm=size * mark * 0.005,
        )
        mode = MarginMode.ISOLATED if isolated else MarginMode.CROSS
        accounts.append(account(f"A{i}", (pos,), mode=mode, wallet_=wallet(equity, mm=size * mark * 0.005)))
    return book_from_snapshot(snapshot(*accounts))


@settings(max_examples=80, deadline=None)
@given(books)
def test_zero_shock_changes_nothing(rows) -> None:
    result = stress(_random_book(rows), {"BTC": 0.0}, beta=False)
    for a in result.accounts:
        assert a.pnl_usd == 0 and a.equity_after_usd == a.equity_before_usd and not a.liquidated


@settings(max_examples=80, deadline=None)
@given(books)
def test_first_liquidation_agrees_with_stress(rows) -> None:
    book = _random_book(rows)
    first = first_liquidation(book, beta=False)
    if first is None:
        return
    just_before = stress(book, {"BTC": first.shock * (1 - 1e-6)}, beta=False)
    just_after = stress(book, {"BTC": first.shock * (1 + 1e-6)}, beta=False)
    assert just_before.liquidated_accounts == ()
    assert first.account in just_after.liquidated_accounts


def test_each_account_has_its_own_smallest_liquidating_move() -> None:
    short = position("ETHUSDT", Side.SHORT, 10, entry=2_000, mark=2_000, liq=2_500, im=400, mm=20)
    calm = account("Calm", (position("BTCUSDT", liq=None),), mode=MarginMode.ISOLATED)
    accounts = (_iso_long(), _cross_long(), account("S", (short,), mode=MarginMode.ISOLATED), calm)
    book = book_from_snapshot(snapshot(*accounts))
    iso, cross, up, none = account_liquidations(book, beta=False)
    # Iso: its long's liq 19,700 at mark 20,000 -> -1.5 %; Cross: the MM rate reaches 1 at
    # 100(1 + r) = 2,000 + 20,000 r -> r = -1,900 / 19,900; S: its short's liq 2,500 at 2,000 -> +25 %.
    assert (iso.coin, iso.shock, iso.symbol, iso.side) == ("BTC", pytest.approx(-0.015), "BTCUSDT", "long")
    assert (cross.coin, cross.shock, cross.symbol) == ("BTC", pytest.approx(-1900 / 19900), None)
    assert (up.coin, up.shock, up.account) == ("ETH", pytest.approx(0.25), "S")
    assert none is None
    # The report carries them per account, and the headline is the smallest of them.
    report = build_report(book, beta=False)
    moves = {a.name: (a.liquidation_coin, a.liquidation_move) for a in report.accounts}
    assert moves["Cross"] == ("BTC", pytest.approx(-1900 / 19900)) and moves["Calm"] == (None, None)
    assert report.first_liquidation.account == "Iso" and moves["Iso"][1] == pytest.approx(-0.015)
