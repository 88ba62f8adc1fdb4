"""Each account's positions are converted once per fetch: a cached conversion gives the same book."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from desktop_app.domain.market import Category, Side
from desktop_app.risk import book_from_snapshot
from desktop_app.risk.columns import ColumnCache
from tests.risk.factories import account, missing, position, snapshot


def _books_equal(a: object, b: object) -> None:
    for f in fields(a):  # type: ignore[arg-type]
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, np.ndarray):
            np.testing.assert_array_equal(left, right, err_msg=f.name)
            assert left.dtype == right.dtype, f.name
        else:
            assert left == right, f.name


def _portfolio() -> tuple:
    hedge = account("Hedge", (position("BTCUSD", Side.SHORT, 40_000, category=Category.INVERSE, mm=0.01),
                              position("ETHUSDT", mark=None, entry=2_000, mm=3)))
    main = account("Main", (position("BTCUSDT", size=0.5, liq=15_000, mm=40),
                            position("BTC-26DEC25-30000-C", size=2, category=Category.OPTION, delta=0.4)))
    return hedge, main


def test_a_new_fetch_of_one_account_converts_only_that_account() -> None:
    hedge, main = _portfolio()
    cache = ColumnCache()
    first = book_from_snapshot(snapshot(hedge, missing("Gone"), main), cache=cache)
    assert cache.misses == 2
    # Main is fetched again (a new tuple, a new size); Hedge keeps its data, as the refresher does.
    main_again = replace(main, data=replace(main.data, positions=(
        position("BTCUSDT", size=0.75, liq=15_000, mm=60), *main.data.positions[1:])))
    second = book_from_snapshot(snapshot(hedge, missing("Gone"), main_again), cache=cache)
    assert cache.misses == 3
    # The cached Hedge columns and the new Main columns give the book a cold conversion gives.
    cold = book_from_snapshot(snapshot(hedge, missing("Gone"), main_again), cache=ColumnCache())
    _books_equal(second, cold)
    assert second.p_size.tolist() == [40_000.0, 1.0, 0.75, 2.0]
    assert first.p_size.tolist() == [40_000.0, 1.0, 0.5, 2.0]


def test_books_built_from_cached_columns_stay_independent() -> None:
    hedge, main = _portfolio()
    cache = ColumnCache()
    one = book_from_snapshot(snapshot(hedge, main), cache=cache)
    two = book_from_snapshot(snapshot(hedge, main), cache=cache)
    assert cache.misses == 2
    two.p_size[0] = 1.0  # a book's columns are its own: writing one never reaches the cache or another book
    assert one.p_size[0] == 40_000.0
    assert book_from_snapshot(snapshot(hedge, main), cache=cache).p_size[0] == 40_000.0


def test_an_evicted_tuple_is_converted_again_not_confused_with_a_newer_one() -> None:
    cache = ColumnCache(max_accounts=1)
    a = account("A", (position("BTCUSDT", size=1),))
    b = account("B", (position("ETHUSDT", size=3, mark=2_000),))
    assert book_from_snapshot(snapshot(a), cache=cache).p_size.tolist() == [1.0]
    assert book_from_snapshot(snapshot(b), cache=cache).p_size.tolist() == [3.0]
    assert book_from_snapshot(snapshot(a), cache=cache).p_size.tolist() == [1.0]
    assert cache.misses == 3


def test_cached_columns_are_read_only() -> None:
    columns = ColumnCache().columns((position("BTCUSDT"),))
    with pytest.raises(ValueError):
        columns.values[0, 0] = 2.0
