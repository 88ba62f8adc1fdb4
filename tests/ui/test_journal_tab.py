"""The Journal tab against the simulator (offscreen): the sync runs on the journal's own thread with
progress, the tables and charts show the report's figures, CSV export writes them, the models pass
Qt's model tester, and quitting stops a sync in flight."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QFileDialog

from desktop_app.bybit import ratelimit
from desktop_app.exchange_sim import Simulator, routes_private
from desktop_app.journal_sync import JournalReport, JournalService
from desktop_app.journal_sync.export import journal_csv
from desktop_app.storage.journal_cache import JournalCache
from desktop_app.ui.charts.colours import ACCOUNT_COLOURS, PALETTE
from desktop_app.ui.journal import view as journal_view_module
from desktop_app.ui.journal.calendar import PnlCalendar
from desktop_app.ui.journal.models import JournalTableModel, journal_rows
from desktop_app.ui.journal.tab import JournalTab
from tests.sim_fixtures import SIM_SEED, SIM_START_MS, spec_of
from tests.ui.recorder import Recorder

DAY = 86_400_000


@pytest.fixture
def jsim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    for limits in (ratelimit.UID_LIMITS_PER_S, routes_private.UID_LIMITS):   # no waiting on 25/s here
        for path in ("/v5/position/closed-pnl", "/v5/account/transaction-log",
                     "/v5/account/contract-transaction-log"):
            monkeypatch.setitem(limits, path, 1000)
    # The journal's "now" is the exchange's clock: here the price clock, as the tab's own clock is.
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS, streams=False,
                   page_size_cap=None, server_clock="price") as simulator:
        yield simulator


def make_tab(qtbot, sim: Simulator, tmp_path: Path) -> JournalTab:  # type: ignore[no-untyped-def]
    specs = tuple(spec_of(sim, a) for a in sim.accounts)
    tab = JournalTab(lambda: specs, tmp_path / "history.sqlite3", now_ms=sim.now_ms)
    qtbot.addWidget(tab)
    return tab


def synced(tab: JournalTab) -> bool:
    return tab.report is not None and all(a.ok for a in tab.report.accounts) and tab.sync_button.isEnabled()


def _on_thread(function, threads: list[int]):  # type: ignore[no-untyped-def]
    """`function`, noting the thread of each call."""
    def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return function(*args, **kwargs)
    return noted


def test_opening_the_tab_syncs_off_the_gui_thread_and_shows_the_figures(
        qtbot, jsim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    sync_threads: list[int] = []
    original = JournalService.sync

    async def recording_sync(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        sync_threads.append(threading.get_ident())
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(JournalService, "sync", recording_sync)
    # The sums over every trade (total, daily PnL, curves) are the journal thread's work, not the GUI's.
    sums_threads: list[int] = []
    for name in ("cumulative_pnl", "daily_pnl_usd"):
        monkeypatch.setattr(journal_view_module, name, _on_thread(getattr(journal_view_module, name),
                                                                   sums_threads))
    monkeypatch.setattr(JournalReport, "total", _on_thread(JournalReport.total, sums_threads))
    names = [a.name for a in jsim.accounts]
    monkeypatch.setattr(ACCOUNT_COLOURS, "_order", {})
    ACCOUNT_COLOURS.set_order(names)  # the window sets the configured accounts' order
    tab = make_tab(qtbot, jsim, tmp_path)
    progress = Recorder(tab.host.worker.sig_progress)  # a QObject: called on the GUI thread
    assert tab.report is None                      # nothing is asked before the tab is opened
    tab.resize(1280, 600)
    tab.show()
    qtbot.waitUntil(lambda: synced(tab), timeout=30_000)
    assert sync_threads and threading.get_ident() not in sync_threads
    assert sums_threads and threading.get_ident() not in sums_threads
    assert progress.items and tab.progress.isHidden()
    report = tab.report
    assert report is not None and report.end_ms == jsim.now_ms()
    model = tab.accounts_model
    assert model.rowCount() == len(jsim.accounts) + 1
    total = report.total()
    last = model.rowCount() - 1
    assert model.index(last, 0).data() == "Total"
    assert model.index(last, 2).data() == str(total.trades)
    assert model.index(0, 1).data() == "Synced"
    # The total curve ends at the total realised PnL; the symbols table lists every symbol traded.
    _, values = tab.curves.data_of("")
    assert values[0] == 0.0 and values[-1] == pytest.approx(float(total.realised_pnl_usd))
    assert tab.symbols_model.rowCount() == len(total.by_symbol)
    assert tab.status_label.text().startswith("Synced with Bybit at ")
    # The legend is the title line, never an item over the curves; each account has its History colour.
    assert not [item for item in tab.curves.plot.getPlotItem().items if isinstance(item, pg.LegendItem)]
    assert tab.curves.plot.getPlotItem().legend is None
    legend = tab.curves.legend.text()
    positions = [legend.index(f"■&nbsp;{name}") for name in ("Total", *(a.name for a in jsim.accounts))]
    assert positions == sorted(positions)
    for account in report.accounts:  # the n-th configured account has the palette's n-th colour
        pen = tab.curves.curves[account.account_id].opts["pen"]
        assert pen.color().name() == PALETTE[names.index(account.name)]

    # CSV export: the file holds what journal_csv renders for the report shown.
    target = tmp_path / "journal.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert tab.export_csv() == target
    text = target.read_bytes().decode("utf-8")
    assert text == journal_csv(report)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["account", "status", "as_of_utc_ms", "trades"]
    assert rows[len(jsim.accounts) + 1][0] == "Total"
    assert Decimal(rows[len(jsim.accounts) + 1][8]) == total.realised_pnl_usd
    tab.shutdown()


def test_a_failing_account_is_shown_failed_and_the_rest_synced(
        qtbot, jsim: Simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jsim.faults.fail(jsim.account("Hedge").uid)
    tab = make_tab(qtbot, jsim, tmp_path)
    tab.show()
    qtbot.waitUntil(lambda: tab.report is not None and tab.sync_button.isEnabled()
                    and any(a.error for a in tab.report.accounts), timeout=30_000)
    hedge_row = [a.name for a in tab.report.accounts].index("Hedge")  # type: ignore[union-attr]
    assert tab.accounts_model.index(hedge_row, 1).data() == "Failed"
    assert tab.accounts_model.index(hedge_row, 2).data() == "—"          # no figures, never zeros
    assert "failed: Hedge" in tab.status_label.text()
    tab.shutdown()


def test_quitting_stops_a_sync_in_flight(qtbot, jsim: Simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jsim.faults.latency_ms = 200   # every request is slow: the sync is still running when we quit
    tab = make_tab(qtbot, jsim, tmp_path)
    busy = Recorder(tab.host.worker.sig_busy)
    tab.show()
    qtbot.waitUntil(lambda: bool(busy.items), timeout=5_000)
    assert tab.host.shutdown(timeout_ms=3000) is True
    assert not tab.host.qthread.isRunning()


def test_journal_model_passes_the_model_tester(qtmodeltester, jsim: Simulator) -> None:  # type: ignore[no-untyped-def]
    service = JournalService(JournalCache.in_memory(), now_ms=jsim.now_ms)
    report = asyncio.run(service.sync([spec_of(jsim, jsim.account("Main"))], 3))
    model = JournalTableModel()
    model.set_rows(journal_rows(report))
    qtmodeltester.check(model)


def test_calendar_colours_gains_losses_and_empty_days(qtbot) -> None:  # type: ignore[no-untyped-def]
    calendar = PnlCalendar()
    qtbot.addWidget(calendar)
    calendar.resize(400, 200)
    monday = 1_767_571_200_000   # 2026-01-05, a Monday
    calendar.set_days(monday, monday + 6 * DAY, {monday: Decimal("100"), monday + DAY: Decimal("-25")})
    gain = calendar.colour_of(date(2026, 1, 5))
    loss = calendar.colour_of(date(2026, 1, 6))
    assert gain is not None and gain.green() > gain.red()
    assert loss is not None and loss.red() > loss.green()
    # The largest day is the strongest: |100| at full strength, |-25| at 0.25 + 0.75 × sqrt(0.25).
    assert gain.alphaF() == pytest.approx(1.0) and loss.alphaF() == pytest.approx(0.625, abs=0.01)
    assert calendar.colour_of(date(2026, 1, 7)) is None               # no trades that day
    cell = calendar._cell_rect(date(2026, 1, 6))
    assert calendar.day_at(cell.center()) == date(2026, 1, 6)
    assert calendar.day_at(QPoint(-5, -5)) is None
