"""RiskReport.positions is a columnar PositionTable that must read exactly like the tuple of rows it was."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.account import MarginMode
from desktop_app.domain.market import Category, Side
from desktop_app.risk import PositionRisk, book_from_snapshot, build_report, report_to_dict, reprice
from desktop_app.risk.serialise import positions_to_dicts
from desktop_app.risk.table import FIELD_NAMES, PositionTable
from tests.risk.factories import account, missing, position, snapshot, wallet


def _report():
    iso = account(
        "Iso", (position("BTCUSDT", Side.LONG, 2, entry=20_000, mark=21_000, liq=19_000, im=4_000, mm=200),),
        mode=MarginMode.ISOLATED,
    )
    inverse = position(
        "ETHUSD", Side.SHORT, 3_000, category=Category.INVERSE, entry=2_000, mark=2_500, leverage=None,
        im="0.2", mm="0.01",
    )
    stale = account("Stale", (inverse,), wallet_=wallet(5_000), error="timeout")
    return build_report(book_from_snapshot(snapshot(iso, missing("Gone"), stale)))


# The rows, by hand:
# Iso BTCUSDT long 2 @ entry 20,000, mark 21,000: value 2 x 21,000 = 42,000; uPnL 2 x 1,000 = 2,000;
#   liq distance |19,000 - 21,000| / 21,000 = 2/21; exposure +42,000; IM 4,000, MM 200 (USDT = USD).
# Stale ETHUSD short 3,000 USD (inverse) @ entry 2,000, mark 2,500: value 3,000 USD; uPnL
#   -3,000 x (1/2,000 - 1/2,500) = -3,000 x 0.0001 = -0.3 ETH, x 2,500 = -750 USD; IM 0.2 x 2,500 = 500,
#   MM 0.01 x 2,500 = 25; no liqPrice and no leverage -> None; exposure -3,000; stale (its refresh failed).
EXPECTED = (
    PositionRisk(
        "Iso", "iso", "linear", "BTCUSDT", 0, "BTC", "long", 2.0, 20_000.0, 21_000.0, 42_000.0, 10.0,
        19_000.0, 2 / 21, 2_000.0, 4_000.0, 200.0, 42_000.0, False,
    ),
    PositionRisk(
        "Stale", "stale", "inverse", "ETHUSD", 0, "ETH", "short", 3_000.0, 2_000.0, 2_500.0, 3_000.0, None,
        None, None, -750.0, 500.0, 25.0, -3_000.0, True,
    ),
)


def _approx_rows(rows: Sequence[PositionRisk]) -> list[tuple[object, ...]]:
    approx = [[pytest.approx(v) if isinstance(v, float) else v for v in dataclasses.astuple(r)] for r in rows]
    return [tuple(r) for r in approx]


def test_table_reads_like_the_tuple_of_rows() -> None:
    table = _report().positions
    assert isinstance(table, PositionTable) and isinstance(table, Sequence)
    assert _approx_rows(table) == [dataclasses.astuple(r) for r in EXPECTED]
    rows = tuple(table)
    assert len(table) == 2 and table == rows and rows == table and table[-1] is rows[1]
    assert table[0:1] == rows[:1] and isinstance(table[0:1], tuple) and table[::-1] == rows[::-1]
    assert list(reversed(table)) == [rows[1], rows[0]] and table.index(rows[1]) == 1
    assert rows[0] in table and table.count(rows[1]) == 1
    assert hash(table) == hash(rows)
    assert table != rows[:1] and table != (*rows[:1], dataclasses.replace(rows[1], size=1.0))
    assert table != list(rows)  # like a tuple, never equal to a list
    with pytest.raises(IndexError):
        table[2]
    with pytest.raises(IndexError):
        table[-3]


def test_one_row_before_and_after_materialising_is_the_same_value_and_types() -> None:
    fresh = _report().positions
    lone = [fresh[0], fresh[-1]]  # built alone, the table has built no other row
    rows = fresh.rows()
    assert lone == list(rows) and fresh.rows() is rows  # built once, then kept
    for one, other in zip(lone, rows, strict=True):
        for name in FIELD_NAMES:
            assert type(getattr(one, name)) is type(getattr(other, name)), name
    assert type(rows[0].category) is str and type(rows[0].stale) is bool and type(rows[0].size) is float


def test_columns_are_read_only_and_the_book_is_not() -> None:
    book = book_from_snapshot(snapshot(account("A", (position("BTCUSDT"),))))
    table = build_report(book).positions
    with pytest.raises(ValueError):
        table.mark_price[0] = 1.0
    book.p_mark[0] = 1.0  # the Book's own array stays writable: the table holds a read-only view
    assert table.account_names == ("A",) and table.mark_price.flags.writeable is False


def test_pickled_and_copied_tables_stay_equal_and_read_only() -> None:
    report = _report()
    tuple(report.positions)  # materialised rows are a cache, not state: they are not carried over
    for clone in (pickle.loads(pickle.dumps(report)), copy.deepcopy(report)):
        assert clone == report and clone.positions.liq_price.flags.writeable is False


def test_columns_must_have_one_value_per_position() -> None:
    table = _report().positions
    with pytest.raises(ValueError):
        dataclasses.replace(table, size=np.zeros(3))


def test_reports_compare_and_serialise_as_with_a_tuple() -> None:
    report = _report()
    eager = dataclasses.replace(report, positions=tuple(report.positions))
    assert report == eager and eager == report and report == _report()
    assert report_to_dict(report) == report_to_dict(eager)
    assert report_to_dict(report)["positions"] == [dataclasses.asdict(p) for p in report.positions]


def test_non_finite_figures_become_null_in_json() -> None:
    # A short whose mark reads 0: liq distance |25,000 - 0| / 0 = inf -> None in JSON, inf in the row.
    book = book_from_snapshot(snapshot(account("Z", (position("BTCUSDT", Side.SHORT, liq=25_000),))))
    report = build_report(reprice(book, {"BTCUSDT": 0.0}))
    assert report.positions[0].liq_distance == float("inf")
    out = json.loads(json.dumps(report_to_dict(report), allow_nan=False))
    assert out["positions"][0]["liq_distance"] is None
    assert positions_to_dicts(tuple(report.positions)) == out["positions"]


def test_empty_table() -> None:
    report = build_report(book_from_snapshot(snapshot(missing("Gone"))))
    assert len(report.positions) == 0 and report.positions == () and list(report.positions) == []
    assert report_to_dict(report)["positions"] == []


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_table_equals_its_rows_built_one_field_at_a_time(data) -> None:
    n = data.draw(st.integers(0, 12))
    floats = st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n)
    cols = {name: np.array(data.draw(floats), dtype=np.float64) for name in (
        "entry_price", "mark_price", "value_usd", "leverage", "liq_price", "liq_distance",
        "unrealised_pnl_usd", "im_usd", "mm_usd",
    )}
    acc = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    coin = data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    long = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    stale = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    cats = data.draw(st.lists(st.sampled_from([Category.LINEAR, Category.INVERSE]), min_size=n, max_size=n))
    size = np.array(data.draw(st.lists(st.floats(0.001, 1e6), min_size=n, max_size=n)), dtype=np.float64)
    expo = np.array(data.draw(st.lists(st.floats(-1e9, 1e9), min_size=n, max_size=n)), dtype=np.float64)
    table = PositionTable(
        account_names=("A", "B", "C"), account_ids=("a", "b", "c"), coins=("BTC", "ETH"),
        categories=tuple(cats), symbols=tuple(f"S{j}" for j in range(n)), position_idx=tuple(range(n)),
        account_index=np.array(acc, dtype=np.int64), coin_index=np.array(coin, dtype=np.int64),
        direction=np.where(np.array(long, dtype=bool), 1.0, -1.0), size=size, exposure_usd=expo,
        stale=np.array(stale, dtype=bool), **cols,
    )

    def opt(name: str, j: int) -> float | None:
        value = float(cols[name][j])
        return None if np.isnan(value) else value

    eager = tuple(
        PositionRisk(
            "ABC"[acc[j]], "abc"[acc[j]], cats[j].value, f"S{j}", j, ("BTC", "ETH")[coin[j]],
            "long" if long[j] else "short", float(size[j]), opt("entry_price", j), opt("mark_price", j),
            opt("value_usd", j), opt("leverage", j), opt("liq_price", j), opt("liq_distance", j),
            opt("unrealised_pnl_usd", j), opt("im_usd", j), opt("mm_usd", j), float(expo[j]), stale[j],
        )
        for j in range(n)
    )
    assert [table[j] for j in range(n)] == list(eager)  # one row at a time, before materialising
    assert table == eager and tuple(table) == eager and len(table) == n
    dicts = positions_to_dicts(table)
    assert dicts == positions_to_dicts(eager)
    json.dumps(dicts, allow_nan=False)
