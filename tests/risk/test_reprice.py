"""Repricing from streamed marks, without any network call."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.account import MarginMode
from desktop_app.domain.market import Category, Side
from desktop_app.risk import book_from_snapshot, build_report, report_to_dict, reprice
from tests.risk.factories import account, missing, position, snapshot, wallet


def test_linear_reprice_moves_upnl_value_margin_and_liq_distance() -> None:
    pos = position("BTCUSDT", Side.LONG, 1, entry=20_000, mark=20_000, liq=18_000, im=2_000, mm=100)
    book = book_from_snapshot(snapshot(account("A", (pos,), wallet_=wallet(10_000, im=2_000, mm=100))))
    report = build_report(reprice(book, {"BTCUSDT": 21_000.0}))
    assert (report.repriced, report.source) == (True, "stream")
    (p,) = report.positions
    # uPnL 1 x (21,000 - 20,000) = 1,000; value 21,000; MM 100 x 21,000/20,000 = 105
    assert (p.unrealised_pnl_usd, p.value_usd, p.mm_usd, p.im_usd) == (1000, 21000, 105, 2100)
    # liq distance (21,000 - 18,000) / 21,000 = 0.142857
    assert p.liq_distance == pytest.approx(3000 / 21000)
    (a,) = report.accounts
    # equity 10,000 + 1,000; MM rate 105 / (10,000 + 1,000) = 0.0095454
    assert (a.equity_usd, a.mm_rate) == (11000, pytest.approx(105 / 11000))
    assert report.exposure[0].net_usd == 21000


def test_inverse_reprice() -> None:
    inv = position(
        "BTCUSD",
        Side.LONG,
        10_000,
        category=Category.INVERSE,
        entry=20_000,
        mark=20_000,
        im="0.05",
        mm="0.0025",
    )
    book = book_from_snapshot(snapshot(account("Inv", (inv,), wallet_=wallet(5_000, im=1_000, mm=50))))
    (p,) = build_report(reprice(book, {"BTCUSD": 25_000.0})).positions
    # uPnL = 10,000 x (1/20,000 - 1/25,000) = 0.1 BTC x 25,000 = 2,500 USD; value stays 10,000 USD;
    # MM 0.0025 BTC x 20,000 = 50 USD, and in USD it does not move (coin MM shrinks as the coin rises)
    assert (p.unrealised_pnl_usd, p.value_usd, p.mm_usd) == (pytest.approx(2500), 10000, pytest.approx(50))


def test_option_reprices_by_delta_through_its_underlying() -> None:
    perp = position("BTCUSDT", Side.SHORT, 0.5, entry=20_000, mark=20_000)
    call = position(
        "BTC-29JUL22-25000-C",
        Side.LONG,
        1,
        category=Category.OPTION,
        entry=300,
        mark=300,
        upnl=0,
        delta="0.5",
    )
    book = book_from_snapshot(snapshot(account("O", (perp, call))))
    report = build_report(reprice(book, {"BTCUSDT": 22_000.0}))
    perp_r, call_r = report.positions
    # perp: -0.5 x 2,000 = -1,000; option: delta 0.5 x (22,000 - 20,000) = +1,000
    assert (perp_r.unrealised_pnl_usd, call_r.unrealised_pnl_usd) == (-1000, pytest.approx(1000))
    # exposure: -0.5 x 22,000 + 0.5 x 22,000 = 0
    assert report.exposure[0].net_usd == pytest.approx(0)


def test_symbols_without_a_new_mark_move_with_their_coin() -> None:
    a = position("BTCUSDT", Side.LONG, 1, mark=20_000)
    b = position("BTCPERP", Side.LONG, 1, mark=20_000)
    book = book_from_snapshot(snapshot(account("A", (a, b))))
    # BTCPERP follows BTCUSDT's +5 %: 20,000 x 1.05 = 21,000
    assert [p.mark_price for p in build_report(reprice(book, {"BTCUSDT": 21_000.0})).positions] == [
        21000,
        21000,
    ]


MARKS = {"BTCUSDT": 20_000.0, "ETHUSDT": 2_000.0, "BTCUSD": 20_010.0, "SOLUSDT": 150.0}
books = st.lists(
    st.tuples(
        st.sampled_from(sorted(MARKS)),
        st.booleans(),
        st.floats(0.01, 100),
        st.floats(0.5, 1.5),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(books)
def test_repricing_with_unchanged_marks_changes_nothing(rows) -> None:
    positions = []
    for i, (symbol, is_long, size, entry_ratio, has_liq) in enumerate(rows):
        category = Category.INVERSE if symbol == "BTCUSD" else Category.LINEAR
        mark = MARKS[symbol]
        positions.append(
            position(
                symbol,
                Side.LONG if is_long else Side.SHORT,
                size,
                category=category,
                entry=mark * entry_ratio,
                mark=mark,
                liq=mark * 0.8 if has_liq else None,
                im=size,
                mm=size / 10,
                idx=i,
            )
        )
    snap = snapshot(
        account("A", tuple(positions), mode=MarginMode.ISOLATED), account("B", (positions[0],)), missing("C")
    )
    book = book_from_snapshot(snap)
    before = report_to_dict(build_report(book))
    after = report_to_dict(build_report(reprice(book, {p.symbol: float(p.mark_price) for p in positions})))
    assert (after.pop("source"), after.pop("repriced")) == ("stream", True)
    assert (before.pop("source"), before.pop("repriced")) == ("snapshot", False)
    assert after == before
    json.dumps(after)  # JSON-ready
