"""History charts: total equity, equity per account, MM rate per account (scaled to the data, with the
100% liquidation line marked) and net exposure per coin, over 1 h / 24 h / 7 d / all, on one shared,
linked time axis. Each plot's title line is its legend (and can be hidden); an account keeps its
colour in every chart.

Friture's rule: data lands in a buffer (`set_series`, or the history loader's reads), a GUI timer
renders the latest state, and nothing renders or is read while the widget is hidden. The database is
read on the loader's own thread (loader.py): a week of 20 accounts takes seconds to read the
first time, which the window shows as "Loading…" but never waits for. A long range is read from
roll-ups (min, max and last per bucket); a window zoomed into by hand is read again at the finer
resolution it needs once the pan settles. Panning or zooming by hand stops the range from following
"now"; choosing a range again resumes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import figures
from desktop_app.ui import format as fmt
from desktop_app.ui.charts.axes import DateTicks
from desktop_app.ui.charts.colours import ACCOUNT_COLOURS, COIN_COLOURS
from desktop_app.ui.charts.data import ChartData, empty_chart_data, with_detail
from desktop_app.ui.charts.loader import HistoryLoaderHost
from desktop_app.ui.charts.plot import HistoryPlot, compact_usd, percent

RANGES_S: dict[str, float | None] = {"1 h": 3600.0, "24 h": 86_400.0, "7 d": 604_800.0, "All": None}
# "Since start" until the user picks a range (the window remembers the last choice): a fresh session
# on 24 h is a one-pixel sliver.
DEFAULT_RANGE = "All"
# A drag fits Y loosely (no axis twitching on every frame); this long after its last frame, Y is fitted
# exactly. Short enough to feel immediate, longer than the gap between two frames of a slow drag.
PAN_SETTLE_MS = 200


class HistoryChartsWidget(QWidget):
    """Feed it with `set_series(data)` or `set_loader(host)`; it renders on its own timer."""

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.time,
                 render_interval_ms: int = 250, reload_interval_ms: int = 5000) -> None:
        super().__init__(parent)
        self._clock = clock
        self._data = empty_chart_data()
        self._dirty = False
        self._loader: HistoryLoaderHost | None = None
        self._asked_since_s: float | None = None  # the oldest time asked of the loader so far
        self._detail: tuple[float, float, ChartData] | None = None  # a zoomed window, read finer
        self._following = True
        self.range_name = DEFAULT_RANGE
        self.last_error: str | None = None

        self.range_group = QButtonGroup(self)
        self.range_group.setExclusive(True)
        self.range_buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Range:"), self))
        labels = {"1 h": self.tr("1 h"), "24 h": self.tr("24 h"), "7 d": self.tr("7 d"),
                  "All": self.tr("All")}
        for name in RANGES_S:
            button = QPushButton(labels[name], self)
            button.setCheckable(True)
            button.setChecked(name == DEFAULT_RANGE)
            button.clicked.connect(lambda _checked=False, n=name: self.set_range(n))
            self.range_group.addButton(button)
            self.range_buttons[name] = button
            bar.addWidget(button)
        self.legend_box = QCheckBox(self.tr("Legends"), self)
        self.legend_box.setToolTip(self.tr("Show which colour is which account or coin, above each chart"))
        self.legend_box.setChecked(True)
        self.legend_box.toggled.connect(self.set_legends_visible)
        bar.addWidget(self.legend_box)
        bar.addStretch(1)
        self.cursor_label = QLabel(self)  # the crosshair's date and time
        bar.addWidget(self.cursor_label)
        self.status_label = QLabel(self)  # a history database problem
        bar.addWidget(self.status_label)

        self._linking = False  # True while show_time moves the views (their signals are its own doing)
        # After the last frame of a pan, fit Y exactly (a pan fits loosely, see HistoryPlot.fit_y).
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(PAN_SETTLE_MS)
        self._settle_timer.timeout.connect(self._fit_y_exactly)
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground(self.palette().base().color())
        # pyqtgraph caches the plain background as a pixmap; blitting it over the whole view goes to
        # Qt's paint thread pool and waits for it, slower than filling with the colour directly.
        self.view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        ticks = DateTicks()  # one time range on all four: their date ticks are worked out once
        accounts = ACCOUNT_COLOURS  # an account has one colour in every chart, Journal's included
        money = figures.usd
        self.total_plot = HistoryPlot(self.tr("Total equity"), formatter=compact_usd, show_dates=False,
                                      legend=False, date_ticks=ticks, readout=money)
        self.equity_plot = HistoryPlot(self.tr("Equity per account"), formatter=compact_usd, show_dates=False,
                                       date_ticks=ticks, colours=accounts, readout=money)
        self.mm_plot = HistoryPlot(self.tr("MM rate"), formatter=percent, scale=100.0,
                                   reference=(1.0, self.tr("liquidation at 100%")), rank=lambda v: v,
                                   show_dates=False, date_ticks=ticks, colours=accounts,
                                   reference_in_range=False, readout=lambda v: figures.rate(v / 100.0))
        self.exposure_plot = HistoryPlot(self.tr("Net exposure per coin"), formatter=compact_usd,
                                         date_ticks=ticks, colours=COIN_COLOURS,
                                         readout=lambda v: figures.usd(v, signed=True))
        self.plots = (self.total_plot, self.equity_plot, self.mm_plot, self.exposure_plot)
        text_colour = self.palette().text().color()
        for row, plot in enumerate(self.plots):
            plot.set_background(self.palette().base().color(), text_colour)
            self.view.addItem(plot.item, row=row, col=0)
            for side in ("left", "bottom"):
                plot.item.getAxis(side).setPen(pg.mkPen(text_colour.lighter(160), width=1))
                plot.item.getAxis(side).setTextPen(pg.mkPen(text_colour, width=1))
            # Room for "$1.0601M"; one width keeps the time axes of the stacked plots aligned.
            plot.item.getAxis("left").setWidth(78)
            # One handler links the time axes (not pyqtgraph's chain of setXLink signals): it moves
            # the other three views, then redraws each plot once for the new range.
            plot.view.sigXRangeChanged.connect(self._on_x_range_changed)
            plot.view.sigRangeChangedManually.connect(self._on_manual_range)
        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=60, slot=self._on_mouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.render_timer = QTimer(self)
        self.render_timer.setInterval(render_interval_ms)
        self.render_timer.timeout.connect(self.render_if_visible)
        self.render_timer.start()
        self.reload_timer = QTimer(self)
        self.reload_timer.setInterval(reload_interval_ms)
        self.reload_timer.timeout.connect(self.reload_if_visible)
        self.reload_timer.start()

    # -- data in ----------------------------------------------------------------------------------

    def set_series(self, data: ChartData) -> None:
        """Buffer new data; it is drawn on the next render tick while the widget is visible."""
        self._data = data
        self._dirty = True

    def set_loader(self, loader: HistoryLoaderHost) -> None:
        """Read the charts from the history database through `loader` (on its thread), now if shown
        and then on the reload timer while shown."""
        self._loader = loader
        self._asked_since_s = None
        loader.sig_data.connect(self._on_loaded)
        loader.sig_error.connect(self._on_load_error)
        loader.sig_window.connect(self._on_window)
        self.reload_if_visible()

    def reload(self) -> None:
        """Ask the loader for the current range (only new samples once a range has been read)."""
        if self._loader is None:
            return
        since_s = self._since_s()
        if self._asked_since_s is None or since_s < self._asked_since_s:
            # A range never read before: its first read is the slow one, so say so until it arrives.
            self._asked_since_s = since_s
            self.status_label.setText(self.tr("Loading history…"))
        self._loader.request(since_s, self._columns())

    def _columns(self) -> int:
        """The pixel columns the curves are drawn into (the roll-up read is chosen for them)."""
        return max(1, int(self.exposure_plot.view.width()) or self.view.width())

    @Slot()
    def reload_if_visible(self) -> None:
        if self.isVisible():
            self.reload()

    @Slot(object)
    def _on_loaded(self, data: ChartData) -> None:
        self.last_error = None
        if not (self._loader is not None and self._loader.busy):  # more is on its way otherwise
            self.status_label.setText("")
        self.set_series(data)
        if self.isVisible():
            self.render_now()

    @Slot(float, float, object)
    def _on_window(self, start_s: float, end_s: float, data: ChartData) -> None:
        if self._following:
            return  # a range was chosen meanwhile: its own read is what to show
        self._detail = (start_s, end_s, data)
        self._dirty = True
        if self.isVisible():
            self.render_now()

    def _request_detail(self) -> None:
        """Once a pan or zoom by hand settles, read the window shown at the resolution it needs."""
        if self._loader is None or self._following:
            return
        start_s, end_s = self.x_range()
        if self._detail is not None and self._detail[:2] == (start_s, end_s):
            return
        self._loader.request_window(start_s, end_s, self._columns())

    @Slot(str)
    def _on_load_error(self, message: str) -> None:
        # A database problem is shown; it must not break the window (the next reload tries again,
        # and asks for the whole range: a failed read keeps nothing).
        self.last_error = message
        self._asked_since_s = None
        self.status_label.setText(self.tr("History unavailable: {error}").format(error=message))

    # -- ranges -----------------------------------------------------------------------------------

    @Slot(str)
    def set_range(self, name: str) -> None:
        """Show the last hour / day / week, or all; the range follows new samples again.

        May raise: KeyError for an unknown range name.
        """
        if name not in RANGES_S:
            raise KeyError(name)
        self.range_name = name
        self.range_buttons[name].setChecked(True)
        self._following = True
        if self._detail is not None:
            self._detail = None
            self._dirty = True
        if self.isVisible():
            self.reload()  # a longer range than was read arrives later; the axis moves now
        self._apply_x_range()

    @Slot(bool)
    def set_legends_visible(self, visible: bool) -> None:
        """Each plot's title line names its curves in their colours, or only the plot."""
        for plot in self.plots:
            plot.set_legend_visible(visible)
        if self.legend_box.isChecked() != visible:
            self.legend_box.setChecked(visible)

    def x_range(self) -> tuple[float, float]:
        low, high = self.exposure_plot.item.getViewBox().viewRange()[0]
        return float(low), float(high)

    def _since_s(self) -> float:
        span_s = RANGES_S[self.range_name]
        return 0.0 if span_s is None else self._clock() - span_s

    def _apply_x_range(self, *, loose_y: bool = False) -> None:
        end_s = self._clock()
        span_s = RANGES_S[self.range_name]
        bounds = self._data.time_bounds_s()
        if span_s is None:
            start_s = bounds[0] if bounds else end_s - 3600.0
            end_s = max(end_s, bounds[1]) if bounds else end_s
        else:
            start_s = end_s - span_s
        self.show_time(start_s, end_s, loose_y=loose_y)

    def show_time(self, start_s: float, end_s: float, *, loose_y: bool = False) -> None:
        """Show `start_s`..`end_s` on every plot (the same time span, stacked) and redraw them for it;
        `loose_y`: keep each Y range while it still holds the data (see HistoryPlot.fit_y)."""
        self._linking = True  # setting the other views' ranges must not re-enter through their signals
        try:
            for plot in self.plots:
                plot.view.setXRange(start_s, end_s, padding=0.0)
        finally:
            self._linking = False
        for plot in self.plots:
            plot.show_window(start_s, end_s, loose_y=loose_y)

    @Slot()
    def _on_manual_range(self) -> None:
        self._following = False

    def _on_x_range_changed(self, _view: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if not self._linking:  # a pan or zoom with the mouse on any of the plots
            self.show_time(float(x_range[0]), float(x_range[1]), loose_y=True)
            self._settle_timer.start()

    @Slot()
    def _fit_y_exactly(self) -> None:
        for plot in self.plots:
            plot.fit_y()
        self._request_detail()

    # -- rendering --------------------------------------------------------------------------------

    @Slot()
    def render_if_visible(self) -> None:
        if self._dirty and self.isVisible():
            self.render_now()

    def render_now(self) -> None:
        """Push the buffered data into the curves (created once, then `setData`)."""
        data = self._data
        if self._detail is not None:
            start_s, end_s, window = self._detail
            data = with_detail(data, window, start_s, end_s)
        self.total_plot.set_series((data.total_equity_usd,))
        self.equity_plot.set_series(data.equity_usd)
        self.mm_plot.set_series(data.mm_rate)
        self.exposure_plot.set_series(data.net_exposure_usd)
        self._dirty = False
        # New samples every few seconds: keep each Y range while it holds them (no twitching axes).
        if self._following:
            self._apply_x_range(loose_y=True)
        else:
            self.show_time(*self.x_range(), loose_y=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.render_now()
        self.reload()

    # -- crosshair --------------------------------------------------------------------------------

    def crosshair_at(self, time_s: float | None) -> None:
        """Put the crosshair of every plot at `time_s` (None hides it)."""
        for plot in self.plots:
            plot.show_crosshair(time_s)
        if time_s is None:
            self.cursor_label.setText("")
        else:
            self.cursor_label.setText(fmt.date_time(time_s))

    def _on_mouse(self, args: tuple[object, ...]) -> None:
        position = args[0]
        for plot in self.plots:
            if plot.item.sceneBoundingRect().contains(position):  # type: ignore[arg-type]
                point = plot.item.getViewBox().mapSceneToView(position)
                self.crosshair_at(point.x())
                return
        self.crosshair_at(None)
