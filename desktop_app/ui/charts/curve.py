"""One history curve: holds the whole series, draws only the visible part, min/max decimated.

pyqtgraph's `PlotDataItem` clips each series to the view and peak-downsamples the visible part on
every range change (all 120,960 points of a week), then its curve measures the result again (bounds,
pixel padding) several times per frame: with 45 curves that was most of a 33 ms frame. This curve
is told the window by its plot (`show_window`, once per range change), hands pyqtgraph only the at
most two points per pixel column that `MinMaxPyramid` picks, and already knows their bounds, so the
bounding rectangle the scene asks for costs nothing.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from desktop_app.ui.charts.decimate import MinMaxPyramid

_PEN_REACH_PX = 0.7072  # a cosmetic 1 px pen reaches this far past a vertex (as pyqtgraph pads it)
_EMPTY = np.empty(0, dtype=np.float64)


class HistoryCurve(pg.PlotCurveItem):
    """A named, 1 px, non-antialiased curve over a full series; `show_window` picks what is drawn."""

    def __init__(self, name: str, colour: str) -> None:
        super().__init__(pen=pg.mkPen(colour, width=1), name=name, antialias=False)
        self._pyramid = MinMaxPyramid(_EMPTY, _EMPTY)
        self._drawn: tuple[float, float, float, float] | None = None  # x min, x max, y min, y max
        self.visible_extent: tuple[float, float] | None = None  # min, max of the samples in the window
        # Data units per screen pixel (x, y), set by the plot after each range change: the pen's reach
        # past the data, which pyqtgraph would otherwise re-derive from the transform for every curve.
        self.pixel_size = (0.0, 0.0)

    def set_series(self, times_s: np.ndarray, values: np.ndarray) -> None:
        """Hold this series (times ascending); nothing is drawn until the next `show_window`."""
        self._pyramid = self._pyramid.extended(times_s, values)

    def getOriginalDataset(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole series, as `PlotDataItem.getOriginalDataset` (`getData` is what is drawn)."""
        return self._pyramid.times_s, self._pyramid.values

    def show_window(self, start_s: float, end_s: float, columns: int) -> None:
        """Draw the samples from `start_s` to `end_s` decimated to `columns` pixel columns."""
        envelope = self._pyramid.envelope(start_s, end_s, columns)
        self.visible_extent = envelope.extent
        x, y = envelope.times_s, envelope.values
        if x.size:
            finite = y if self._pyramid.all_finite else y[~np.isnan(y)]
            self._drawn = ((float(x[0]), float(x[-1]), float(finite.min()), float(finite.max()))
                           if finite.size else None)
        else:
            self._drawn = None
        if self._pyramid.all_finite:
            self.setData(x, y, connect="all", skipFiniteCheck=True)
        else:  # gaps (NaN) break the line instead of bridging it
            self.setData(x, y, connect="finite", skipFiniteCheck=False)

    # pyqtgraph's and Qt's hooks, by their names: answered from what `show_window` already measured.

    def dataBounds(self, ax: int, frac: float = 1.0,
                   orthoRange: tuple[float, float] | None = None) -> tuple[float | None, float | None]:
        if frac < 1.0 or orthoRange is not None:
            return super().dataBounds(ax, frac, orthoRange)
        if self._drawn is None:
            return None, None
        return (self._drawn[0], self._drawn[1]) if ax == 0 else (self._drawn[2], self._drawn[3])

    def boundingRect(self) -> QRectF:
        if self._boundingRect is None:  # reset by setData and by every view transform change
            if self._drawn is None:
                return QRectF()
            x_min, x_max, y_min, y_max = self._drawn
            pad_x, pad_y = self.pixel_size[0] * _PEN_REACH_PX, self.pixel_size[1] * _PEN_REACH_PX
            self._boundingRect = QRectF(x_min - pad_x, y_min - pad_y,
                                        x_max - x_min + 2 * pad_x, y_max - y_min + 2 * pad_y)
        return self._boundingRect
