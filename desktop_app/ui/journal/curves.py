"""The cumulative realised PnL curve per account and in total (pyqtgraph), on a date axis.

Curves are created once per account and updated with `setData` (pyqtgraph's examples' rule); the
total is drawn thicker and on top. Each curve starts at 0 at the period's start. The legend is a
wrapping line above the plot (names in their colours), so it never covers a curve and is never cut
off on a narrow screen; an account has the colour it has in the History charts.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.i18n import tr
from desktop_app.journal import cumulative_pnl
from desktop_app.journal_sync import JournalReport
from desktop_app.journal_sync.report import AccountJournal
from desktop_app.ui.charts.plot import ACCOUNT_COLOURS

_TOTAL_COLOUR = "#202020"


class PnlCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(parent=self, background="w",
                                  axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)

    def _curve(self, key: str, colour: str, width: int) -> pg.PlotDataItem:
        curve = self.curves.get(key)
        if curve is None:
            curve = self.plot.plot(pen=pg.mkPen(colour, width=width), antialias=False)
            curve.setZValue(10 if key == "" else 0)
            self.curves[key] = curve
        return curve

    def set_report(self, report: JournalReport) -> None:
        """One curve per account with figures, and the total of all of them."""
        shown: set[str] = set()
        accounts: list[AccountJournal] = [a for a in report.accounts if a.figures is not None]
        names = [(tr("Total"), _TOTAL_COLOUR)]
        for account in accounts:
            times, values = cumulative_pnl(account.trades, start_ms=report.start_ms)
            colour = ACCOUNT_COLOURS.colour(account.name)
            self._curve(account.account_id, colour, 1).setData(times, values)
            shown.add(account.account_id)
            names.append((account.name, colour))
        total_trades = [t for a in accounts for t in a.trades]
        times, values = cumulative_pnl(total_trades, start_ms=report.start_ms)
        self._curve("", _TOTAL_COLOUR, 2).setData(times, values)
        shown.add("")
        for key in [k for k in self.curves if k not in shown]:
            self.plot.removeItem(self.curves.pop(key))
        self._set_legend(names)
        self.plot.setXRange(report.start_ms / 1000, report.end_ms / 1000, padding=0.01)
        self.plot.enableAutoRange(axis="y")

    def _set_legend(self, names: list[tuple[str, str]]) -> None:
        """"■ Total  ■ Main …" in the curves' colours, above the plot."""
        parts = [f"<span style='color:{colour}'>■&nbsp;{html.escape(name)}</span>" for name, colour in names]
        self.legend.setText(" &nbsp; ".join(parts))

    def data_of(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted series of an account id ("" for the total); for tests."""
        x, y = self.curves[key].getData()
        return np.asarray(x), np.asarray(y)
