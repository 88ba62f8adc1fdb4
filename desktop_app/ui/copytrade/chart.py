"""Chart of the master's and the follower's average entry price over the orders.

The curves and the skipped-order markers are created once; every replay only calls `setData`.
Where a side holds no position its curve has a gap (NaN), not a drop to zero. The legend is a
wrapping line above the plot (`with_legend`), as on the Journal's curves: it covers no curve and is
never cut off on a narrow screen (a 1280-px laptop in Ukrainian).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.copytrade import OrderResult
from desktop_app.i18n import figures, tr

MASTER_COLOUR = "#3b82f6"
FOLLOWER_COLOUR = "#d98a00"
SKIPPED_COLOUR = "#e0464b"


def _series(values: Sequence[object]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)  # type: ignore[arg-type]


class _PriceAxis(pg.AxisItem):
    """Prices as the tables write them ("30,000", "30 000" in Ukrainian), never SI-scaled."""

    def __init__(self) -> None:
        super().__init__("left")
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        decimals = max(0, min(8, -math.floor(math.log10(spacing * scale)))) if spacing > 0 else 2
        return [figures.number(v * scale, decimals=decimals) for v in values]


class AverageEntryChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"left": _PriceAxis()})
        self.setBackground(None)  # follow the palette
        plot = self.getPlotItem()
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setLabel("left", tr("Average entry (USDT)"))
        plot.setLabel("bottom", tr("Order"))
        plot.setMenuEnabled(False)
        symbol_kw = {"symbolSize": 7}
        self.master_curve = plot.plot(
            [], [], name=tr("Master"), pen=pg.mkPen(MASTER_COLOUR, width=2), connect="finite",
            symbol="o", symbolBrush=MASTER_COLOUR, symbolPen=None, **symbol_kw,
        )
        self.follower_curve = plot.plot(
            [], [], name=tr("Follower"), pen=pg.mkPen(FOLLOWER_COLOUR, width=2), connect="finite",
            symbol="s", symbolBrush=FOLLOWER_COLOUR, symbolPen=None, **symbol_kw,
        )
        self.skipped = pg.ScatterPlotItem(
            symbol="x", size=12, pen=pg.mkPen(SKIPPED_COLOUR, width=2), brush=None,
        )
        plot.addItem(self.skipped)
        self.legend_label = QLabel()
        self.legend_label.setWordWrap(True)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        entries = ((MASTER_COLOUR, "●", tr("Master")), (FOLLOWER_COLOUR, "■", tr("Follower")),
                   (SKIPPED_COLOUR, "✖", tr("Not copied")))
        self.legend_label.setText(" &nbsp; ".join(f"<span style='color:{colour}'>{mark}</span>&nbsp;"
                                                  f"{html.escape(name)}" for colour, mark, name in entries))
        self.setMinimumHeight(180)

    def set_results(self, results: Sequence[OrderResult]) -> None:
        x = np.arange(1, len(results) + 1, dtype=np.float64)
        master = _series([r.master_avg_entry for r in results])
        follower = _series([r.follower_avg_entry for r in results])
        self.master_curve.setData(x, master)
        self.follower_curve.setData(x, follower)
        # Mark a missed order on the master's line, where the follower did not follow.
        missed = [i for i, r in enumerate(results) if not r.copied and not np.isnan(master[i])]
        self.skipped.setData(x[missed], master[missed])
        axis = self.getPlotItem().getAxis("bottom")
        axis.setTicks([[(float(i + 1), str(r.order.time)) for i, r in enumerate(results)]])
        finite = np.concatenate([master[np.isfinite(master)], follower[np.isfinite(follower)]])
        if len(results):
            self.setXRange(0.6, len(results) + 0.4, padding=0)
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            margin = max((high - low) * 0.12, abs(high) * 0.01, 1e-9)
            self.setYRange(low - margin, high + margin, padding=0)

    def with_legend(self) -> QWidget:
        """The chart with its legend line above it, as the dialog shows them."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend_label)
        layout.addWidget(self, 1)
        return box
