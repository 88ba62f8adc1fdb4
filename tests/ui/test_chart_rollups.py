"""The charts read roll-ups for long ranges and draw the same curves: min and max kept, so a spike is
never smoothed away; the newest bucket is read again as it grows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop_app.storage.history import HistoryReader, HistoryWriter
from desktop_app.storage.history_schema import open_history_db
from desktop_app.ui.charts.buckets import bucket_points
from desktop_app.ui.charts.data import SeriesCache
from desktop_app.ui.charts.decimate import MinMaxPyramid
from tests.storage.test_history_rollup import T0, _v4_file
from tests.storage.test_history_writer import sample, snap

END_S = T0 + 5 * 1079


def _migrated(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    _v4_file(path)
    open_history_db(path).close()
    return path


def test_a_one_sample_spike_survives_the_roll_up_and_the_drawing(tmp_path: Path) -> None:
    path = _migrated(tmp_path)
    with HistoryReader(path) as reader:
        raw = SeriesCache().load(reader, 0.0, columns=10**6)  # too many columns for any roll-up
        rolled_cache = SeriesCache()
        rolled = rolled_cache.load(reader, 0.0, columns=40)  # 90 minutes in 40 px: 1-minute buckets
    assert rolled_cache.width_s == 60
    raw_main, rolled_main = raw.equity_usd[0], rolled.equity_usd[0]
    assert raw_main.name == rolled_main.name == "Main"
    assert raw_main.times_s.size == 1080 and rolled_main.times_s.size == 3 * 90  # 3 points per minute
    assert rolled_main.values.max() == 50_000.0 and rolled_main.values.min() == 10_000.0
    # Drawn into 40 columns, both show the spike and the same extent; each pixel column's band of the
    # roll-up lies within the raw band of that column and its neighbours (buckets do not align to pixels).
    for series in (raw_main, rolled_main):
        envelope = MinMaxPyramid(series.times_s, series.values).envelope(T0, END_S, 40)
        assert envelope.extent == (10_000.0, 50_000.0)
        assert envelope.values.max() == 50_000.0
    # The newest point is the newest sample.
    assert (rolled_main.times_s[-1], rolled_main.values[-1]) == (END_S, 11_079.0)
    # Spot's stale stretch (T0 + 1,500 .. 1,995 s) is a gap in both, the roll-up's up to the start of
    # the minute it ends in; MM rate only for Main (Spot is classic).
    assert [s.name for s in rolled.mm_rate] == [s.name for s in raw.mm_rate] == ["Main"]
    spot = rolled.equity_usd[1].times_s
    assert not np.any((spot > T0 + 1495) & (spot < T0 + 1980))


def test_bucket_points_keep_the_direction_of_the_data() -> None:
    starts = np.array([0.0, 60.0])
    low, high, last = np.array([1.0, 3.0]), np.array([2.0, 9.0]), np.array([2.0, 4.0])
    times, values = bucket_points((starts, low, high, last, np.array([55.0, 115.0])))
    # Rising bucket: min, max, last; falling one (last nearer the min): max, min, last.
    assert values.tolist() == [1.0, 2.0, 2.0, 9.0, 3.0, 4.0]
    assert times.tolist() == [0.0, 27.5, 55.0, 60.0, 87.5, 115.0]


def test_a_reload_reads_the_newest_bucket_again_as_it_grows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T0) as writer:
        for k in range(200):
            writer.submit(sample(T0 + 30 * k, main_equity=15_000.0 + k), snap(T0 + 30 * k))
        assert writer.flush(5)
        with HistoryReader(path) as reader:
            cache = SeriesCache()
            first = cache.load(reader, 0.0, columns=100)  # 100 minutes in 100 px: 1-minute buckets
            assert cache.width_s == 60
            main = {s.name: s for s in first.equity_usd}["Main"]
            assert main.values[-1] == 15_199.0
            # A sample into the open minute (T0 + 5,970 s is in the bucket of T0 + 5,940) with a new low.
            writer.submit(sample(T0 + 5_990, main_equity=10.0), snap(T0 + 5_990))
            assert writer.flush(5)
            second = {s.name: s for s in cache.load(reader, 0.0, columns=100).equity_usd}["Main"]
    assert second.times_s.size == main.times_s.size  # the same buckets, the newest one grown
    assert second.values[-3:].tolist() == [15_199.0, 10.0, 10.0]
    assert second.times_s[-1] == T0 + 5_990
    np.testing.assert_array_equal(second.values[:-3], main.values[:-3])


def test_a_pyramid_extended_with_a_changed_tail_draws_like_a_new_one() -> None:
    rng = np.random.default_rng(3)
    times = np.arange(1000.0)
    values = rng.normal(size=1000)
    old = MinMaxPyramid(times[:990], values[:990])
    changed = values.copy()
    changed[985] = 40.0  # a sample the old pyramid had, changed (an open bucket's max), plus new ones
    grown = old.extended(times, changed)
    fresh = MinMaxPyramid(times, changed)
    for columns in (10, 50, 300):
        a, b = grown.envelope(0.0, 999.0, columns), fresh.envelope(0.0, 999.0, columns)
        np.testing.assert_array_equal(a.values, b.values)
        assert a.extent == b.extent and a.extent[1] == 40.0
