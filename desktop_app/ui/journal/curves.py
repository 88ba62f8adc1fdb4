"""The cumulative realised PnL curve per account and in total (pyqtgraph), on a date axis.

Curves are created once per account and updated with `setData` (pyqtgraph's examples' rule); the
total is drawn thicker and on top, in the palette's text colour. Each curve starts at 0 at the
period's start. The legend is a wrapping line above the plot (names in their colours), so it never
covers a curve and is never cut off on a narrow screen; an account has the colour it has in the
History charts. The axes are the History charts' own: dates in UTC (as the calendar beside it) with
the language's month names, and money as the window writes it ("−$5k", "$12,5 тис.").
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.i18n import tr
from desktop_app.ui.charts.axes import DateAxis, ValueAxis
from desktop_app.ui.charts.colours import ACCOUNT_COLOURS
from desktop_app.ui.charts.plot import compact_usd
from desktop_app.ui.journal.view import TOTAL_CURVE_KEY, JournalView


class PnlCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        palette = self.palette()
        self.background = palette.color(QPalette.ColorRole.Base)
        self.total_colour = palette.color(QPalette.ColorRole.Text).name()
        self.date_axis = DateAxis(utc=True)
        self.value_axis = ValueAxis(compact_usd)
        self.plot = pg.PlotWidget(parent=self, background=self.background,
                                  axisItems={"bottom": self.date_axis, "left": self.value_axis})
        text = palette.color(QPalette.ColorRole.Text)
        for axis in (self.date_axis, self.value_axis):
            axis.background = self.background  # the opaque grid lines blend against it
            axis.setPen(pg.mkPen(text.lighter(160) if text.lightness() < 128 else text.darker(160)))
            axis.setTextPen(pg.mkPen(text))
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
            curve.setZValue(10 if key == TOTAL_CURVE_KEY else 0)
            self.curves[key] = curve
        elif curve.opts["pen"].color().name() != colour:
            curve.setPen(pg.mkPen(colour, width=width))  # the account order changed its colour
        return curve

    def set_view(self, view: JournalView) -> None:
        """One curve per account with figures, and the total of all of them (computed off this thread)."""
        shown: set[str] = set()
        names = [(tr("Total"), self.total_colour)]
        for series in view.curves:
            colour = ACCOUNT_COLOURS.colour(series.name)
            self._curve(series.key, colour, 1).setData(series.times_s, series.values_usd)
            shown.add(series.key)
            names.append((series.name, colour))
        total = view.total_curve
        self._curve(TOTAL_CURVE_KEY, self.total_colour, 2).setData(total.times_s, total.values_usd)
        shown.add(TOTAL_CURVE_KEY)
        for key in [k for k in self.curves if k not in shown]:
            self.plot.removeItem(self.curves.pop(key))
        self._set_legend(names)
        report = view.report
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
