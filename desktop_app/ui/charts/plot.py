"""One history plot: named curves on a date axis, a reference line, a crosshair readout.

A week of 5-second samples is 120,960 points per curve and there can be 20 accounts, so:
- each curve is created once (on the first series of that name) and then only updated;
- each range change hands every curve only its visible samples, min/max decimated to the plot's
  pixel columns (`HistoryCurve`, `MinMaxPyramid`): spikes and crashes stay, the work stays small;
- the Y range is fitted from the extents the curves measured while decimating, not by pyqtgraph's
  auto-range, which would measure every curve again;
- pen width 1, opaque colours, no antialiasing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from desktop_app.i18n import tr
from desktop_app.i18n.figures import MINUS, localise
from desktop_app.ui.charts.axes import DateAxis, DateTicks, Formatter, ValueAxis
from desktop_app.ui.charts.colours import ColourMap
from desktop_app.ui.charts.curve import HistoryCurve
from desktop_app.ui.charts.data import NamedSeries

_READOUT_ROWS = 6  # the crosshair readout lists this many curves, most significant first
_LEGEND_NAMES = 10  # names in a title line's legend before "+n more"
_EMPTY = np.empty(0, dtype=np.float64)


def _decimals_for(step: float | None, default: int) -> int:
    """The decimals ticks `step` apart need to print differently, and no more ("$600k", not "$600.0k");
    `default` without a step (a single value)."""
    if step is None or not math.isfinite(step) or step <= 0:
        return default
    return max(0, min(4, math.ceil(-math.log10(step) - 1e-9)))  # 4: the label must fit the axis


def _suffixed(amount: str, limit: float) -> str:
    """"600" and 1e3 -> "600k" in English, "600 тис." in Ukrainian (the language's own abbreviation)."""
    if limit >= 1e9:
        return tr("{amount}B").format(amount=amount)
    if limit >= 1e6:
        return tr("{amount}M").format(amount=amount)
    return tr("{amount}k").format(amount=amount)


def compact_usd(value: float, step: float | None = None) -> str:
    """-1234567 -> '−$1.23M'; 950 -> '$950'. With `step`, as many decimals as ticks that far apart need."""
    if not math.isfinite(value):
        return "—"
    sign = MINUS if value < 0 else ""
    size = abs(value)
    for limit in (1e9, 1e6, 1e3):
        if size >= limit:
            if step is not None and 0 < step < limit * 1e-4:
                # Ticks closer than the 4th decimal of the suffix: whole dollars tell them apart.
                return f"{sign}${localise(f'{size:,.0f}')}"
            scaled_step = None if step is None else step / limit
            decimals = _decimals_for(scaled_step, 2 if size / limit < 100 else 1)
            return f"{sign}${_suffixed(localise(f'{size / limit:.{decimals}f}'), limit)}"
    return f"{sign}${localise(f'{size:.{_decimals_for(step, 0)}f}')}"


def percent(value: float, step: float | None = None) -> str:
    """A rate already in percent: 82.04 -> '82.0%' (ticks 10 apart: '80%')."""
    if not math.isfinite(value):
        return "—"
    text = localise(f"{abs(value):.{_decimals_for(step, 1)}f}")
    return f"{MINUS if value < 0 and text.strip('0.,') else ''}{text}%"


class HistoryPlot:
    """A PlotItem (inside a GraphicsLayout) with curves by name. `scale` multiplies the values
    (100 for rates shown in percent); `rank` orders the readout (largest first); plots stacked on one
    time range share their `date_ticks`."""

    def __init__(self, title: str, *, formatter: Formatter, scale: float = 1.0,
                 reference: tuple[float, str] | None = None,
                 rank: Callable[[float], float] = abs, show_dates: bool = True, legend: bool = True,
                 date_ticks: DateTicks | None = None, colours: ColourMap | None = None,
                 reference_in_range: bool = True, readout: Callable[[float], str] | None = None) -> None:
        self.title = title
        self.formatter = formatter
        # The crosshair's values read as the tables do ("$306,805", "4.67%"); the axis stays compact.
        self.readout_formatter = readout or (lambda value: formatter(value))
        self.scale = scale
        self.rank = rank
        self.item = pg.PlotItem(axisItems={"bottom": DateAxis(date_ticks), "left": ValueAxis(formatter)})
        self.item.setMenuEnabled(False)
        self.item.showGrid(x=True, y=True, alpha=0.15)
        self.item.hideButtons()
        self.item.getAxis("bottom").setStyle(showValues=show_dates)
        for side in ("left", "bottom"):
            self.item.getAxis(side).setZValue(-1)  # grid behind the curves (see _OpaqueGridMixin)
        # X is set by the range selector and the linked plots; Y is fitted by `fit_y`. The mouse pans
        # and zooms time only.
        self.item.enableAutoRange(x=False, y=False)
        self.item.setMouseEnabled(x=True, y=False)
        self.view = self.item.getViewBox()
        self.view.sigResized.connect(self.refresh)  # more or fewer pixel columns to fill
        self._reference_level: float | None = None
        # The legend is the title line: each curve's name in its colour (its value there while the
        # crosshair is on the plot), so it never covers a curve or the 100% line and takes no room.
        self.has_legend = legend
        self.legend_visible = legend
        self._title_html = ""
        self.colours = colours if colours is not None else ColourMap()
        self._reference_marker: pg.TextItem | None = None
        self.curves: dict[str, HistoryCurve] = {}
        self._data: dict[str, NamedSeries] = {}
        self.crosshair = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888", width=1))
        self.crosshair.setVisible(False)
        self.item.addItem(self.crosshair, ignoreBounds=True)
        if reference is not None:
            level, label = reference
            self._reference_level = level * scale
            line = pg.InfiniteLine(pos=level * scale, angle=0, movable=False,
                                   pen=pg.mkPen("#e0464b", width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                   label=label, labelOpts={"position": 0.01, "color": "#e0464b",
                                                            "anchors": [(0, 1), (0, 1)]})
            self.item.addItem(line, ignoreBounds=True)
            if not reference_in_range:
                # The Y range follows the data (0.6–4.7 % is not flattened onto the axis by a 100 % line);
                # while the line is above the data, this mark at the top says where it is.
                self._reference_marker = pg.TextItem(f"▲ {label}", color="#e0464b", anchor=(1, 0))
                self.item.addItem(self._reference_marker, ignoreBounds=True)
                self._reference_marker.setVisible(False)
        self._reference_in_range = reference_in_range
        self.set_readout("")

    def set_background(self, colour: QColor, text_colour: QColor) -> None:
        """The palette colours behind and on the plot: the opaque grid lines are blended against the
        background, and the legend's text takes the palette's so it reads in light and dark themes."""
        for side in ("left", "bottom"):
            axis = self.item.getAxis(side)
            axis.background = QColor(colour)
            axis.picture = None  # redraw with the new colour
            axis.update()

    def set_series(self, series: Sequence[NamedSeries]) -> None:
        """Hold these series; a new name gets a new curve, a known name keeps its curve, a name that
        is gone keeps its curve, emptied and hidden (an account can come back). Drawn on `refresh`."""
        wanted = {s.name for s in series}
        for name, curve in self.curves.items():
            if name not in wanted and name in self._data:
                curve.set_series(_EMPTY, _EMPTY)
                curve.show_window(0.0, 0.0, 1)  # draws nothing
                curve.setVisible(False)
                del self._data[name]
        for s in series:
            curve = self.curves.get(s.name) or self._new_curve(s.name)
            colour = self.colours.colour(s.name)
            if curve.opts["pen"].color().name() != colour:  # the configured accounts changed
                curve.setPen(pg.mkPen(colour, width=1))
            old = self._data.get(s.name)
            # A reload without new samples hands back the same arrays: keep the curve's pyramid.
            if old is None or old.times_s is not s.times_s or old.values is not s.values:
                curve.set_series(s.times_s, s.values * self.scale if self.scale != 1.0 else s.values)
            curve.setVisible(True)
            self._data[s.name] = s
        if not self.readout_html:
            self.set_readout("")  # the legend follows the curves shown

    def _new_curve(self, name: str) -> HistoryCurve:
        curve = HistoryCurve(name, self.colours.colour(name))
        self.item.addItem(curve)
        self.curves[name] = curve
        return curve

    def refresh(self) -> None:
        """Draw the curves for the current X range and view size, and fit Y."""
        start_s, end_s = self.view.viewRange()[0]
        self.show_window(float(start_s), float(end_s))

    def show_window(self, start_s: float, end_s: float, *, loose_y: bool = False) -> None:
        """Draw the part of each curve between `start_s` and `end_s` and fit Y to it (see `fit_y`)."""
        width_px = self.view.width()
        # Before the first layout the view has no size yet; the resize that follows redraws.
        columns = int(width_px) if width_px >= 1 else 1000
        self._set_pixel_size(start_s, end_s)
        for name in self._data:
            self.curves[name].show_window(start_s, end_s, columns)
        self.fit_y(loose=loose_y)

    def _set_pixel_size(self, start_s: float, end_s: float) -> None:
        width_px, height_px = self.view.width(), self.view.height()
        low, high = self.view.viewRange()[1]
        size = ((end_s - start_s) / width_px if width_px >= 1 else 0.0,
                (high - low) / height_px if height_px >= 1 else 0.0)
        for curve in self.curves.values():
            curve.pixel_size = size

    def fit_y(self, *, loose: bool = False) -> None:
        """Fit the Y range to the samples in view (and the reference line), with a 6 % margin.

        `loose` (the frames of a drag, the periodic reloads): a range that still holds the data and
        is not much too tall is kept, so the value axis does not twitch (and redraw its labels) on
        every frame or every new sample; the widget fits exactly once a drag stops.
        """
        extents = [extent for name in self._data if (extent := self.curves[name].visible_extent)]
        if self._reference_level is not None and self._reference_in_range:
            extents.append((self._reference_level, self._reference_level))
        if not extents:
            return
        low, high = min(e[0] for e in extents), max(e[1] for e in extents)
        if not (math.isfinite(low) and math.isfinite(high)):
            return
        margin = (high - low) * 0.06 or max(abs(high) * 0.05, 1e-9)
        want_low, want_high = low - margin, high + margin
        shown_low, shown_high = self.view.viewRange()[1]
        if loose:
            inside = shown_low <= low - margin / 2 and high + margin / 2 <= shown_high
            if inside and shown_high - shown_low <= 1.4 * (want_high - want_low):
                return
        elif (shown_low, shown_high) == (want_low, want_high):
            return
        self.item.setYRange(want_low, want_high, padding=0.0)
        start_s, end_s = self.view.viewRange()[0]
        self._set_pixel_size(float(start_s), float(end_s))
        self._place_reference_marker()

    def _place_reference_marker(self) -> None:
        """Show "▲ liquidation 100%" at the top right while the line is above the Y range."""
        marker, level = self._reference_marker, self._reference_level
        if marker is None or level is None:
            return
        (_start_s, end_s), (_low, high) = self.view.viewRange()
        above = level > high
        marker.setVisible(above)
        if above:
            marker.setPos(end_s, high)

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
            text = self.readout_formatter(value)
            parts.append(f"<span style='color:{colour}'>{html.escape(name)} {html.escape(text)}</span>")
        if len(rows) > _READOUT_ROWS:
            parts.append(html.escape(tr("+{n} more").format(n=len(rows) - _READOUT_ROWS)))
        self.set_readout("  ".join(parts))

    def legend_html(self) -> str:
        """"■ Main  ■ Hedge …" in the curves' colours (the shown curves, at most a title line's worth)."""
        if not self.legend_visible:
            return ""
        names = [name for name in self._data if self.curves[name].isVisible()]
        parts = []
        for name in names[:_LEGEND_NAMES]:
            colour = self.curves[name].opts["pen"].color().name()
            parts.append(f"<span style='color:{colour}'>■ {html.escape(name)}</span>")
        if len(names) > _LEGEND_NAMES:
            parts.append(html.escape(tr("+{n} more").format(n=len(names) - _LEGEND_NAMES)))
        return "  ".join(parts)

    def set_legend_visible(self, visible: bool) -> None:
        self.legend_visible = visible and self.has_legend
        if not self.readout_html:
            self.set_readout("")

    def set_readout(self, body_html: str) -> None:
        """The title line: the plot's name, then the crosshair's values, or else the legend."""
        self.readout_html = body_html
        body = body_html or self.legend_html()
        text = f"<b>{html.escape(self.title)}</b>" + (f"  {body}" if body else "")
        if text != self._title_html:
            self._title_html = text
            self.item.setTitle(text, size="9pt", justify="left")
