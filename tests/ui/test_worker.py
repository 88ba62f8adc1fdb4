"""The worker with a scripted service (no network): one update per refresh, errors as values,
refresh now, pause, connection tests, and a clean stop while a request hangs."""

from __future__ import annotations

import asyncio
import threading

from desktop_app.bybit.environments import custom
from desktop_app.bybit.errors import BybitError
from desktop_app.domain.credentials import Credentials, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.ui.worker.host import WorkerHost
from desktop_app.ui.worker.worker import ConnectionOutcome, WorkerError
from tests.ui.factories import make_update
from tests.ui.recorder import Recorder


class ScriptedService:
    """Answers `compose` (one update of the worker's accounts) from a script: an update, an exception,
    or "hang" (sleeps until cancelled). The worker here has no accounts, so each poll is one compose."""

    def __init__(self, *script: object) -> None:
        self.script = list(script)
        self.calls = 0
        self.closed = threading.Event()
        self.cancelled = threading.Event()

    async def refresh_account(self, spec, previous):
        raise AssertionError("no account to refresh")

    async def compose(self, accounts, snapshot):
        self.calls += 1
        step = self.script.pop(0) if self.script else make_update()
        if step == "hang":
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.cancelled.set()
                raise
        if isinstance(step, Exception):
            raise step
        return step

    async def test_connection(self, spec):
        if spec == "bad":
            raise BybitError(10004, "The API secret is wrong (signature rejected).")
        return "report"

    async def aclose(self) -> None:
        self.closed.set()


def _host(service: ScriptedService, **kwargs) -> WorkerHost:
    return WorkerHost((), service_factory=lambda: service, **kwargs)


def test_emits_one_update_per_refresh_and_errors_as_values(qtbot) -> None:
    first = make_update()
    service = ScriptedService(first, RuntimeError("boom"))
    host = _host(service, interval_s=3600)
    snapshots, errors = Recorder(host.worker.sig_snapshot), Recorder(host.worker.sig_error)
    assert snapshots.next_item(qtbot, host.start) is first
    error = errors.next_item(qtbot, host.worker.refresh_now)
    assert isinstance(error, WorkerError)
    assert error.message == "RuntimeError: boom"
    snapshots.next_item(qtbot, host.worker.refresh_now)
    assert len(snapshots.items) == 2  # one update per successful refresh, none for the failed one
    assert host.shutdown()
    assert service.closed.is_set()


def test_pause_stops_timed_refreshes_but_refresh_now_works(qtbot) -> None:
    service = ScriptedService()
    host = _host(service, interval_s=0.5, paused=True)
    snapshots = Recorder(host.worker.sig_snapshot)
    snapshots.next_item(qtbot, host.start)  # the first refresh always happens
    qtbot.wait(900)  # paused: no timed refresh although the interval (0.5 s) passed
    assert len(snapshots.items) == 1
    snapshots.next_item(qtbot, host.worker.refresh_now)
    snapshots.next_item(qtbot, lambda: host.worker.set_paused(False))  # timed refreshes resume
    assert host.shutdown()


def test_connection_test_outcomes(qtbot) -> None:
    host = _host(ScriptedService(), interval_s=3600)
    outcomes = Recorder(host.worker.sig_connection)
    host.start()
    assert outcomes.next_item(qtbot, lambda: host.worker.test_connection(7, "good")) == \
        ConnectionOutcome(7, "report", None)
    message = "[10004] The API secret is wrong (signature rejected)."
    assert outcomes.next_item(qtbot, lambda: host.worker.test_connection(8, "bad")) == \
        ConnectionOutcome(8, None, message)
    assert host.shutdown()


class HangingAccountService(ScriptedService):
    """Every account's refresh hangs until cancelled."""

    async def refresh_account(self, spec, previous):
        return await self._hang()

    async def _hang(self):
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


SPEC = AccountSpec("a-1", "Main", custom("http://127.0.0.1:9"), Credentials("key", Secret("secret")))


def test_stop_cancels_a_hanging_request_and_joins_within_a_second(qtbot) -> None:
    service = HangingAccountService()
    host = WorkerHost((SPEC,), service_factory=lambda: service)
    Recorder(host.worker.sig_busy).next_item(qtbot, host.start)
    assert host.running
    assert host.shutdown(timeout_ms=1000)  # QThread.wait(1000) returned True: joined within 1 s
    assert service.cancelled.is_set()
    assert service.closed.is_set()
    assert not host.running
