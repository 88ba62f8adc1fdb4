"""The charts read roll-ups for long ranges and draw the same curves: min and max kept, so a spike is
never smoothed away; the newest bucket is read again as it grows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop_app.storage.history import HistoryReader, HistoryWriter
from desktop_app.storage.history_schema import open_history_db
from desktop_app.ui.charts.buckets import bucket_points
from desktop_app.ui.charts.data import ChartData, NamedSeries, SeriesCache, with_detail
from desktop_app.ui.charts.decimate import MinMaxPyramid
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.charts.loader import HistoryLoaderHost
from tests.storage.test_history_rollup import T0, _v4_file
from tests.storage.test_history_writer import sample, snap
from tests.ui.recorder import Recorder

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
    assert raw_main.times_s.size == 1080 and rolled_main.times_s.size == 2 * 90 + 1  # min, max; the last
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


def test_buckets_are_drawn_as_min_max_strokes_joined_top_to_top() -> None:
    starts = np.array([0.0, 60.0, 120.0])
    low, high, last = np.array([1.0, 3.0, 2.0]), np.array([2.0, 9.0, 4.0]), np.array([2.0, 4.0, 3.0])
    times, values = bucket_points((starts, low, high, last, np.array([55.0, 115.0, 130.0])), 60)
    # Bucket 0 (even) min then max, bucket 1 max then min, bucket 2 min then max; then the last value.
    assert values.tolist() == [1.0, 2.0, 9.0, 3.0, 2.0, 4.0, 3.0]
    assert times.tolist() == [27.5, 27.5, 87.5, 87.5, 125.0, 125.0, 130.0]


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
    assert sorted(second.values[-3:-1].tolist()) == [10.0, 15_199.0] and second.values[-1] == 10.0
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


def test_with_detail_replaces_the_zoomed_window_only() -> None:
    def chart(times: list[float], values: list[float]) -> ChartData:
        t, v = np.array(times), np.array(values)
        return ChartData(NamedSeries("Total", t, v), (NamedSeries("Main", t, v),), (), ())

    coarse = chart([0.0, 30.0, 60.0, 90.0, 120.0], [1.0, 5.0, 2.0, 6.0, 3.0])
    detail = chart([25.0, 40.0, 50.0, 70.0, 95.0], [7.0, 8.0, 9.0, 10.0, 11.0])  # reaches past both ends
    merged = with_detail(coarse, detail, 30.0, 90.0)
    for series in (merged.total_equity_usd, merged.equity_usd[0]):
        assert series.times_s.tolist() == [0.0, 40.0, 50.0, 70.0, 120.0]
        assert series.values.tolist() == [1.0, 8.0, 9.0, 10.0, 3.0]


def test_a_window_zoomed_into_by_hand_is_read_at_its_own_resolution(qtbot, tmp_path: Path) -> None:
    path = _migrated(tmp_path)
    charts = HistoryChartsWidget(clock=lambda: END_S, render_interval_ms=20, reload_interval_ms=60_000)
    qtbot.addWidget(charts)
    charts.resize(900, 700)
    charts._columns = lambda: 40  # a chart 40 pixels wide: 90 minutes are read as 1-minute buckets
    charts.show()
    qtbot.waitExposed(charts)
    loader = HistoryLoaderHost(path)
    try:
        Recorder(loader.sig_data).next_item(qtbot, lambda: charts.set_loader(loader))
        main = charts.equity_plot.curves["Main"]
        assert main.getOriginalDataset()[0].size == 2 * 90 + 1  # buckets: min and max each, then the last
        # Zoom by hand into the five minutes around the spike, and let the pan settle.
        windows = Recorder(loader.sig_window)
        charts._on_manual_range()
        charts.show_time(T0 + 2400, T0 + 2700)
        windows.next_item(qtbot, charts._fit_y_exactly)
        qtbot.waitUntil(lambda: 50_000.0 in main.getOriginalDataset()[1].tolist())
        times, values = main.getOriginalDataset()
        inside = (times >= T0 + 2400) & (times <= T0 + 2700)
        assert times[inside].tolist() == [T0 + 2400 + 5 * k for k in range(61)]  # every sample
        assert values.max() == 50_000.0
        # Choosing a range again shows the range's own read, and follows "now".
        charts.set_range("All")
        charts.render_now()
        assert main.getOriginalDataset()[0].size == 2 * 90 + 1
    finally:
        loader.shutdown()
