"""Equity per account now and after the stress shock, as pairs of bars (pyqtgraph).

The bar items are created once and updated with `setOpts`; colours come from the palette (bars
now) and the severity colours (bars after: danger for a liquidated account), so the chart reads
in light and dark themes alike. The legend is text above the plot (`legend_html`), so it covers no
bar; negative equity after a shock goes below the zero line, which stays in view.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.ui import format as fmt
from desktop_app.ui.charts.plot import compact_usd

_BAR_WIDTH = 0.38


class _UsdAxis(pg.AxisItem):
    """Equity ticks as money ("$600k", "−$10k")."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [compact_usd(v * scale, spacing * scale) for v in values]


class StressChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, background=None)  # transparent: the palette's window colour
        self.setMinimumHeight(90)  # a laptop's 720 px: the table above needs the room
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.showGrid(x=False, y=True, alpha=0.25)
        palette = QApplication.palette()
        text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(muted))
            axis.setTextPen(pg.mkPen(text))
        # "$600k", not SI-scaled "600 kUSD" (which read "mUSD" on an empty chart)
        plot.setAxisItems({"left": _UsdAxis("left")})
        plot.getAxis("left").setPen(pg.mkPen(muted))
        plot.getAxis("left").setTextPen(pg.mkPen(text))
        self._before = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH, brush=pg.mkBrush(muted),
                                       pen=pg.mkPen(None))
        # The item's own brush is what the legend shows; each bar gets its own colour on update.
        self._after = pg.BarGraphItem(x=[], height=[], width=_BAR_WIDTH, pen=pg.mkPen(None),
                                      brush=pg.mkBrush(fmt.severity_colour(fmt.Severity.OK)))
        plot.addItem(self._before)
        plot.addItem(self._after)
        self._zero = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(text, width=1))
        plot.addItem(self._zero)
        self._names: tuple[str, ...] = ()
        # No data yet: no made-up ticks ("$0.05", "0.1 … 0.9"), only the zero line.
        plot.getAxis("bottom").setTicks([[]])
        plot.getAxis("left").setStyle(showValues=False)

    def legend_html(self) -> str:
        """The legend, shown above the plot (never over a bar): the colours the bars really have."""
        muted = QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        entries = ((muted, self.tr("equity now")),
                   (fmt.severity_colour(fmt.Severity.OK), self.tr("after the shock")),
                   (fmt.severity_colour(fmt.Severity.DANGER), self.tr("after the shock: liquidated")))
        return "&nbsp;&nbsp;&nbsp;".join(
            f"<span style='color:{colour.name()}'>■</span>&nbsp;{html.escape(label)}"
            for colour, label in entries if colour is not None)

    def show_accounts(self, names: Sequence[str], before_usd: Sequence[float | None],
                      after_usd: Sequence[float | None], liquidated: Sequence[bool]) -> None:
        """One pair of bars per account; unknown equity draws no bar (never a zero)."""
        x = np.arange(len(names), dtype=np.float64)
        before = np.array([np.nan if v is None else v for v in before_usd], dtype=np.float64)
        after = np.array([np.nan if v is None else v for v in after_usd], dtype=np.float64)
        ok = fmt.severity_colour(fmt.Severity.OK)
        danger = fmt.severity_colour(fmt.Severity.DANGER)
        brushes = [pg.mkBrush(danger if dead else ok) for dead in liquidated]
        keep_b, keep_a = ~np.isnan(before), ~np.isnan(after)
        self._before.setOpts(x=x[keep_b] - _BAR_WIDTH / 2, height=before[keep_b])
        self._after.setOpts(x=x[keep_a] + _BAR_WIDTH / 2, height=after[keep_a],
                            brushes=[b for b, k in zip(brushes, keep_a, strict=True) if k])
        if tuple(names) != self._names:
            self._names = tuple(names)
            self.getPlotItem().getAxis("bottom").setTicks([list(enumerate(self._names))])
            self.getPlotItem().setXRange(-0.6, max(0.6, len(names) - 0.4), padding=0)
        self.getPlotItem().getAxis("left").setStyle(showValues=bool(keep_b.any() or keep_a.any()))
        finite = np.concatenate([before[keep_b], after[keep_a], [0.0]])
        low, high = float(finite.min()), float(finite.max())
        span = max(high - low, 1.0)
        self.getPlotItem().setYRange(low - 0.05 * span, high + 0.08 * span, padding=0)
