"""The cumulative realised PnL curve per account and in total (pyqtgraph), on a date axis.

Curves are created once per account and updated with `setData` (pyqtgraph's examples' rule); the
total is drawn thicker and on top. Each curve starts at 0 at the period's start.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.i18n import tr
from desktop_app.journal import cumulative_pnl
from desktop_app.journal_sync import JournalReport
from desktop_app.journal_sync.report import AccountJournal
from desktop_app.ui.charts.plot import PALETTE

_TOTAL_COLOUR = "#202020"
_LEGEND_FROM_PX = 140  # a shorter plot would be mostly legend: the accounts table names them anyway



class PnlCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(parent=self, background="w",
                                  axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        # Three names a row on a translucent backing, so a legend of many accounts covers little.
        self.legend = self.plot.addLegend(offset=(4, 4), colCount=3, brush=pg.mkBrush(255, 255, 255, 200),
                                          labelTextSize="8pt")
        self.curves: dict[str, pg.PlotDataItem] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.legend.setVisible(self.height() >= _LEGEND_FROM_PX)

    def _curve(self, key: str, name: str, colour: str, width: int) -> pg.PlotDataItem:
        curve = self.curves.get(key)
        if curve is None:
            curve = self.plot.plot(name=name, pen=pg.mkPen(colour, width=width), antialias=False)
            curve.setZValue(10 if key == "" else 0)
            self.curves[key] = curve
        return curve

    def set_report(self, report: JournalReport) -> None:
        """One curve per account with figures, and the total of all of them."""
        shown: set[str] = set()
        accounts: list[AccountJournal] = [a for a in report.accounts if a.figures is not None]
        for n, account in enumerate(accounts):
            times, values = cumulative_pnl(account.trades, start_ms=report.start_ms)
            curve = self._curve(account.account_id, account.name, PALETTE[n % len(PALETTE)], 1)
            curve.setData(times, values)
            shown.add(account.account_id)
        total_trades = [t for a in accounts for t in a.trades]
        times, values = cumulative_pnl(total_trades, start_ms=report.start_ms)
        self._curve("", tr("Total"), _TOTAL_COLOUR, 2).setData(times, values)
        shown.add("")
        for key in [k for k in self.curves if k not in shown]:
            self.legend.removeItem(self.curves[key])
            self.plot.removeItem(self.curves.pop(key))
        self.plot.setXRange(report.start_ms / 1000, report.end_ms / 1000, padding=0.01)
        self.plot.enableAutoRange(axis="y")

    def data_of(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted series of an account id ("" for the total); for tests."""
        x, y = self.curves[key].getData()
        return np.asarray(x), np.asarray(y)
