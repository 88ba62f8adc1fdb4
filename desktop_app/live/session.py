"""The worker's real-time side, without Qt: streams, repricing between polls, alerts on every
report, the history database and Telegram notifications.

Everything runs on the worker's asyncio loop. Stream events arrive through `on_event` (the hub's
sink, called on that loop); marks of one loop iteration are applied together, alerts are evaluated
on every repriced report, and the window gets at most one repriced update per `min_interval_s`.
Results leave through the callbacks given to the constructor (the worker turns them into signals).
Alert messages go to Telegram through the notifier (notifier.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_app.alerts import AlertConfig
from desktop_app.alerts.telegram import TelegramSender
from desktop_app.bybit.stream_hub import StreamHub
from desktop_app.bybit.ws_common import (
    AccountChangedEvent,
    MarkPriceEvent,
    ReconnectedEvent,
    StreamConfig,
    StreamErrorEvent,
    StreamEvent,
)
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live.alerts import AlertTracker, AlertUpdate, TelegramResult, TelegramSettings, telegram_text
from desktop_app.live.closing import close_all
from desktop_app.live.history_feed import HistoryFeed
from desktop_app.live.key_infos import KEY_INFO_INTERVAL_S, KeyInfoSchedule
from desktop_app.live.notifier import AlertNotifier
from desktop_app.live.outbox import TelegramOutbox, alert_sender
from desktop_app.live.portfolio import GUI_MIN_INTERVAL_S, Coalescer, LivePortfolio
from desktop_app.service import PortfolioUpdate
from desktop_app.storage.history import DEFAULT_RETENTION_DAYS, HistoryWriter

log = logging.getLogger(__name__)

STREAM_CONFIG = StreamConfig(close_timeout_s=0.25)  # quitting has one second for everything
_CLOSE_TIMEOUT_S = 0.4
RefreshRequest = Callable[[frozenset[str] | None], None]  # account ids to refresh by REST; None = all


class LiveSession:
    """Owns the StreamHub, the live portfolio, the alert engine, the history writer and Telegram."""

    def __init__(self, *, emit_update: Callable[[PortfolioUpdate], None],
                 emit_alerts: Callable[[AlertUpdate], None], emit_error: Callable[[str], None],
                 emit_telegram: Callable[[TelegramResult], None], request_refresh: RefreshRequest,
                 poll_interval_s: float, alert_config: AlertConfig | None = None,
                 history_path: Path | None = None, streams: bool = True,
                 confidences: Sequence[float] = (0.95, 0.99), horizon_days: int = 1,
                 history_retention_days: int = DEFAULT_RETENTION_DAYS,
                 min_interval_s: float = GUI_MIN_INTERVAL_S, stream_config: StreamConfig = STREAM_CONFIG,
                 clock_for: Callable[[str], Any] | None = None,
                 telegram_factory: Callable[[TelegramSettings], TelegramSender] | None = None,
                 fetch_key_info: Callable[[AccountSpec], Awaitable[ApiKeyInfo]] | None = None,
                 key_info_interval_s: float | None = KEY_INFO_INTERVAL_S,
                 emit_stream_error: Callable[[str], None] | None = None,
                 outbox_options: Mapping[str, Any] | None = None, send_alerts: bool = True,
                 emit_outbox: Callable[[tuple[str, ...]], None] | None = None) -> None:
        """`fetch_key_info` (e.g. RiskService.api_key_info) feeds the key-expiry alert once every
        `key_info_interval_s` per account, after a REST update; None disables it. Stream problems go
        to `emit_stream_error` (default: `emit_error`, which also gets history problems). Alert
        messages go through a TelegramOutbox (`outbox_options`: its keyword arguments); with
        `send_alerts` False none are sent (a window watching what a watcher sends), test messages are.
        `emit_outbox` gets the alert messages waiting for Telegram whenever they change."""
        self._emit_update, self._emit_alerts = emit_update, emit_alerts
        self._emit_error, self._emit_telegram = emit_error, emit_telegram
        self._emit_stream_error = emit_stream_error or emit_error
        self._request_refresh = request_refresh
        self.alerts = AlertTracker(alert_config, poll_interval_s=poll_interval_s)
        self.live = LivePortfolio(confidences=confidences, horizon_days=horizon_days)
        self._coalescer: Coalescer[PortfolioUpdate] = Coalescer(min_interval_s)
        self._history_path = history_path
        self.history_feed = HistoryFeed(history_retention_days)
        self._streams = streams
        self._stream_config = stream_config
        self._clock_for = clock_for
        self.notifier = AlertNotifier(report=emit_telegram, spawn=self._spawn, on_change=emit_outbox,
                                      sender_factory=telegram_factory or alert_sender,
                                      outbox_options=outbox_options)
        self.send_alerts = send_alerts
        self.hub: StreamHub | None = None
        self._specs: dict[str, AccountSpec] = {}
        self._apply_scheduled = False
        self._flush_handle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._hub_lock = asyncio.Lock()
        self._key_infos = KeyInfoSchedule(fetch_key_info, interval_s=key_info_interval_s,
                                          apply=self.alerts.set_api_key_info, spawn=self._spawn)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, specs: Sequence[AccountSpec], *, wait_for_history: bool = False) -> None:
        """Open the history database and the streams of `specs` (enabled accounts only). The file
        opens on a thread while polling starts (see HistoryFeed), unless `wait_for_history`."""
        if self._history_path is not None:
            opening = self.history_feed.open(self._history_path, self._emit_error)
            if wait_for_history:
                await opening
            else:
                self._spawn(opening)
        if self._streams:
            self.hub = StreamHub({}, {}, self.on_event, config=self._stream_config)
            await self.hub.start()
        await self.set_accounts(specs)

    def start_recording(self, path: Path) -> None:
        """Write the history to `path` and send alert messages from now on: a window that watched a
        watcher becomes the writer once the watcher has stopped."""
        self.send_alerts = True
        if self._history_path is None:
            self._history_path = path
            self._spawn(self.history_feed.open(path, self._emit_error))

    @property
    def history(self) -> HistoryWriter | None:
        """The history writer once the file is open (None before, or without history)."""
        return self.history_feed.writer

    async def set_accounts(self, specs: Sequence[AccountSpec]) -> None:
        """Follow the configured accounts: streams of removed or changed accounts are closed and
        reopened as needed. The next REST update subscribes their symbols."""
        wanted = {s.account_id: s for s in specs if s.enabled}
        old, self._specs = self._specs, wanted
        if self.hub is None:
            return
        async with self._hub_lock:
            for account_id, spec in old.items():
                if wanted.get(account_id) != spec:
                    await self.hub.remove_account(account_id)
            for account_id, spec in wanted.items():
                if old.get(account_id) != spec:
                    now_ms = self._now_ms(spec)
                    await self.hub.add_account(account_id, spec.environment, spec.credentials, now_ms=now_ms)

    async def aclose(self, *, telegram_grace_s: float = 0.0,
                     history_timeout_s: float = _CLOSE_TIMEOUT_S) -> None:
        """Stop streams, timers and sends; write what the history queue holds (waiting up to
        `history_timeout_s`). Alert messages still queued get `telegram_grace_s` to go out first
        (what is left stays `undelivered`). Raises nothing but a cancel that came while closing,
        and that only once everything is closed."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        cancelled = await self.notifier.finish(telegram_grace_s)
        try:
            await self.history_feed.wait_open(history_timeout_s)  # or what waits for the file is lost
        except asyncio.CancelledError:
            cancelled = True
        for task in list(self._tasks):
            task.cancel()
        closers: list[Coroutine[Any, Any, None]] = [self.notifier.aclose()]
        if self.hub is not None:
            closers.append(self.hub.aclose())
        # Quitting must not wait on them: a stream or Telegram slow to close is left to the system.
        cancelled |= await close_all(closers, _CLOSE_TIMEOUT_S, what="the streams and Telegram",
                                     level=logging.DEBUG)
        self.history_feed.close(timeout_s=history_timeout_s)  # the writer commits its queue, then stops
        if cancelled:
            raise asyncio.CancelledError

    @property
    def undelivered(self) -> tuple[str, ...]:
        """Alert messages not delivered yet (after closing: those Telegram did not take in time)."""
        return self.notifier.pending

    # --- REST updates --------------------------------------------------------------------------

    def rest_update(self, update: PortfolioUpdate) -> None:
        """A REST refresh finished: it replaces the streamed figures, goes to the window at once,
        is evaluated, written to history, and its positions set the stream subscriptions."""
        self.live.set_rest(update)
        self._coalescer.sent_other()
        self._emit_update(update)
        self._evaluate(update)
        self.history_feed.submit(update.report, update.snapshot)
        if self.hub is not None:
            self._spawn(self._subscribe(update))
        self._key_infos.ask_due(self._specs.values())

    async def _subscribe(self, update: PortfolioUpdate) -> None:
        assert self.hub is not None
        async with self._hub_lock:
            for state in update.snapshot.accounts:
                if state.account_id in self._specs and state.data is not None:
                    with contextlib.suppress(KeyError):  # removed meanwhile
                        await self.hub.set_positions(state.account_id, state.data.positions)

    # --- stream events -------------------------------------------------------------------------

    def on_event(self, event: StreamEvent) -> None:
        """The hub's sink (on the worker's loop)."""
        if isinstance(event, MarkPriceEvent):
            accounts = self.accounts_on(event.source)
            if self.live.add_mark(event.source, accounts, event.symbol, float(event.mark_price)) \
                    and not self._apply_scheduled:
                self._apply_scheduled = True
                asyncio.get_running_loop().call_soon(self._apply_marks)
        elif isinstance(event, AccountChangedEvent):
            if event.account_id in self._specs:
                self._request_refresh(frozenset((event.account_id,)))
        elif isinstance(event, ReconnectedEvent):
            ids = None if event.account_id is None else frozenset((event.account_id,))
            self._request_refresh(ids)
        elif isinstance(event, StreamErrorEvent):
            name = self._specs[event.account_id].name if event.account_id in self._specs else "market data"
            retry = "" if event.retry_in_s is None else f" (retrying in {event.retry_in_s:.0f} s)"
            self._emit_stream_error(f"Stream for {name}: {event.error}{retry}")

    def accounts_on(self, source: str) -> tuple[str, ...]:
        if self.hub is not None:
            return self.hub.accounts_on(source)
        base = source.rstrip("/")
        return tuple(a for a, s in self._specs.items() if s.environment.public_ws_url.rstrip("/") == base)

    def _apply_marks(self) -> None:
        """All marks of this loop iteration at once: reprice, evaluate, and pace the window."""
        self._apply_scheduled = False
        update = self.live.reprice()
        if update is None:
            return
        self._evaluate(update)
        delay_s = self._coalescer.offer(update)
        if delay_s <= 0:
            self._flush()
        elif self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(delay_s, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        update = self._coalescer.take()
        if update is not None:
            self._emit_update(update)

    # --- alerts and Telegram ---------------------------------------------------------------------

    def _evaluate(self, update: PortfolioUpdate) -> None:
        result = self.alerts.evaluate(update.report, update.snapshot)
        if result is None:
            return
        if result.events:
            self.history_feed.submit_alerts(result.events)
        text = telegram_text(result.events)
        if text is not None and self.send_alerts:
            self.notifier.put(text)  # before the sinks: a sink's failure must not cost the message
        self._emit_alerts(result)

    def set_alert_config(self, config: AlertConfig) -> None:
        self.alerts.set_config(config)
        if self.live.rest is not None:  # apply the new thresholds at once, not at the next poll
            self._evaluate(self.live.reprice() if self.live.pending else self.live.rest)

    def set_poll_interval(self, seconds: float) -> None:
        self.alerts.set_poll_interval(seconds)

    def set_api_key_info(self, account_id: str, info: ApiKeyInfo | None) -> None:
        self.alerts.set_api_key_info(account_id, info)
        if info is not None:
            self._key_infos.answered(account_id)

    def set_telegram(self, settings: TelegramSettings | None) -> None:
        """Send alert messages to `settings` from now on (None: off); those still waiting move over."""
        self.notifier.set(settings)

    @property
    def telegram(self) -> TelegramOutbox | None:
        """Where alert messages go (None: Telegram is off)."""
        return self.notifier.outbox

    def send_telegram_test(self) -> None:
        self.notifier.send_test()

    # --- helpers ------------------------------------------------------------------------------------

    def _now_ms(self, spec: AccountSpec) -> Callable[[], int] | None:
        if self._clock_for is None:
            return None
        clock = self._clock_for(spec.environment.rest_url)
        return clock.server_now_ms  # type: ignore[no-any-return]

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("live task failed: %s", type(task.exception()).__name__)

