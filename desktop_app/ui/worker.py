"""The background worker: one asyncio event loop on a QThread that owns the RiskService.

The worker thread runs the asyncio loop, not a Qt event loop, so its command methods (`refresh_now`,
`set_paused`, `set_accounts`, `test_connection`, `stop`) are thread-safe by construction: they only
hand a callable to the loop with `call_soon_threadsafe`. That is also what lets `stop()` cancel a
request in flight: a queued Qt call could not be delivered while the loop waits on the network.
Results travel back as immutable values on Qt signals (queued to the GUI thread): one
`PortfolioUpdate` per refresh on `sig_snapshot`, failures as `WorkerError` values on `sig_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.bybit.errors import BybitError
from desktop_app.snapshot import AccountSpec

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 5.0
_CLOSE_TIMEOUT_S = 0.5  # closing the HTTP pool must not hold up quitting


@dataclass(frozen=True, slots=True)
class WorkerError:
    """A refresh that failed as a whole (account failures are inside the update instead)."""

    message: str
    at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class ConnectionOutcome:
    """The answer to one `test_connection` request: a ConnectionReport, or the client's message."""

    request_id: int
    report: Any | None
    error: str | None


def _default_service() -> Any:
    from desktop_app.service import RiskService

    return RiskService()


class RiskWorker(QObject):
    sig_snapshot = Signal(object)  # PortfolioUpdate
    sig_error = Signal(object)  # WorkerError
    sig_connection = Signal(object)  # ConnectionOutcome
    sig_busy = Signal(bool)  # a refresh is in flight
    sig_finished = Signal()

    def __init__(self, accounts: Sequence[AccountSpec] = (), *, interval_s: float = DEFAULT_INTERVAL_S,
                 service_factory: Callable[[], Any] = _default_service, paused: bool = False) -> None:
        super().__init__()
        self._accounts = tuple(accounts)
        self._interval_s = max(0.5, float(interval_s))
        self._paused = paused
        self._factory = service_factory
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Callable[[], None]] = []
        self._stopped = False
        self._refresh_requested = True  # the first refresh starts at once
        self._wake: asyncio.Event | None = None
        self._main_task: asyncio.Task[None] | None = None
        self._service: Any = None
        self._tests: set[asyncio.Task[None]] = set()

    # --- commands: callable from any thread --------------------------------------------------

    def _post(self, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._loop is None:
                self._pending.append(fn)
                return
            loop = self._loop
        with contextlib.suppress(RuntimeError):  # the loop already closed: nothing left to command
            loop.call_soon_threadsafe(fn)

    @Slot()
    def refresh_now(self) -> None:
        self._post(self._do_refresh_now)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self._post(functools.partial(self._do_set_paused, paused))

    @Slot(float)
    def set_interval(self, seconds: float) -> None:
        self._post(functools.partial(self._do_set_interval, seconds))

    @Slot(object)
    def set_accounts(self, accounts: Sequence[AccountSpec]) -> None:
        specs = tuple(accounts)
        self._post(functools.partial(self._do_set_accounts, specs))

    @Slot(int, object)
    def test_connection(self, request_id: int, spec: AccountSpec) -> None:
        self._post(functools.partial(self._do_test, request_id, spec))

    @Slot()
    def stop(self) -> None:
        """Cancel whatever is in flight and end the loop; `run` returns shortly after."""
        with self._lock:
            self._stopped = True
        self._post(self._do_stop)

    def stress(self, update: Any, shocks: Mapping[str, float], beta: bool) -> Any:
        """The service's stress on an update it produced. Pure (no network, reads only `update`), so
        the GUI thread calls it directly for an instant answer while the loop keeps refreshing.

        May raise: ValueError (a shock of −100% or worse, or not finite).
        """
        return self._service.stress(update, shocks, beta=beta)

    # --- the loop (worker thread) ------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        """Connected to `QThread.started`: runs the event loop until `stop()`."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:
            log.error("worker loop ended with %s", type(exc).__name__)
        finally:
            with self._lock:
                self._loop = None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self.sig_finished.emit()
            thread = QThread.currentThread()
            if thread is not None:
                thread.quit()  # makes the thread's exec() return at once

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._main_task = asyncio.current_task()
        with self._lock:
            self._loop = loop
            pending, self._pending = self._pending, []
            stopped = self._stopped
        if stopped:
            return
        self._service = self._factory()
        for fn in pending:
            fn()
        try:
            await self._refresh_forever()
        except asyncio.CancelledError:
            pass
        finally:
            for task in self._tests:
                task.cancel()
            try:
                await asyncio.wait_for(self._service.aclose(), _CLOSE_TIMEOUT_S)
            except (TimeoutError, asyncio.CancelledError, Exception) as exc:
                log.warning("closing the HTTP pool: %s", type(exc).__name__)

    async def _refresh_forever(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            due = not self._paused and loop.time() >= next_at
            if self._refresh_requested or due:
                self._refresh_requested = False
                next_at = loop.time() + self._interval_s
                await self._refresh_once()
                continue
            self._wake.clear()
            timeout = None if self._paused else max(0.0, next_at - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _refresh_once(self) -> None:
        self.sig_busy.emit(True)
        try:
            update = await self._service.update(self._accounts)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Account failures are inside the update; reaching here is a bug or a total outage.
            message = str(exc) if isinstance(exc, BybitError) else f"{type(exc).__name__}: {exc}"
            log.warning("refresh failed: %s", message)
            self.sig_error.emit(WorkerError(message, time.time()))
        else:
            self.sig_snapshot.emit(update)
        finally:
            self.sig_busy.emit(False)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _do_refresh_now(self) -> None:
        self._refresh_requested = True
        self._poke()

    def _do_set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._poke()

    def _do_set_interval(self, seconds: float) -> None:
        self._interval_s = max(0.5, float(seconds))
        self._poke()

    def _do_set_accounts(self, accounts: tuple[AccountSpec, ...]) -> None:
        self._accounts = accounts
        self._do_refresh_now()

    def _do_test(self, request_id: int, spec: AccountSpec) -> None:
        task = asyncio.get_running_loop().create_task(self._test(request_id, spec))
        self._tests.add(task)
        task.add_done_callback(self._tests.discard)

    async def _test(self, request_id: int, spec: AccountSpec) -> None:
        try:
            report = await self._service.test_connection(spec)
        except BybitError as exc:
            outcome = ConnectionOutcome(request_id, None, str(exc))
        except Exception as exc:
            log.warning("connection test failed unexpectedly: %s", type(exc).__name__)
            outcome = ConnectionOutcome(request_id, None, f"Unexpected error ({type(exc).__name__}).")
        else:
            outcome = ConnectionOutcome(request_id, report, None)
        self.sig_connection.emit(outcome)

    def _do_stop(self) -> None:
        if self._main_task is not None:
            self._main_task.cancel()
