"""The monitoring loop without Qt: the RiskService, the live session and the per-account refresher on
one asyncio loop, polling on an interval. The window's worker runs it on a QThread and turns its
outputs into signals; `riskdesk-cli watch` runs the same loop with `asyncio.run`, so both monitor,
alert, record and notify the same way.

Every method is called on the loop that runs `run()` (the worker hands its commands over with
`call_soon_threadsafe`). Outputs leave through `LiveSinks`; errors as messages with their source.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.alerts import AlertConfig
from desktop_app.alerts.state import EngineState
from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.http import DEFAULT_DEADLINE_S
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live.alerts import AlertUpdate, TelegramResult, TelegramSettings
from desktop_app.live.closing import close_all
from desktop_app.live.refresher import AccountRefresher
from desktop_app.live.report_options import DEFAULT_REPORT_OPTIONS, ReportOptions
from desktop_app.live.session import LiveSession
from desktop_app.service import PortfolioUpdate, RiskService

log = logging.getLogger(__name__)

REFRESH, STREAM, HISTORY = "refresh", "stream", "history"  # where an error message comes from
MIN_INTERVAL_S = 0.5
CLOSE_TIMEOUT_S = 0.5  # closing the pool and the streams must not hold up quitting the window
_CHANGE_DEBOUNCE_S = 0.05  # one trade sends order, execution, position and wallet messages: one refresh


def default_service(deadline_s: float = DEFAULT_DEADLINE_S) -> Any:
    return RiskService(deadline_s=deadline_s)


def _ignore(*_args: Any) -> None:
    return None


@dataclass(frozen=True, slots=True)
class LiveSinks:
    """Where the loop's results go (called on the loop's thread)."""

    update: Callable[[PortfolioUpdate], None] = _ignore  # REST updates as accounts answer, and repriced
    alerts: Callable[[AlertUpdate], None] = _ignore
    error: Callable[[str, str], None] = _ignore  # (message, source: REFRESH, STREAM or HISTORY)
    telegram: Callable[[TelegramResult], None] = _ignore
    busy: Callable[[bool], None] = _ignore  # whether a fetch is in flight, on each change
    outbox: Callable[[tuple[str, ...]], None] = _ignore  # alert messages waiting for Telegram, on each change


class LiveLoop:
    """Not thread-safe: its loop only. `run()` returns when cancelled, after closing everything."""

    def __init__(self, accounts: Sequence[AccountSpec] = (), *, sinks: LiveSinks, interval_s: float,
                 service_factory: Callable[[], Any] = default_service, paused: bool = False,
                 alert_config: AlertConfig | None = None, history_path: Path | None = None,
                 streams: bool = True, live_options: Mapping[str, Any] | None = None,
                 close_timeout_s: float = CLOSE_TIMEOUT_S, engine_state: EngineState | None = None,
                 telegram: TelegramSettings | None = None, resend: Sequence[str] = (),
                 report_options: ReportOptions = DEFAULT_REPORT_OPTIONS) -> None:
        """`live_options` are extra LiveSession keyword arguments (tests: min_interval_s, ...).
        `report_options`: the VaR levels and horizon of every report, the history's retention.
        `engine_state` carries on an alert engine of an earlier run (the watcher's); `telegram` sets
        where alert messages go from the start (the window sends it later, as a command); `resend`
        are alert messages an earlier run could not deliver, queued first."""
        self._accounts = tuple(accounts)
        self._sinks = sinks
        self._interval_s = max(MIN_INTERVAL_S, float(interval_s))
        self._factory = service_factory
        self._paused = paused
        self._alert_config = alert_config
        self._history_path = history_path
        self._streams = streams
        self._live_options = dict(live_options or {})
        self.close_timeout_s = close_timeout_s
        self._engine_state = engine_state
        self._telegram = telegram
        self._resend = tuple(resend)
        self._report_options = report_options
        self.session: LiveSession | None = None
        self.service: Any = None
        self._refresher: AccountRefresher | None = None
        self._partial: set[str] = set()  # accounts a stream said changed, refreshed on their own
        self._refresh_requested = True  # the first refresh starts at once
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def interval_s(self) -> float:
        return self._interval_s

    # --- lifecycle -----------------------------------------------------------------------------

    def _build(self) -> LiveSession:
        self.service = self._factory()
        pool = getattr(self.service, "pool", None)
        options = self._report_options
        self.session = LiveSession(
            emit_update=self._sinks.update, emit_alerts=self._sinks.alerts,
            emit_error=lambda message: self._sinks.error(message, HISTORY),
            emit_stream_error=lambda message: self._sinks.error(message, STREAM),
            emit_telegram=self._sinks.telegram, emit_outbox=self._sinks.outbox,
            request_refresh=self._request_refresh,
            poll_interval_s=self._interval_s, alert_config=self._alert_config,
            history_path=self._history_path, streams=self._streams,
            clock_for=pool.clock_for if pool is not None else None,
            fetch_key_info=getattr(self.service, "api_key_info", None),
            confidences=options.var_confidences, horizon_days=options.var_horizon_days,
            history_retention_days=options.history_retention_days, **self._live_options)
        self._apply_var_options()
        if self._engine_state is not None:
            self.session.alerts.engine.restore_state(self._engine_state)
        if self._telegram is not None:
            self.session.set_telegram(self._telegram)
            for text in self._resend:
                self.session.notifier.put(text)
        return self.session

    async def run(self, on_started: Callable[[], None] | None = None, *,
                  telegram_grace_s: float = 0.0) -> None:
        """Open the session (history, streams), then poll until cancelled; `on_started` runs once the
        session is open (the worker replays the commands that came before). Closes everything on
        the way out, within `close_timeout_s` (the history queue is written first) plus up to
        `telegram_grace_s` for alert messages still on their way."""
        self._wake = asyncio.Event()
        session = self._build()
        self._refresher = AccountRefresher(self.service, publish=session.rest_update,
                                           report_error=lambda message: self._sinks.error(message, REFRESH),
                                           busy=self._sinks.busy)
        self._refresher.set_accounts(self._accounts)
        try:
            await session.start(self._accounts)
            if on_started is not None:
                on_started()
            await self._refresh_forever()
        except asyncio.CancelledError:
            pass
        finally:
            await self._close(telegram_grace_s=telegram_grace_s)

    async def run_once(self, *, telegram_grace_s: float) -> PortfolioUpdate:
        """One complete refresh of every account (each within the service's deadline), published
        through the session as a poll would be (alerts, history, Telegram); then close, giving the
        Telegram messages of that evaluation up to `telegram_grace_s` to be delivered. Cancelled (a
        stop), it closes at once, or cuts that grace short, and then raises CancelledError; what
        Telegram has not taken is left in `session.undelivered`."""
        session = self._build()
        try:
            await session.start(self._accounts, wait_for_history=True)
            key_infos = getattr(self.service, "api_key_info", None)
            enabled = [a for a in self._accounts if a.enabled]
            update, *infos = await asyncio.gather(
                self.service.update(enabled),
                *([key_infos(a) for a in enabled] if key_infos is not None else []),
                return_exceptions=True)
            if isinstance(update, BaseException):
                raise update
            for spec, info in zip(enabled, infos, strict=False):
                if not isinstance(info, BaseException):
                    session.set_api_key_info(spec.account_id, info)
            session.rest_update(update)
            return update
        except asyncio.CancelledError:
            telegram_grace_s = 0.0  # stopped: what waits for Telegram is kept, not waited for
            raise
        finally:
            await self._close(telegram_grace_s=telegram_grace_s)

    async def _close(self, *, telegram_grace_s: float = 0.0) -> None:
        """Close the session and the service. A cancel that comes meanwhile (a stop during the
        Telegram grace) cuts the grace short; the session still closes, and the cancel goes on."""
        if self._refresher is not None:
            self._refresher.cancel()
        for task in list(self._tasks):
            task.cancel()
        closers = []
        if self.session is not None:
            closers.append(self.session.aclose(telegram_grace_s=telegram_grace_s,
                                               history_timeout_s=self.close_timeout_s))
        if self.service is not None:
            closers.append(self.service.aclose())
        timeout_s = self.close_timeout_s + telegram_grace_s
        if await close_all(closers, timeout_s, what="the streams and the HTTP pool"):
            raise asyncio.CancelledError  # closed all the same (LiveSession.aclose); the stop goes on

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

    # --- commands (on the loop) ------------------------------------------------------------------

    def refresh_now(self) -> None:
        self._refresh_requested = True
        self._poke()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._poke()

    def set_interval(self, seconds: float) -> None:
        self._interval_s = max(MIN_INTERVAL_S, float(seconds))
        if self.session is not None:
            self.session.set_poll_interval(self._interval_s)
        self._poke()

    def set_deadline(self, seconds: float) -> None:
        pool = getattr(self.service, "pool", None)
        if pool is not None and seconds > 0:
            pool.deadline_s = float(seconds)

    def set_report_options(self, options: ReportOptions) -> None:
        """New VaR levels and horizon (from the next report, REST or repriced) and history retention
        (from the history writer's next prune)."""
        self._report_options = options
        self._apply_var_options()
        if self.session is not None:
            self.session.live.set_var_options(options.var_confidences, options.var_horizon_days)
            self.session.history_feed.set_retention(options.history_retention_days)

    def _apply_var_options(self) -> None:
        set_var_options = getattr(self.service, "set_var_options", None)  # test services may lack it
        if set_var_options is not None:
            set_var_options(self._report_options.var_confidences, self._report_options.var_horizon_days)

    def set_accounts(self, accounts: Sequence[AccountSpec]) -> None:
        self._accounts = tuple(accounts)
        if self._refresher is not None:
            self._refresher.set_accounts(self._accounts)
        if self.session is not None:
            self._spawn(self.session.set_accounts(self._accounts))
        self.refresh_now()

    async def test_connection(self, spec: AccountSpec) -> tuple[Any | None, str | None]:
        """(ConnectionReport, None), or (None, the client's message). Never raises but cancellation."""
        try:
            report = await self.service.test_connection(spec)
        except BybitError as exc:
            return None, str(exc)
        except Exception as exc:
            log.warning("connection test failed unexpectedly: %s", type(exc).__name__)
            return None, f"Unexpected error ({type(exc).__name__})."
        key = getattr(report, "key", None)
        if self.session is not None and key is not None:
            self.session.set_api_key_info(spec.account_id, key)  # the key-expiry alert needs it
        return report, None

    # --- helpers -------------------------------------------------------------------------------

    def _request_refresh(self, account_ids: frozenset[str] | None) -> None:
        """A stream asked for a REST refresh (None: every account, e.g. the market stream reconnected)."""
        if account_ids is None:
            self.refresh_now()
            return
        self._partial |= account_ids
        if self._wake is not None:
            asyncio.get_running_loop().call_later(_CHANGE_DEBOUNCE_S, self._poke)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
