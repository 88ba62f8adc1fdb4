"""The background worker: one asyncio event loop on a QThread that runs the monitoring loop
(desktop_app.live.LiveLoop: the RiskService, the per-account refresher and the live session with
streams, repricing between polls, alerts, history and Telegram). `riskdesk-cli watch` runs the same
loop without Qt; this class only moves it onto a thread and turns its outputs into signals.

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
from desktop_app.bybit.http import DEFAULT_DEADLINE_S
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live.loop import REFRESH, LiveLoop, LiveSinks
from desktop_app.live.loop import default_service as _loop_service
from desktop_app.live.report_options import DEFAULT_REPORT_OPTIONS, ReportOptions
from desktop_app.ui.worker.messages import ConnectionOutcome, TelegramSettings, WorkerError

__all__ = ["DEFAULT_INTERVAL_S", "ConnectionOutcome", "RiskWorker", "WorkerError"]

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 5.0


def _default_service(deadline_s: float = DEFAULT_DEADLINE_S) -> Any:
    return _loop_service(deadline_s)


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
                 streams: bool = True, live_options: Mapping[str, Any] | None = None,
                 report_options: ReportOptions = DEFAULT_REPORT_OPTIONS) -> None:
        """`live_options` are extra LiveSession keyword arguments (tests: min_interval_s, ...)."""
        super().__init__()
        self._report_options = report_options  # the history file opens with its retention
        self._alert_config = alert_config
        self._history_path = history_path
        self._streams = streams
        self._live_options = dict(live_options or {})
        self._accounts = tuple(accounts)
        self._interval_s = max(0.5, float(interval_s))
        self._paused = paused
        self._factory = service_factory
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Callable[[], None]] = []
        self._stopped = False
        self._main_task: asyncio.Task[None] | None = None
        self._runner: LiveLoop | None = None
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
        self._post(functools.partial(self._runner_call, "refresh_now"))

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self._post(functools.partial(self._runner_call, "set_paused", paused))

    @Slot(float)
    def set_interval(self, seconds: float) -> None:
        self._post(functools.partial(self._runner_call, "set_interval", seconds))

    @Slot(object)
    def set_accounts(self, accounts: Sequence[AccountSpec]) -> None:
        specs = tuple(accounts)
        self._post(functools.partial(self._runner_call, "set_accounts", specs))

    @Slot(float)
    def set_request_deadline(self, seconds: float) -> None:
        """The most one request, and one account's refresh, may take (settings: request_deadline_s)."""
        self._post(functools.partial(self._runner_call, "set_deadline", seconds))

    @Slot(int, object)
    def test_connection(self, request_id: int, spec: AccountSpec) -> None:
        self._post(functools.partial(self._do_test, request_id, spec))

    @Slot(object)
    def set_report_options(self, options: ReportOptions) -> None:
        """The VaR levels and horizon of the reports, the history's retention (settings file)."""
        self._report_options = options
        self._post(functools.partial(self._runner_call, "set_report_options", options))

    @Slot(object)
    def set_alert_config(self, config: AlertConfig) -> None:
        self._post(functools.partial(self._live_call, "set_alert_config", config))

    @Slot(object)
    def set_telegram(self, settings: TelegramSettings | None) -> None:
        self._post(functools.partial(self._live_call, "set_telegram", settings))

    @Slot(object)
    def start_recording(self, history_path: Path) -> None:
        """Become the writer: record history to `history_path` and send alert messages (a window that
        watched a watcher, once the watcher has stopped)."""
        self._post(functools.partial(self._live_call, "start_recording", history_path))

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
        self._main_task = asyncio.current_task()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            pending, self._pending = self._pending, []
            stopped = self._stopped
        if stopped:
            return
        sinks = LiveSinks(update=functools.partial(self._send, "sig_snapshot"),
                          alerts=functools.partial(self._send, "sig_alerts"),
                          error=self._emit_error,
                          telegram=functools.partial(self._send, "sig_telegram_result"),
                          busy=functools.partial(self._send, "sig_busy"))
        self._runner = LiveLoop(self._accounts, sinks=sinks, interval_s=self._interval_s,
                                service_factory=self._factory, paused=self._paused,
                                alert_config=self._alert_config, history_path=self._history_path,
                                streams=self._streams, live_options=self._live_options,
                                report_options=self._report_options)

        def replay() -> None:  # the commands given before the loop ran, in their order
            for fn in pending:
                fn()

        try:
            await self._runner.run(on_started=replay)
        finally:
            for task in self._tasks:
                task.cancel()

    def _emit_error(self, message: str, source: str = REFRESH) -> None:
        self._send("sig_error", WorkerError(message, time.time(), source))

    def _send(self, name: str, *args: Any) -> None:
        getattr(self, name).emit(*args)

    def _runner_call(self, method: str, *args: Any) -> None:
        if self._runner is not None:
            getattr(self._runner, method)(*args)

    def _live_call(self, method: str, *args: Any) -> None:
        if self._runner is not None and self._runner.session is not None:
            getattr(self._runner.session, method)(*args)

    def _do_test(self, request_id: int, spec: AccountSpec) -> None:
        task = asyncio.get_running_loop().create_task(self._test(request_id, spec))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _test(self, request_id: int, spec: AccountSpec) -> None:
        assert self._runner is not None
        report, error = await self._runner.test_connection(spec)
        self._send("sig_connection", ConnectionOutcome(request_id, report, error))

    def _do_stop(self) -> None:
        if self._main_task is not None:
            self._main_task.cancel()
