"""The background worker: one asyncio event loop on a QThread that owns the RiskService and the
live session (streams, repricing between polls, alerts, history, Telegram: desktop_app.live).

The worker thread runs the asyncio loop, not a Qt event loop, so its command methods (`refresh_now`,
`set_paused`, `set_accounts`, `test_connection`, `stop`) are thread-safe by construction: they only
hand a callable to the loop with `call_soon_threadsafe`. That is also what lets `stop()` cancel a
request in flight: a queued Qt call could not be delivered while the loop waits on the network.
Results travel back as immutable values on Qt signals (queued to the GUI thread): a
`PortfolioUpdate` on `sig_snapshot` as accounts answer (each account is refreshed on its own and
shown as soon as it answers, live/refresher.py) plus repriced ones from streamed marks (at most ten
a second), failures as `WorkerError` values on `sig_error`, alerts as `AlertUpdate` on `sig_alerts`.
A stream that reports an account change triggers a REST refresh of that account only.
Connect the signals to methods of QObjects living on the GUI thread: PySide runs a receiver that is
a plain callable (lambda, functools.partial, method of a non-QObject) on the worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.alerts import AlertConfig
from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.http import DEFAULT_DEADLINE_S
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live import LiveSession
from desktop_app.live.refresher import AccountRefresher
from desktop_app.service import RiskService
from desktop_app.ui.worker.messages import (
    HISTORY,
    REFRESH,
    STREAM,
    ConnectionOutcome,
    TelegramSettings,
    WorkerError,
)

__all__ = ["DEFAULT_INTERVAL_S", "ConnectionOutcome", "RiskWorker", "WorkerError"]

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 5.0
_CLOSE_TIMEOUT_S = 0.5  # closing the pool and the streams must not hold up quitting
_CHANGE_DEBOUNCE_S = 0.05  # one trade sends order, execution, position and wallet messages: one refresh


def _default_service(deadline_s: float = DEFAULT_DEADLINE_S) -> Any:
    return RiskService(deadline_s=deadline_s)


class RiskWorker(QObject):
    sig_snapshot = Signal(object)  # PortfolioUpdate
    sig_error = Signal(object)  # WorkerError
    sig_connection = Signal(object)  # ConnectionOutcome
    sig_busy = Signal(bool)  # a refresh is in flight
    sig_alerts = Signal(object)  # AlertUpdate
    sig_telegram_result = Signal(object)  # TelegramResult
    sig_finished = Signal()

    def __init__(self, accounts: Sequence[AccountSpec] = (), *, interval_s: float = DEFAULT_INTERVAL_S,
                 service_factory: Callable[[], Any] = _default_service, paused: bool = False,
                 alert_config: AlertConfig | None = None, history_path: Path | None = None,
                 streams: bool = True, live_options: Mapping[str, Any] | None = None) -> None:
        """`live_options` are extra LiveSession keyword arguments (tests: min_interval_s, ...)."""
        super().__init__()
        self._alert_config = alert_config
        self._history_path = history_path
        self._streams = streams
        self._live_options = dict(live_options or {})
        self._live: LiveSession | None = None
        self._refresher: AccountRefresher | None = None
        self._partial: set[str] = set()  # accounts a stream said changed, refreshed on their own
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
        self._tasks: set[asyncio.Task[None]] = set()

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

    @Slot(float)
    def set_request_deadline(self, seconds: float) -> None:
        """The most one request, and one account's refresh, may take (settings: request_deadline_s)."""
        self._post(functools.partial(self._do_set_deadline, seconds))

    @Slot(int, object)
    def test_connection(self, request_id: int, spec: AccountSpec) -> None:
        self._post(functools.partial(self._do_test, request_id, spec))

    @Slot(object)
    def set_alert_config(self, config: AlertConfig) -> None:
        self._post(functools.partial(self._live_call, "set_alert_config", config))

    @Slot(object)
    def set_telegram(self, settings: TelegramSettings | None) -> None:
        self._post(functools.partial(self._live_call, "set_telegram", settings))

    @Slot()
    def send_telegram_test(self) -> None:
        self._post(functools.partial(self._live_call, "send_telegram_test"))

    @Slot()
    def stop(self) -> None:
        """Cancel whatever is in flight and end the loop; `run` returns shortly after."""
        with self._lock:
            self._stopped = True
        self._post(self._do_stop)

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
            self._send("sig_finished")
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
        pool = getattr(self._service, "pool", None)
        self._live = LiveSession(
            emit_update=functools.partial(self._send, "sig_snapshot"),
            emit_alerts=functools.partial(self._send, "sig_alerts"),
            emit_error=functools.partial(self._emit_error, source=HISTORY),
            emit_stream_error=functools.partial(self._emit_error, source=STREAM),
            emit_telegram=functools.partial(self._send, "sig_telegram_result"),
            request_refresh=self._request_refresh,
            poll_interval_s=self._interval_s, alert_config=self._alert_config,
            history_path=self._history_path, streams=self._streams,
            clock_for=pool.clock_for if pool is not None else None,
            fetch_key_info=getattr(self._service, "api_key_info", None), **self._live_options)
        self._refresher = AccountRefresher(self._service, publish=self._live.rest_update,
                                           report_error=self._emit_error,
                                           busy=functools.partial(self._send, "sig_busy"))
        self._refresher.set_accounts(self._accounts)
        try:
            await self._live.start(self._accounts)
            for fn in pending:
                fn()
            await self._refresh_forever()
        except asyncio.CancelledError:
            pass
        finally:
            self._refresher.cancel()
            for task in self._tasks:
                task.cancel()
            try:
                await asyncio.wait_for(asyncio.gather(self._live.aclose(), self._service.aclose()),
                                       _CLOSE_TIMEOUT_S)
            except (TimeoutError, asyncio.CancelledError, Exception) as exc:
                log.warning("closing the streams and the HTTP pool: %s", type(exc).__name__)

    async def _refresh_forever(self) -> None:
        """Polls on the interval; the refresher fetches each account on its own and publishes each
        answer through the live session (which emits it, evaluates alerts, writes history and
        subscribes its symbols), so nothing here waits for an account."""
        assert self._wake is not None and self._refresher is not None
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            due = not self._paused and loop.time() >= next_at
            if self._refresh_requested or due:
                self._refresh_requested = False
                self._partial.clear()
                next_at = loop.time() + self._interval_s
                self._refresher.poll()
            elif self._partial and not self._paused:
                ids, self._partial = frozenset(self._partial), set()
                self._refresher.poll(ids)
            self._wake.clear()
            timeout = None if self._paused else max(0.0, next_at - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _emit_error(self, message: str, *, source: str = REFRESH) -> None:
        self._send("sig_error", WorkerError(message, time.time(), source))

    def _send(self, name: str, *args: Any) -> None:
        getattr(self, name).emit(*args)

    def _request_refresh(self, account_ids: frozenset[str] | None) -> None:
        """A stream asked for a REST refresh (None: every account, e.g. the market stream reconnected)."""
        if account_ids is None:
            self._do_refresh_now()
            return
        self._partial |= account_ids
        if self._wake is not None:
            asyncio.get_running_loop().call_later(_CHANGE_DEBOUNCE_S, self._poke)

    def _live_call(self, method: str, *args: Any) -> None:
        if self._live is not None:
            getattr(self._live, method)(*args)

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
        if self._live is not None:
            self._live.set_poll_interval(self._interval_s)
        self._poke()

    def _do_set_deadline(self, seconds: float) -> None:
        pool = getattr(self._service, "pool", None)
        if pool is not None and seconds > 0:
            pool.deadline_s = float(seconds)

    def _do_set_accounts(self, accounts: tuple[AccountSpec, ...]) -> None:
        self._accounts = accounts
        if self._refresher is not None:
            self._refresher.set_accounts(accounts)
        if self._live is not None:
            task = asyncio.get_running_loop().create_task(self._live.set_accounts(accounts))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._do_refresh_now()

    def _do_test(self, request_id: int, spec: AccountSpec) -> None:
        task = asyncio.get_running_loop().create_task(self._test(request_id, spec))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
            key = getattr(report, "key", None)
            if self._live is not None and key is not None:
                self._live.set_api_key_info(spec.account_id, key)  # the key-expiry alert needs it
        self._send("sig_connection", outcome)

    def _do_stop(self) -> None:
        if self._main_task is not None:
            self._main_task.cancel()
