"""Panning the history charts: the four plots move together, each redraws only the visible samples,
the Y range follows what is visible, the crosshair reads exact samples, a resize redraws."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.ui.charts.data import ChartData, NamedSeries
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.charts.synthetic import synthetic_history

END_S = 1_790_000_000.0
STEP_S = 5.0


def stepped_data(spike_usd: float = 500.0) -> ChartData:
    """Two hours of 5 s samples ending at END_S. Main's equity is 100 USD before END_S − 3600, then
    200 USD from END_S − 3600 on, with one spike of `spike_usd` at END_S − 1800; the others are flat."""
    times = END_S - STEP_S * np.arange(1440, -1, -1, dtype=np.float64)  # 1441 samples, 7200 s
    equity = np.where(times < END_S - 3600, 100.0, 200.0)
    equity[times == END_S - 1800] = spike_usd
    flat = np.full(times.size, 1.0)
    return ChartData(NamedSeries("Total", times, equity), (NamedSeries("Main", times, equity),),
                     (NamedSeries("Main", times, flat * 0.2),), (NamedSeries("BTC", times, flat * 1000),))


def week_of_counts() -> ChartData:
    """A week of 5 s samples (120,960) whose value is the sample's index: sample i is worth i USD."""
    times = END_S - STEP_S * np.arange(120_959, -1, -1, dtype=np.float64)
    counts = np.arange(times.size, dtype=np.float64)
    series = NamedSeries("Main", times, counts)
    return ChartData(NamedSeries("Total", times, counts), (series,), (), ())


@pytest.fixture
def charts(qtbot):
    widget = HistoryChartsWidget(clock=lambda: END_S, render_interval_ms=20, reload_interval_ms=60_000)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def y_range(plot) -> tuple[float, float]:
    low, high = plot.view.viewRange()[1]
    return float(low), float(high)


def test_panning_any_plot_moves_all_four_and_redraws_them(charts) -> None:
    charts.set_series(stepped_data())
    charts.render_now()
    charts.set_range("1 h")
    # A drag on the MM-rate plot: its view moves to the first hour of the two, less its last 5 s.
    charts.mm_plot.view.setXRange(END_S - 7200, END_S - 3605, padding=0.0)
    for plot in charts.plots:
        assert tuple(plot.view.viewRange()[0]) == pytest.approx((END_S - 7200, END_S - 3605), abs=1e-6)
    # The equity curve now draws the samples END_S − 7200 … END_S − 3605 ((7200 − 3605) / 5 + 1 = 720,
    # no neighbour before the first sample) and the neighbour after (END_S − 3600, 200 USD).
    x, y = charts.equity_plot.curves["Main"].getData()
    assert x[0] == END_S - 7200 and x[-1] == END_S - 3600
    assert y[:-1].tolist() == [100.0] * 720 and y[-1] == 200.0


def test_the_y_range_fits_the_samples_in_view_after_a_pan(charts) -> None:
    charts.set_series(stepped_data())
    charts.render_now()
    charts.set_range("1 h")
    # Last hour: 200 … 500 USD (the spike). Margin 6 % of 300 = 18: 182 … 518.
    assert y_range(charts.equity_plot) == pytest.approx((182.0, 518.0))
    charts.exposure_plot.view.setXRange(END_S - 7200, END_S - 3605, padding=0.0)
    # First hour: 100 USD only (the 200 just after the window is drawn, not in view). A flat line gets
    # a margin of 5 % of its value: 95 … 105.
    assert y_range(charts.equity_plot) == pytest.approx((95.0, 105.0))
    assert y_range(charts.total_plot) == pytest.approx((95.0, 105.0))


def test_a_pan_keeps_a_roomy_y_range_until_it_stops_then_fits(charts, qtbot) -> None:
    charts.set_series(stepped_data())
    charts.render_now()
    # 24 h shows both hours: 100 … 500 USD, margin 6 % of 400 = 24: 76 … 524.
    assert y_range(charts.equity_plot) == pytest.approx((76.0, 524.0))
    # A drag to the last hour (200 … 500, wanted 182 … 518): 76 … 524 still holds it and is not
    # much too tall (448 <= 1.4 × 336), so the axis stays put while dragging…
    charts.exposure_plot.view.setXRange(END_S - 3600 + 2.5, END_S + 2.5, padding=0.0)
    assert y_range(charts.equity_plot) == pytest.approx((76.0, 524.0))
    # …and fits exactly once the drag stops.
    qtbot.waitUntil(lambda: y_range(charts.equity_plot) == pytest.approx((182.0, 518.0)), timeout=2000)


def test_a_reload_keeps_the_y_range_while_it_holds_the_data(charts) -> None:
    charts.set_series(stepped_data())
    charts.render_now()
    charts.set_range("1 h")
    assert y_range(charts.equity_plot) == pytest.approx((182.0, 518.0))  # 200 … 500, margin 18
    # New samples with a smaller spike, 480: 200 … 480 would want 183.2 … 496.8 (margin 16.8); the
    # shown 182 … 518 holds it with half a margin to spare and is not much too tall (336 <= 1.4 ×
    # 313.6), so the axis stays put.
    charts.set_series(stepped_data(480.0))
    charts.render_now()
    assert y_range(charts.equity_plot) == pytest.approx((182.0, 518.0))
    # A spike of 600 does not fit: 200 … 600 with a margin of 24 is 176 … 624.
    charts.set_series(stepped_data(600.0))
    charts.render_now()
    assert y_range(charts.equity_plot) == pytest.approx((176.0, 624.0))


def test_the_crosshair_reads_the_exact_sample_behind_a_decimated_curve(charts) -> None:
    charts.set_series(week_of_counts())
    charts.render_now()
    charts.set_range("7 d")
    # A week on ~800 pixels is drawn as blocks of 256 samples, so sample 54,321 is not a drawn point…
    x, _ = charts.equity_plot.curves["Main"].getData()
    sample_s = END_S - STEP_S * (120_959 - 54_321)
    assert sample_s not in x
    # …but 2 s after it the readout shows that sample's value: 54,321 USD is "$54.32k".
    charts.crosshair_at(sample_s + 2.0)
    assert "Main $54,321" in charts.equity_plot.readout_html
    assert "Total $54,321" in charts.total_plot.readout_html


def test_a_week_in_view_keeps_the_crash_and_draws_two_points_per_column(charts) -> None:
    data = synthetic_history(accounts=2, days=7.0, step_s=5.0, end_s=END_S, seed=1)
    charts.set_series(data)
    charts.render_now()
    charts.set_range("7 d")
    columns = int(charts.total_plot.view.width())
    x, y = charts.total_plot.curves["Total"].getData()
    # 120,960 samples, at most one max and one min per pixel column; the week's lowest and highest
    # total equity (the crash) are among the drawn points.
    assert 0 < x.size <= 2 * columns
    assert y.min() == data.total_equity_usd.values.min()
    assert y.max() == data.total_equity_usd.values.max()


def test_a_wider_plot_draws_more_columns(charts, qtbot) -> None:
    charts.set_series(week_of_counts())
    charts.render_now()
    charts.set_range("7 d")
    narrow = charts.total_plot.curves["Total"].getData()[0].size
    charts.resize(1800, 700)
    qtbot.waitUntil(lambda: charts.total_plot.view.width() > 1500, timeout=2000)
    wide = charts.total_plot.curves["Total"].getData()[0].size
    columns = int(charts.total_plot.view.width())
    # Blocks of a power of two samples, at most one per column: a plot about twice as wide halves the
    # block size and so doubles the points, still at most two per column.
    assert wide == pytest.approx(2 * narrow, rel=0.05)
    assert wide <= 2 * columns
