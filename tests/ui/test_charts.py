"""History charts: curves made once, thin plain pens, range buttons, crosshair readout,
rendering only while visible, and incremental reads from the history database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from desktop_app.storage.history import HistoryWriter
from desktop_app.ui.charts.data import ChartData, NamedSeries, SeriesCache
from desktop_app.ui.charts.history_view import HistoryChartsWidget
from desktop_app.ui.charts.loader import HistoryLoaderHost
from desktop_app.ui.charts.synthetic import synthetic_history
from tests.test_export_csv import report as export_report
from tests.ui.recorder import Recorder

END_S = 1_790_000_000.0
WEEK_S = 7 * 86_400.0


def series(name: str, times_s: list[float], values: list[float]) -> NamedSeries:
    return NamedSeries(name, np.asarray(times_s, dtype=np.float64), np.asarray(values, dtype=np.float64))


def small_data(shift: float = 0.0) -> ChartData:
    """Three samples 5 s apart ending at END_S; `shift` moves every value (a later update)."""
    t = [END_S - 10, END_S - 5, END_S]
    return ChartData(
        total_equity_usd=series("Total", t, [300 + shift, 330 + shift, 360 + shift]),
        equity_usd=(series("Main", t, [100 + shift, 110 + shift, 120 + shift]),
                    series("Hedge", t, [200 + shift, 220 + shift, 240 + shift])),
        mm_rate=(series("Hedge", t, [0.5, 0.825, 0.9]),),
        net_exposure_usd=(series("BTC", t, [-1500.0, 2500.0, 3000.0]),),
    )


@pytest.fixture
def charts(qtbot):
    widget = HistoryChartsWidget(clock=lambda: END_S, render_interval_ms=20, reload_interval_ms=60_000)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    return widget


def all_curves(widget: HistoryChartsWidget) -> list[object]:
    return [curve for plot in widget.plots for curve in plot.curves.values()]


def test_curves_are_created_once_and_updated_with_set_data(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    first = all_curves(charts)
    items_before = [len(plot.item.listDataItems()) for plot in charts.plots]
    # Total 1 + equity 2 + MM 1 + exposure 1 = 5 curves.
    assert len(first) == 5
    for shift in (1.0, 2.0, 3.0):
        charts.set_series(small_data(shift))
        charts.render_now()
    assert all_curves(charts) == first
    assert all(a is b for a, b in zip(all_curves(charts), first, strict=True))
    assert [len(plot.item.listDataItems()) for plot in charts.plots] == items_before
    # The data did change: Main's last value is 120 + 3.
    _, y = charts.equity_plot.curves["Main"].getOriginalDataset()
    assert y[-1] == pytest.approx(123.0)


def test_a_vanished_series_keeps_its_curve_hidden(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    hedge = charts.equity_plot.curves["Hedge"]
    data = small_data()
    without_hedge = ChartData(data.total_equity_usd, data.equity_usd[:1], data.mm_rate, data.net_exposure_usd)
    charts.set_series(without_hedge)
    charts.render_now()
    assert charts.equity_plot.curves["Hedge"] is hedge
    assert not hedge.isVisible()
    charts.set_series(small_data())
    charts.render_now()
    assert charts.equity_plot.curves["Hedge"] is hedge and hedge.isVisible()


def test_curves_are_thin_plain_lines_with_an_explicit_x_range(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    for curve in all_curves(charts):
        assert curve.opts["antialias"] is False
        assert curve.opts["pen"].width() == 1 and curve.opts["pen"].isCosmetic()
    for plot in charts.plots:
        # The curves draw the X range they are told; pyqtgraph's auto-range would measure them all.
        assert plot.item.getViewBox().autoRangeEnabled() == [False, False]


def test_a_week_shown_as_one_hour_draws_only_a_few_points(charts, qtbot) -> None:
    charts.show()
    qtbot.waitExposed(charts)
    charts.set_series(synthetic_history(accounts=2, days=7.0, step_s=5.0, end_s=END_S, seed=1))
    charts.render_now()
    charts.set_range("1 h")
    x, _ = charts.equity_plot.curves["Main"].getData()
    # One hour of 5 s samples is 3600 / 5 + 1 = 721 points out of 7 × 86,400 / 5 = 120,960; the curve
    # draws those plus the neighbour before the window (the line reaches the left edge).
    assert x.size == 722
    assert x.min() == END_S - 3600 - 5 and x.max() == END_S


@pytest.mark.parametrize(("name", "span_s"), [("1 h", 3600.0), ("24 h", 86_400.0), ("7 d", WEEK_S)])
def test_range_buttons_set_the_x_range(charts, name: str, span_s: float) -> None:
    charts.set_series(small_data())
    charts.render_now()
    charts.range_buttons[name].click()
    low, high = charts.x_range()
    assert (low, high) == pytest.approx((END_S - span_s, END_S), abs=1e-3)
    assert charts.range_name == name
    # Every stacked plot shows the same time span (X-linked).
    for plot in charts.plots:
        assert tuple(plot.item.getViewBox().viewRange()[0]) == pytest.approx((low, high), abs=1e-3)


def test_range_all_spans_the_whole_history(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    charts.range_buttons["All"].click()
    # The first sample is at END_S − 10, the last at END_S.
    assert charts.x_range() == pytest.approx((END_S - 10, END_S), abs=1e-3)


def test_crosshair_reads_the_values_at_the_cursor(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    charts.crosshair_at(END_S - 7)  # between the samples at −10 and −5: the one at −10 holds
    assert "Main $100" in charts.equity_plot.readout_html
    assert "Hedge $200" in charts.equity_plot.readout_html
    assert "Total $300" in charts.total_plot.readout_html
    charts.crosshair_at(END_S - 5)
    # MM rate 0.825 is shown as the tables show it: 82.50%. BTC net exposure 2,500 USD: +$2,500.
    assert "Hedge 82.50%" in charts.mm_plot.readout_html
    assert "BTC +$2,500" in charts.exposure_plot.readout_html
    assert charts.mm_plot.crosshair.isVisible()
    assert charts.mm_plot.crosshair.value() == pytest.approx(END_S - 5)
    assert charts.cursor_label.text() != ""
    charts.crosshair_at(None)
    assert charts.equity_plot.readout_html == ""
    assert not charts.mm_plot.crosshair.isVisible()


def test_readout_orders_by_size_and_mm_by_risk(charts) -> None:
    t = [END_S - 5, END_S]
    data = ChartData(series("Total", t, [1, 1]), (),
                     (series("Calm", t, [0.1, 0.1]), series("Hot", t, [0.95, 0.97])),
                     (series("ETH", t, [-9000.0, -9000.0]), series("BTC", t, [4000.0, 4000.0])))
    charts.set_series(data)
    charts.render_now()
    rows = charts.mm_plot.readout_at(END_S)
    assert [name for name, _ in rows] == ["Hot", "Calm"]  # the riskiest account first
    assert rows[0][1] == pytest.approx(97.0)
    # Exposure by absolute size: |−9,000| > |4,000|.
    assert [name for name, _ in charts.exposure_plot.readout_at(END_S)] == ["ETH", "BTC"]


def test_renders_on_the_timer_only_while_visible(charts, qtbot) -> None:
    charts.set_series(small_data())
    qtbot.wait(80)  # four 20 ms render ticks while hidden
    assert charts.equity_plot.curves == {}
    charts.show()
    qtbot.waitUntil(lambda: "Main" in charts.equity_plot.curves, timeout=2000)


def test_manual_pan_stops_following_and_a_range_click_resumes(charts) -> None:
    charts.set_series(small_data())
    charts.render_now()
    charts.set_range("1 h")
    view = charts.exposure_plot.item.getViewBox()
    view.setXRange(END_S - 7200, END_S - 3600, padding=0.0)
    view.sigRangeChangedManually.emit(view.state["mouseEnabled"])
    charts.set_series(small_data(1.0))
    charts.render_now()
    assert charts.x_range() == pytest.approx((END_S - 7200, END_S - 3600), abs=1e-3)
    charts.set_range("1 h")
    assert charts.x_range() == pytest.approx((END_S - 3600, END_S), abs=1e-3)


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str


@dataclass
class FakeSource:
    """Shaped like desktop_app.storage.history_query.HistoryReader, over in-memory arrays."""

    times_s: np.ndarray
    calls: list[tuple[str, str | None, float]] = field(default_factory=list)

    def _cut(self, since_s: float, until_s: float, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = (self.times_s >= since_s) & (self.times_s <= until_s)
        return self.times_s[keep], values[keep]

    def latest_s(self):
        return float(self.times_s[-1]) if self.times_s.size else None

    def first_s(self):
        return float(self.times_s[0]) if self.times_s.size else None

    def equity_series(self, account_id: str | None, since_s: float, until_s: float = np.inf):
        self.calls.append(("equity", account_id, since_s))
        return self._cut(since_s, until_s, self.times_s * 0 + (1000.0 if account_id is None else 400.0))

    def account_series(self, account_id: str, since_s: float, until_s: float = np.inf):
        self.calls.append(("account", account_id, since_s))
        times, equity = self._cut(since_s, until_s, self.times_s * 0 + 400.0)
        rate = 0.3 if account_id == "a1" else np.nan  # "Spot only" has no MM rate: NaN (NULL) throughout
        return times, equity, equity * 0 + rate

    def exposure_series(self, coin: str, since_s: float, until_s: float = np.inf, *, measure: str = "net"):
        self.calls.append(("exposure", coin, since_s))
        return self._cut(since_s, until_s, self.times_s * 0 - 250.0)

    def accounts(self):
        return (Account("a1", "Main"), Account("a2", "Spot only"))

    def coins(self, since_s: float = 0.0):
        return ("BTC",)


def test_series_cache_reads_only_new_samples() -> None:
    source = FakeSource(np.array([END_S - 20, END_S - 15, END_S - 10]))
    cache = SeriesCache()
    data = cache.load(source, since_s=END_S - 3600)
    assert data.total_equity_usd.times_s.tolist() == [END_S - 20, END_S - 15, END_S - 10]
    assert [s.name for s in data.mm_rate] == ["Main"]  # the account without an MM rate is left out
    # Two more samples arrive; the next load asks only for what follows END_S − 10, the newest refresh
    # read, for every series: also for "Spot only"'s MM rate, which has no sample at all.
    source.times_s = np.array([END_S - 20, END_S - 15, END_S - 10, END_S - 5, END_S])
    source.calls.clear()
    data = cache.load(source, since_s=END_S - 3600 + 10)
    assert ("account", "a2", pytest.approx(END_S - 10, abs=1e-3)) in source.calls
    assert source.calls and all(since > END_S - 10 for _, _, since in source.calls)
    assert data.equity_usd[0].times_s.tolist() == [END_S - 20, END_S - 15, END_S - 10, END_S - 5, END_S]
    assert data.net_exposure_usd[0].values.tolist() == [-250.0] * 5
    # No refresh since: no series is asked for at all, and the data stays.
    source.calls.clear()
    again = cache.load(source, since_s=END_S - 3600 + 10)
    assert source.calls == []
    assert again.equity_usd[0].times_s.tolist() == data.equity_usd[0].times_s.tolist()
    # A longer range than what was read starts over from the new start.
    source.calls.clear()
    cache.load(source, since_s=0.0)
    assert ("equity", None, 0.0) in source.calls


@pytest.fixture
def loader_for(qtbot):
    hosts: list[HistoryLoaderHost] = []

    def make(path) -> HistoryLoaderHost:
        hosts.append(HistoryLoaderHost(path))
        return hosts[-1]

    yield make
    for host in hosts:
        host.shutdown()


def test_charts_read_the_real_history_database_through_the_loader(charts, qtbot, tmp_path,
                                                                   loader_for) -> None:
    path = tmp_path / "history.sqlite3"
    base = export_report()
    with HistoryWriter(path, clock=lambda: END_S) as writer:
        for i, equity_usd in enumerate((20000.0, 19000.0)):
            writer.submit(replace(base, taken_at=END_S - 10 + 5 * i,
                                  totals=replace(base.totals, equity_usd=equity_usd)))
        assert writer.flush(timeout_s=10.0)
    charts.show()
    qtbot.waitExposed(charts)
    loader = loader_for(path)
    loaded = Recorder(loader.sig_data)
    charts.set_loader(loader)  # shown: it asks for the 24 h range at once
    assert charts.status_label.text() == "Loading history…"
    loaded.wait_for(qtbot)
    assert charts.last_error is None and charts.status_label.text() == ""
    times, totals = charts.total_plot.curves["Total"].getOriginalDataset()
    assert times.tolist() == [END_S - 10, END_S - 5]
    assert totals.tolist() == [20000.0, 19000.0]
    # Main's MM rate 0.125 is plotted in percent: 0.125 × 100 = 12.5.
    assert charts.mm_plot.curves["Main"].getOriginalDataset()[1].tolist() == [12.5, 12.5]
    assert "Hedge, \"the\" short" not in charts.mm_plot.curves  # stale, no MM rate: no legend entry
    # BTC net exposure: Main long 0.5 × 62,000 = 31,000, Hedge short 0.25 × 62,000 = 15,500 → 15,500.
    assert charts.exposure_plot.curves["BTC"].getOriginalDataset()[1].tolist() == [15500.0, 15500.0]
    # A reload only asks for what is new: no "Loading" for it.
    loaded.next_item(qtbot, charts.reload)
    assert charts.status_label.text() == ""


def test_a_history_read_error_is_shown_and_the_next_reload_recovers(charts, qtbot, tmp_path,
                                                                     loader_for) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database" * 200)
    loader = loader_for(path)
    errors = Recorder(loader.sig_error)
    charts.set_loader(loader)
    errors.next_item(qtbot, charts.reload)
    assert charts.status_label.text().startswith("History unavailable: ")
    assert charts.last_error is not None and "history database" in charts.last_error
    path.unlink()
    with HistoryWriter(path, clock=lambda: END_S) as writer:
        writer.submit(replace(export_report(), taken_at=END_S - 5))
        assert writer.flush(timeout_s=10.0)
    Recorder(loader.sig_data).next_item(qtbot, charts.reload)
    assert charts.last_error is None and charts.status_label.text() == ""


def test_y_range_fits_the_visible_data_and_marks_the_liquidation_line(charts, qtbot) -> None:
    charts.show()
    qtbot.waitExposed(charts)
    charts.set_series(small_data())
    charts.render_now()
    charts.set_range("1 h")
    low, high = charts.mm_plot.item.getViewBox().viewRange()[1]
    # Rates 50 %, 82.5 %, 90 %: the range follows them (with a 6 % margin), not down to 0 or up to the
    # 100 % line, which is marked at the top while it is above the data.
    assert 45.0 < low <= 50.0 and 90.0 <= high < 100.0
    marker = charts.mm_plot._reference_marker
    assert marker.isVisible() and "100%" in marker.toPlainText()
    assert marker.pos().y() == high
    low, high = charts.equity_plot.item.getViewBox().viewRange()[1]
    # Equity 100 … 240 USD, with a margin but not a zero-based axis.
    assert 50.0 < low <= 100.0 and 240.0 <= high < 300.0


def test_axis_labels_of_a_narrow_range_stay_distinct() -> None:
    from desktop_app.ui.charts.plot import compact_usd, percent

    # Equity moving between $1,060,000 and $1,064,000 with ticks every $2,000: at the default two
    # decimals all three read "$1.06M"; with the step they read $1.060M, $1.062M, $1.064M.
    ticks = [1_060_000.0, 1_062_000.0, 1_064_000.0]
    assert [compact_usd(v) for v in ticks] == ["$1.06M"] * 3
    assert [compact_usd(v, 2_000.0) for v in ticks] == ["$1.060M", "$1.062M", "$1.064M"]
    # A wide range keeps the short form: ticks $200k apart need one decimal of "M", $100k ticks none of "k".
    assert compact_usd(1_200_000.0, 200_000.0) == "$1.2M"
    assert [compact_usd(v, 100_000.0) for v in (400_000.0, 600_000.0)] == ["$400k", "$600k"]
    assert compact_usd(-5_000.0, 1_000.0) == "\u2212$5k"
    # Margin-rate ticks 0.05 points apart: 4.65%, 4.70%.
    assert [percent(v, 0.05) for v in (4.65, 4.70)] == ["4.65%", "4.70%"]
    # Ticks $20 apart on a million: beyond four decimals of "M", so whole dollars.
    assert [compact_usd(v, 20.0) for v in (1_056_900.0, 1_056_920.0)] == ["$1,056,900", "$1,056,920"]


def test_an_account_has_one_colour_in_every_chart_and_the_legend_is_the_title_line(charts, qtbot) -> None:
    charts.show()
    qtbot.waitExposed(charts)
    charts.set_series(small_data())  # the MM chart meets Hedge first, the equity chart Main first
    charts.render_now()
    pen = {plot: {name: c.opts["pen"].color().name() for name, c in plot.curves.items()}
           for plot in (charts.equity_plot, charts.mm_plot)}
    assert pen[charts.mm_plot]["Hedge"] == pen[charts.equity_plot]["Hedge"]
    assert pen[charts.equity_plot]["Main"] != pen[charts.equity_plot]["Hedge"]
    # Above the plot, not over its curves: each name in its curve's colour.
    title = charts.equity_plot.item.titleLabel.text
    for name in ("Main", "Hedge"):
        assert f"color:{pen[charts.equity_plot][name]}'>■ {name}" in title
    charts.crosshair_at(END_S)  # the crosshair's values take the legend's place, in the same colours
    assert "Main $120" in charts.equity_plot.item.titleLabel.text
    charts.crosshair_at(None)
    charts.legend_box.setChecked(False)
    assert "■" not in charts.equity_plot.item.titleLabel.text


def test_history_opens_on_all_of_it(charts) -> None:
    assert charts.range_name == "All" and charts.range_buttons["All"].isChecked()


def test_account_colours_follow_the_configured_order_whoever_asks_first() -> None:
    from desktop_app.ui.charts.colours import COIN_COLOURS, PALETTE, ColourMap

    names = ["Main", "Hedge", "Copy follower"]
    one_session, another = ColourMap(order=names), ColourMap(order=names)
    assert [one_session.colour(n) for n in ("Copy follower", "Hedge", "Main")] == [
        PALETTE[2], PALETTE[1], PALETTE[0]]
    assert [another.colour(n) for n in names] == list(PALETTE[:3])
    # An account no longer configured (still in the history): a colour of its own, the same every time.
    removed = one_session.colour("Old sub")
    assert removed not in PALETTE[:3] and ColourMap(order=names).colour("Old sub") == removed
    # Coins have colours of their own: BTC is Bitcoin orange, nobody's account colour.
    assert COIN_COLOURS.colour("BTC") == "#f7931a" and COIN_COLOURS.colour("BTC") not in PALETTE


def test_history_and_journal_draw_each_account_in_its_configured_colour(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import QSettings

    from desktop_app.bybit.environments import custom
    from desktop_app.domain.credentials import Credentials, KeyType, Secret
    from desktop_app.domain.snapshot import AccountSpec
    from desktop_app.journal_sync import JournalReport
    from desktop_app.storage.paths import AppPaths
    from desktop_app.ui.charts.colours import ACCOUNT_COLOURS, PALETTE
    from desktop_app.ui.context import demo_context
    from desktop_app.ui.journal.view import CurveSeries, JournalView
    from desktop_app.ui.window.main_window import MainWindow
    from desktop_app.ui.worker.host import WorkerHost
    from tests.ui.factories import stress_fn

    monkeypatch.setattr(ACCOUNT_COLOURS, "_order", {})  # the test's order is undone afterwards
    # Configured Hedge first: the charts meet Main first (alphabetically, or as the equity plot does).
    specs = tuple(AccountSpec(f"acc-{n}", n, custom("http://127.0.0.1:9"),
                              Credentials("key", Secret("secret"), KeyType.HMAC)) for n in ("Hedge", "Main"))
    window = MainWindow(demo_context(AppPaths.portable(tmp_path), specs),
                        WorkerHost(specs, service_factory=object), stress_fn,
                        qsettings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.charts.set_series(small_data())
    window.charts.render_now()
    expected = {"Hedge": PALETTE[0], "Main": PALETTE[1]}
    for plot in (window.charts.equity_plot, window.charts.mm_plot):
        assert {n: c.opts["pen"].color().name() for n, c in plot.curves.items()} == {
            n: expected[n] for n in plot.curves}
    t = np.array([0.0, 1.0])
    view = JournalView(report=JournalReport(0, 1000, ()), total=None, daily_pnl_usd={},  # type: ignore[arg-type]
                       curves=tuple(CurveSeries(f"acc-{n}", n, t, t) for n in ("Main", "Hedge")),
                       total_curve=CurveSeries("", "", t, t))
    window.journal.curves.set_view(view)
    assert {n: window.journal.curves.curves[f"acc-{n}"].opts["pen"].color().name()
            for n in ("Main", "Hedge")} == expected
