"""The worker's real-time side against the simulator's streams: a crash streamed between two polls
raises alerts with no REST request, an account's trade refreshes that account only, a dropped
stream triggers a REST re-fetch, and history is written. Loopback only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from desktop_app.bybit.http import HttpPool
from desktop_app.service import RiskService
from desktop_app.storage.history import HistoryReader
from desktop_app.ui.demo import sim_account_specs
from desktop_app.ui.worker.host import WorkerHost
from tests.ui.recorder import WAIT_MS, Recorder

# The hourly key-info query would add REST requests these tests count (tests/test_live.py covers it).
NO_KEY_INFO = {"key_info_interval_s": None}


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests on and records (API key, path) of each."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.seen: list[tuple[str | None, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.headers.get("X-BAPI-API-KEY"), request.url.path))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _rest_update(update) -> bool:
    return not update.report.repriced


def _start(qtbot, host: WorkerHost) -> tuple[Any, Recorder]:
    snapshots = Recorder(host.worker.sig_snapshot)
    host.start()
    return snapshots.wait_for(qtbot, _rest_update), snapshots


def _wait_streams(qtbot, sim) -> None:
    """Every account's private stream subscribed, and the public linear stream following BTCUSDT."""
    # An `order` message changes nothing for the client; publishing one tells whether it arrives.
    qtbot.waitUntil(lambda: all(sim.streams.publish(a.name, "order", [{"category": "linear"}])
                                for a in sim.accounts), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "tickers.BTCUSDT" in sim.streams.topics("/v5/public/linear"), timeout=WAIT_MS)


def test_streamed_crash_raises_alerts_before_the_next_poll(qtbot, sim, tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite3"
    host = WorkerHost(sim_account_specs(sim), interval_s=3600, history_path=history,
                      live_options=NO_KEY_INFO)
    assert host.history_path == history
    try:
        alerts = Recorder(host.worker.sig_alerts)
        _, snapshots = _start(qtbot, host)
        _wait_streams(qtbot, sim)
        requests_before = sim.stats.requests
        seen_before = len(snapshots.items)
        # BTC falls 30% within a second of price time (every coin by its beta); the stream server
        # pushes the new marks within 100 ms. A 30% fall of ~7 net long BTC and the alt longs takes
        # far more than 5% of the total equity: the drawdown alert must be raised.
        def drawdown_raised(update) -> bool:
            return any(e.rule == "drawdown" and e.kind.notify for e in update.events)

        sim.trigger_crash(drop=0.30, duration_s=1.0)
        sim.step(2.0)
        alerts.wait_for(qtbot, drawdown_raised)
        assert sim.stats.requests == requests_before  # no REST request: the alert came from the stream
        live = snapshots.wait_for(qtbot, lambda u: u.report.repriced, after=seen_before)
        assert live.report.source == "stream"
    finally:
        assert host.shutdown()
    with HistoryReader(history) as reader:
        assert [a.name for a in reader.accounts()] and any(e.rule == "drawdown" for e in reader.alert_log())


def test_a_trade_refreshes_that_account_only(qtbot, sim) -> None:
    transport = CountingTransport()
    host = WorkerHost(sim_account_specs(sim), interval_s=3600,
                      service_factory=lambda: RiskService(HttpPool(transport=transport)),
                      live_options=NO_KEY_INFO)
    try:
        first, snapshots = _start(qtbot, host)
        _wait_streams(qtbot, sim)
        hedge = sim.account("Hedge")
        seen_before = len(transport.seen)
        updates_before = len(snapshots.items)

        def hedge_changed(update) -> bool:
            state = next(s for s in update.snapshot.accounts if s.name == "Hedge")
            return _rest_update(update) and state.data is not None and any(
                p.symbol == "BTCUSDT" and float(p.size) == 2.6 for p in state.data.positions)

        sim.streams.trade("Hedge", "BTCUSDT", "Buy", "0.1")  # Hedge held 2.5 BTC long
        update = snapshots.wait_for(qtbot, hedge_changed, after=updates_before)
        keys = {key for key, _ in transport.seen[seen_before:]}
        assert keys == {hedge.api_key}
        # The other accounts kept their previous (identical) states.
        for state in update.snapshot.accounts:
            if state.name != "Hedge":
                assert state == next(s for s in first.snapshot.accounts if s.account_id == state.account_id)
    finally:
        assert host.shutdown()


def test_a_dropped_stream_triggers_a_rest_refetch(qtbot, sim) -> None:
    host = WorkerHost(sim_account_specs(sim), interval_s=3600, live_options=NO_KEY_INFO)
    try:
        _, snapshots = _start(qtbot, host)
        _wait_streams(qtbot, sim)
        requests_before = sim.stats.requests
        updates_before = len(snapshots.items)
        assert sim.streams.drop_connections("/v5/private") == len(sim.accounts)
        snapshots.wait_for(qtbot, _rest_update, after=updates_before)
        assert sim.stats.requests > requests_before
    finally:
        assert host.shutdown()
