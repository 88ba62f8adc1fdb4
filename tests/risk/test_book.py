"""Snapshot -> Book conversion details that the vectorised conversion must keep, numbers by hand."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.domain.market import Side
from desktop_app.risk import book_from_snapshot, build_report, reprice
from tests.risk.factories import account, missing, position, snapshot, wallet


def test_each_symbol_is_looked_up_once_and_every_holder_moves() -> None:
    a = account("A", (position("BTCUSDT", Side.LONG, 1, mark=20_000), position("ETHUSDT", mark=2_000)))
    b = account("B", (position("BTCUSDT", Side.SHORT, 2, mark=20_000), position("BTCPERP", mark=20_100)))
    book = book_from_snapshot(snapshot(a, missing("Gone"), b))
    assert book.unique_symbols == ("BTCUSDT", "ETHUSDT", "BTCPERP")  # first appearance order
    assert book.p_symbol.tolist() == [0, 1, 0, 2]
    marks = [p.mark_price for p in build_report(reprice(book, {"BTCUSDT": 22_000.0})).positions]
    # both BTCUSDT legs take the new mark; BTCPERP follows BTC's 22,000 / 20,000 = 1.1 -> 20,100 x 1.1
    # = 22,110; ETH has no new price and no ratio -> unchanged
    assert marks == [22_000.0, 2_000.0, 22_000.0, pytest.approx(22_110.0)]


def test_account_margin_falls_back_to_the_sum_of_its_positions() -> None:
    no_totals = wallet(10_000, im=None, mm=None, mm_rate=None)
    full = account(
        "Full", (position("BTCUSDT", im=100, mm=10), position("ETHUSDT", im=250, mm=5)), wallet_=no_totals
    )
    partial = account(
        "Partial", (position("BTCUSDT", im=100, mm=10), position("ETHUSDT", im=None, mm=5)), wallet_=no_totals
    )
    empty = account("Empty", (), wallet_=no_totals)
    by_name = {a.name: a for a in build_report(book_from_snapshot(snapshot(full, partial, empty))).accounts}
    # Full: IM 100 + 250 = 350, MM 10 + 5 = 15; Partial: one IM unknown -> None, MM 10 + 5 = 15
    assert (by_name["Full"].im_usd, by_name["Full"].mm_usd) == (350.0, 15.0)
    assert (by_name["Partial"].im_usd, by_name["Partial"].mm_usd) == (None, 15.0)
    # no positions: nothing to sum, unknown rather than 0
    assert (by_name["Empty"].im_usd, by_name["Empty"].mm_usd) == (None, None)


def test_exposure_lists_holders_in_account_order_once_each() -> None:
    zed = account("Zed", (position("BTCUSDT"), position("BTCPERP")))  # two BTC longs, one account
    amy = account("Amy", (position("BTCUSDT", size=0.5),))
    bob = account(
        "Bob", (position("BTCUSDT", Side.SHORT, 0.25), position("ETHUSDT", Side.SHORT, 1, mark=2_000))
    )
    btc, eth = build_report(book_from_snapshot(snapshot(zed, amy, bob))).exposure
    assert (btc.long_accounts, btc.short_accounts) == (("Zed", "Amy"), ("Bob",))
    assert (eth.long_accounts, eth.short_accounts) == ((), ("Bob",))
    # long 1 x 20,000 + 1 x 20,000 + 0.5 x 20,000 = 50,000; short 0.25 x 20,000 = 5,000
    assert (btc.long_usd, btc.short_usd, eth.short_usd) == (50_000.0, 5_000.0, 2_000.0)


def test_columns_are_contiguous_float64() -> None:
    book = book_from_snapshot(snapshot(account("A", (position("BTCUSDT", liq=18_000),))))
    for column in (book.p_size, book.p_mark, book.p_entry, book.p_liq, book.p_lev, book.p_upnl, book.p_delta):
        assert column.dtype == np.float64 and column.flags.c_contiguous
    # delta is only given for options: NaN (unknown), never 0
    assert (book.p_liq[0], np.isnan(book.p_delta[0])) == (18_000.0, True)
