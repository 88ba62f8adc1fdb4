"""The history plots' date axes share their ticks: while panning, every axis shows exactly the ticks
pyqtgraph's own date axis would work out for that range."""

from __future__ import annotations

import time

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont, QFontMetrics

from desktop_app.ui.charts.axes import DateAxis, DateTicks

END_S = 1_790_000_000.0
WEEK_S = 7 * 86_400.0


def with_font(axis: pg.DateAxisItem) -> pg.DateAxisItem:
    axis.fontMetrics = QFontMetrics(QFont())  # set by the painter in generateDrawSpecs when drawn
    return axis


Levels = list[tuple[float, list[float]]]


def in_range(levels: Levels, low: float, high: float) -> Levels:
    # pyqtgraph may add ticks just outside the range (for daylight-saving shifts); the axis drops them.
    return [(spacing, [v for v in values if low <= v <= high]) for spacing, values in levels]


@pytest.mark.parametrize(("span_s", "step_s"), [(3600.0, 120.0), (86_400.0, 1800.0), (WEEK_S, 7200.0)])
def test_shared_ticks_match_pyqtgraph_while_panning(qapp, span_s: float, step_s: float) -> None:
    ticks = DateTicks()
    upper, lower = with_font(DateAxis(ticks)), with_font(DateAxis(ticks))
    oracle = with_font(pg.DateAxisItem(orientation="bottom"))
    oracle.zoomLevels = ticks.zoom_levels
    size_px = 1190.0
    for frame in range(60):  # a pan back in time, past the stretch the shared ticks were worked out for
        high = END_S - frame * step_s
        low = high - span_s
        expected = in_range(oracle.tickValues(low, high, size_px), low, high)
        assert upper.tickValues(low, high, size_px) == expected
        assert lower.tickValues(low, high, size_px) == expected
        assert upper.zoomLevel is oracle.zoomLevel and lower.zoomLevel is oracle.zoomLevel
        assert sum(len(values) for _, values in expected) > 0


def test_a_zoom_changes_the_zoom_level(qapp) -> None:
    ticks = DateTicks()
    axis, oracle = with_font(DateAxis(ticks)), with_font(pg.DateAxisItem(orientation="bottom"))
    oracle.zoomLevels = ticks.zoom_levels
    for span_s in (WEEK_S, 3600.0, 86_400.0):
        levels = axis.tickValues(END_S - span_s, END_S, 1190.0)
        assert levels == in_range(oracle.tickValues(END_S - span_s, END_S, 1190.0), END_S - span_s, END_S)
        assert axis.zoomLevel is oracle.zoomLevel


def test_a_span_of_seconds_is_labelled_with_times_of_day(qapp) -> None:
    # A demo run or a deep zoom shows seconds: each tick reads 22:48:38, not pyqtgraph's "38.000".
    axis = with_font(DateAxis())
    low, high = END_S, END_S + 6.0  # 6 s over 1,190 px: pyqtgraph's millisecond level would apply
    levels = axis.tickValues(low, high, 1190.0)
    spacing, values = levels[-1]  # the finest level shown
    assert spacing >= 1.0 and values
    labels = axis.tickStrings(values, 1.0, spacing)
    assert labels == [time.strftime("%H:%M:%S", time.localtime(v)) for v in values]
