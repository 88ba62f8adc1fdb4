"""One history plot: named curves on a date axis, a reference line, a crosshair readout.

Performance rules from pyqtgraph's own documentation, because a week of 5-second samples is 120,960
points per curve and there can be 20 accounts:
- each curve is created once (on the first series of that name) and then only updated by `setData`;
- peak downsampling (min/max envelope per pixel column, faithful to spikes and crashes) and
  clip-to-view, which pyqtgraph skips while X auto-range is on, so the X range is always explicit;
- pen width 1, opaque colours, no antialiasing.
"""

from __future__ import annotations

import html
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems import DateAxisItem as dates
from PySide6.QtGui import QColor, QPainter, QPen

from desktop_app.ui.charts_data import NamedSeries

# Twelve hues that stay distinguishable and readable on light and dark backgrounds.
PALETTE = (
    "#3b82f6", "#d98a00", "#2f9e5b", "#e0464b", "#8b5cf6", "#0ea5b7",
    "#c2410c", "#db2777", "#65a30d", "#64748b", "#a16207", "#4f46e5",
)
class Formatter(Protocol):
    """Formats a value; `step` is the distance between axis ticks, so neighbours never print alike."""

    def __call__(self, value: float, step: float | None = None) -> str: ...
_READOUT_ROWS = 6  # the crosshair readout lists this many curves, most significant first


def _decimals_for(step: float | None, default: int) -> int:
    """Enough decimals that two values `step` apart print differently (axis ticks on a narrow range)."""
    if step is None or not math.isfinite(step) or step <= 0:
        return default
    return max(default, min(4, math.ceil(-math.log10(step))))  # 4: the label must fit the axis


def compact_usd(value: float, step: float | None = None) -> str:
    """-1234567 -> '−$1.23M'; 950 -> '$950'. With `step`, as many decimals as ticks that far apart need."""
    if not math.isfinite(value):
        return "—"
    sign = "−" if value < 0 else ""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            if step is not None and 0 < step < limit * 1e-4:
                # Ticks closer than the 4th decimal of the suffix: whole dollars tell them apart.
                return f"{sign}${size:,.0f}"
            scaled_step = None if step is None else step / limit
            decimals = _decimals_for(scaled_step, 2 if size / limit < 100 else 1)
            return f"{sign}${size / limit:.{decimals}f}{suffix}"
    return f"{sign}${size:.{_decimals_for(step, 0)}f}"


def percent(value: float, step: float | None = None) -> str:
    """A rate already in percent: 82.04 -> '82.0%'."""
    return f"{value:.{_decimals_for(step, 1)}f}%" if math.isfinite(value) else "—"


class _OpaqueGridMixin:
    """Grid and tick lines drawn opaque, in the colour they would have over the background.

    pyqtgraph fades grid lines with alpha; Qt's raster engine draws translucent non-antialiased
    lines about ten times slower than opaque ones (28 grid lines: ~6 ms against ~0.5 ms), which
    alone ate a 33 ms frame budget with eight axes. The axes are put behind the curves (z -1) so
    an opaque grid line never hides a curve.
    """

    background = QColor("#ffffff")
    _pens: dict[tuple[int, int], QPen]

    def generateDrawSpecs(self, p: QPainter) -> object:
        specs = super().generateDrawSpecs(p)  # type: ignore[misc]
        if specs is None:
            return None
        axis_spec, tick_specs, text_specs = specs
        return axis_spec, [(self._opaque(pen), p1, p2) for pen, p1, p2 in tick_specs], text_specs

    def _opaque(self, pen: QPen) -> QPen:
        colour = pen.color()
        if colour.alpha() == 255:
            return pen
        key = (colour.rgba(), self.background.rgba())
        cached = self.__dict__.setdefault("_pens", {}).get(key)
        if cached is None:
            a, bg = colour.alphaF(), self.background
            cached = QPen(pen)
            cached.setColor(QColor.fromRgbF(bg.redF() * (1 - a) + colour.redF() * a,
                                             bg.greenF() * (1 - a) + colour.greenF() * a,
                                             bg.blueF() * (1 - a) + colour.blueF() * a))
            self._pens[key] = cached
        return cached


class ValueAxis(_OpaqueGridMixin, pg.AxisItem):
    """A left axis whose tick labels use the plot's formatter ($1.2M, 82.0%) instead of SI prefixes."""

    def __init__(self, formatter: Formatter) -> None:
        super().__init__("left")
        self._formatter = formatter

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._formatter(v * scale, spacing * scale) for v in values]


def _date_zoom_levels() -> OrderedDict[float, dates.ZoomLevel]:
    """pyqtgraph's zoom levels, with the month on day ticks: a bare "15" reads as a number."""
    day = dates.TickSpec(dates.DAY_SPACING, dates.makeSStepper(dates.DAY_SPACING), "%a %d %b")
    return OrderedDict([
        (np.inf, dates.YEAR_MONTH_ZOOM_LEVEL),
        (5 * 86_400, dates.ZoomLevel([
            dates.TickSpec(dates.MONTH_SPACING, dates.makeMStepper(1), "%b %Y"),
            dates.TickSpec(dates.DAY_SPACING, dates.makeSStepper(dates.DAY_SPACING), "%d %b",
                           autoSkip=[1, 5]),
        ], "00 MMM")),
        (6 * 3600, dates.ZoomLevel([
            day, dates.TickSpec(dates.HOUR_SPACING, dates.makeSStepper(dates.HOUR_SPACING), "%H:%M",
                                autoSkip=[1, 6]),
        ], "Mon 00 MMM")),
        (15 * 60, dates.ZoomLevel([
            day, dates.TickSpec(dates.MINUTE_SPACING, dates.makeSStepper(dates.MINUTE_SPACING), "%H:%M",
                                autoSkip=[1, 5, 15]),
        ], "Mon 00 MMM")),
        (30, dates.HMS_ZOOM_LEVEL),
        (1, dates.MS_ZOOM_LEVEL),
    ])


class DateAxis(_OpaqueGridMixin, pg.DateAxisItem):
    """Local-time date axis whose day ticks carry the month ("Mon 15 Sep", "15 Sep")."""

    def __init__(self) -> None:
        super().__init__(orientation="bottom")
        self.zoomLevels = _date_zoom_levels()


class HistoryPlot:
    """A PlotItem (inside a GraphicsLayout) with curves by name. `scale` multiplies the values
    (100 for rates shown in percent); `rank` orders the readout (largest first)."""

    def __init__(self, title: str, *, formatter: Formatter, scale: float = 1.0,
                 reference: tuple[float, str] | None = None,
                 rank: Callable[[float], float] = abs, show_dates: bool = True, legend: bool = True) -> None:
        self.title = title
        self.formatter = formatter
        self.scale = scale
        self.rank = rank
        self.item = pg.PlotItem(axisItems={"bottom": DateAxis(),
                                           "left": ValueAxis(formatter)})
        self.item.setMenuEnabled(False)
        self.item.showGrid(x=True, y=True, alpha=0.15)
        self.item.setDownsampling(auto=True, mode="peak")
        self.item.setClipToView(True)
        self.item.hideButtons()
        self.item.getAxis("bottom").setStyle(showValues=show_dates)
        for side in ("left", "bottom"):
            self.item.getAxis(side).setZValue(-1)  # grid behind the curves (see _OpaqueGridMixin)
        # X is set by the range selector (clip-to-view needs an explicit X range); Y is fitted by
        # `fit_y` to what is visible, from the already clipped and downsampled display data, which
        # is far cheaper than pyqtgraph's auto-visible range. The mouse pans and zooms time only.
        self.item.enableAutoRange(x=False, y=False)
        self.item.setMouseEnabled(x=True, y=False)
        self._reference_level: float | None = None
        self.legend = self.item.addLegend(offset=(8, 4), colCount=4, labelTextSize="8pt") if legend else None
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._data: dict[str, NamedSeries] = {}
        self.crosshair = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", width=1))
        self.crosshair.setVisible(False)
        self.item.addItem(self.crosshair, ignoreBounds=True)
        if reference is not None:
            level, label = reference
            self._reference_level = level * scale
            line = pg.InfiniteLine(pos=level * scale, angle=0, movable=False,
                                   pen=pg.mkPen("#e0464b", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                   label=label, labelOpts={"position": 1.0, "color": "#e0464b",
                                                               "anchors": [(1, 0), (1, 0)]})
            self.item.addItem(line, ignoreBounds=False)
        self.set_readout("")

    def set_background(self, colour: QColor, text_colour: QColor) -> None:
        """The palette colours behind and on the plot: the opaque grid lines are blended against the
        background, and the legend takes both so it reads in light and dark themes."""
        if self.legend is not None:
            box = QColor(colour)
            box.setAlpha(215)
            self.legend.setBrush(pg.mkBrush(box))
            self.legend.setLabelTextColor(QColor(text_colour))
        for side in ("left", "bottom"):
            axis = self.item.getAxis(side)
            axis.background = QColor(colour)
            axis.picture = None  # redraw with the new colour
            axis.update()

    def set_series(self, series: Sequence[NamedSeries]) -> None:
        """Show these series; a new name gets a new curve, a known name keeps its curve, a name that
        is gone keeps its curve, emptied and hidden (an account can come back)."""
        wanted = {s.name for s in series}
        for name, curve in self.curves.items():
            if name not in wanted:
                curve.setData(np.empty(0), np.empty(0))
                curve.setVisible(False)
                self._data.pop(name, None)
        for s in series:
            curve = self.curves.get(s.name) or self._new_curve(s.name)
            values = s.values * self.scale if self.scale != 1.0 else s.values
            curve.setData(s.times_s, values)
            curve.setVisible(True)
            self._data[s.name] = s

    def _new_curve(self, name: str) -> pg.PlotDataItem:
        colour = PALETTE[len(self.curves) % len(PALETTE)]
        curve = pg.PlotDataItem(pen=pg.mkPen(colour, width=1), name=name, antialias=False)
        curve.setDownsampling(auto=True, method="peak")
        # pyqtgraph keeps ~5 samples per pixel by default. A peak envelope keeps every spike with one
        # min/max pair per two pixel columns, from 10x fewer points: a week of 20 accounts then pans
        # within a 33 ms frame (benchmarks/charts.py). There is no public setter for the factor.
        curve.opts["autoDownsampleFactor"] = 0.5
        curve.setClipToView(True)
        self.item.addItem(curve)
        self.curves[name] = curve
        return curve

    def fit_y(self) -> None:
        """Fit the Y range to the visible part of the curves (and the reference line)."""
        lows, highs = [], []
        for name in self._data:
            _, y = self.curves[name].getData()  # display data: clipped to view, peak-downsampled
            if y is not None and len(y):
                lows.append(np.nanmin(y))
                highs.append(np.nanmax(y))
        if self._reference_level is not None:
            lows.append(self._reference_level)
            highs.append(self._reference_level)
        if not lows:
            return
        low, high = float(min(lows)), float(max(highs))
        if not (math.isfinite(low) and math.isfinite(high)):
            return
        margin = (high - low) * 0.06 or max(abs(high) * 0.05, 1e-9)
        want_low, want_high = low - margin, high + margin
        shown_low, shown_high = self.item.getViewBox().viewRange()[1]
        # Hysteresis: while panning, keep the Y range as long as it holds the data and is not much
        # too tall. Every range change re-derives every curve's bounds, so fewer changes, faster frames.
        inside = shown_low <= low - margin / 2 and high + margin / 2 <= shown_high
        if inside and shown_high - shown_low <= 1.4 * (want_high - want_low):
            return
        self.item.setYRange(want_low, want_high, padding=0.0)

    def readout_at(self, time_s: float) -> list[tuple[str, float]]:
        """Each curve's value at `time_s` (its last sample at or before it), most significant first."""
        values = []
        for name, s in self._data.items():
            index = int(np.searchsorted(s.times_s, time_s, side="right")) - 1
            if index >= 0:
                values.append((name, float(s.values[index]) * self.scale))
        return sorted(values, key=lambda nv: -self.rank(nv[1]))

    def show_crosshair(self, time_s: float | None) -> None:
        """Move the crosshair to `time_s` and list the values there in the title (None hides it)."""
        if time_s is None:
            self.crosshair.setVisible(False)
            self.set_readout("")
            return
        self.crosshair.setPos(time_s)
        self.crosshair.setVisible(True)
        rows = self.readout_at(time_s)
        parts = []
        for name, value in rows[:_READOUT_ROWS]:
            colour = self.curves[name].opts["pen"].color().name()
            parts.append(f"<span style='color:{colour}'>{html.escape(name)} {self.formatter(value)}</span>")
        if len(rows) > _READOUT_ROWS:
            parts.append(f"+{len(rows) - _READOUT_ROWS} more")
        self.set_readout("  ".join(parts))

    def set_readout(self, body_html: str) -> None:
        self.readout_html = body_html
        text = f"<b>{html.escape(self.title)}</b>" + (f"  {body_html}" if body_html else "")
        self.item.setTitle(text, size="9pt", justify="left")
