"""The worker's real-time side, without Qt: streams, repricing between polls, alerts on every
report, the history database and Telegram notifications.

Everything runs on the worker's asyncio loop. Stream events arrive through `on_event` (the hub's
sink, called on that loop); marks of one loop iteration are applied together, alerts are evaluated
on every repriced report, and the window gets at most one repriced update per `min_interval_s`.
Results leave through the callbacks given to the constructor (the worker turns them into signals).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_app.alerts import AlertConfig
from desktop_app.alerts.telegram import TelegramError, TelegramSender
from desktop_app.bybit.errors import BybitError
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
from desktop_app.live.history_feed import HistoryFeed
from desktop_app.live.outbox import TelegramOutbox
from desktop_app.live.portfolio import GUI_MIN_INTERVAL_S, Coalescer, LivePortfolio
from desktop_app.service import PortfolioUpdate
from desktop_app.storage.history import HistoryWriter

log = logging.getLogger(__name__)

STREAM_CONFIG = StreamConfig(close_timeout_s=0.25)  # quitting has one second for everything
_CLOSE_TIMEOUT_S = 0.4
KEY_INFO_INTERVAL_S = 3600.0  # key permissions and expiry change rarely: ask once an hour per account
RefreshRequest = Callable[[frozenset[str] | None], None]  # account ids to refresh by REST; None = all


class LiveSession:
    """Owns the StreamHub, the live portfolio, the alert engine, the history writer and Telegram."""

    def __init__(self, *, emit_update: Callable[[PortfolioUpdate], None],
                 emit_alerts: Callable[[AlertUpdate], None], emit_error: Callable[[str], None],
                 emit_telegram: Callable[[TelegramResult], None], request_refresh: RefreshRequest,
                 poll_interval_s: float, alert_config: AlertConfig | None = None,
                 history_path: Path | None = None, streams: bool = True,
                 confidences: Sequence[float] = (0.95, 0.99), horizon_days: int = 1,
                 min_interval_s: float = GUI_MIN_INTERVAL_S, stream_config: StreamConfig = STREAM_CONFIG,
                 clock_for: Callable[[str], Any] | None = None,
                 telegram_factory: Callable[[TelegramSettings], TelegramSender] | None = None,
                 fetch_key_info: Callable[[AccountSpec], Awaitable[ApiKeyInfo]] | None = None,
                 key_info_interval_s: float | None = KEY_INFO_INTERVAL_S,
                 emit_stream_error: Callable[[str], None] | None = None,
                 outbox_options: Mapping[str, Any] | None = None, send_alerts: bool = True) -> None:
        """`fetch_key_info` (e.g. RiskService.api_key_info) feeds the key-expiry alert once every
        `key_info_interval_s` per account, after a REST update; None disables it. Stream problems go
        to `emit_stream_error` (default: `emit_error`, which also gets history problems). Alert
        messages go through a TelegramOutbox (`outbox_options`: its keyword arguments); with
        `send_alerts` False none are sent (a window watching what a watcher sends), test messages are."""
        self._emit_update, self._emit_alerts = emit_update, emit_alerts
        self._emit_error, self._emit_telegram = emit_error, emit_telegram
        self._emit_stream_error = emit_stream_error or emit_error
        self._request_refresh = request_refresh
        self.alerts = AlertTracker(alert_config, poll_interval_s=poll_interval_s)
        self.live = LivePortfolio(confidences=confidences, horizon_days=horizon_days)
        self._coalescer: Coalescer[PortfolioUpdate] = Coalescer(min_interval_s)
        self._history_path = history_path
        self._history = HistoryFeed()
        self._streams = streams
        self._stream_config = stream_config
        self._clock_for = clock_for
        self._telegram_factory = telegram_factory or _default_sender
        self._outbox_options = dict(outbox_options or {})
        self.send_alerts = send_alerts
        self.undelivered: tuple[str, ...] = ()  # alert messages still queued when the session closed
        self._telegram: TelegramOutbox | None = None
        self.hub: StreamHub | None = None
        self._specs: dict[str, AccountSpec] = {}
        self._apply_scheduled = False
        self._flush_handle: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._hub_lock = asyncio.Lock()
        self._fetch_key_info = fetch_key_info
        self._key_info_interval_s = key_info_interval_s
        self._key_info_at: dict[str, float] = {}  # account -> monotonic time of the last answer or request

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, specs: Sequence[AccountSpec], *, wait_for_history: bool = False) -> None:
        """Open the history database and the streams of `specs` (enabled accounts only). The file
        opens on a thread while polling starts (see HistoryFeed), unless `wait_for_history`."""
        if self._history_path is not None:
            opening = self._history.open(self._history_path, self._emit_error)
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
            self._spawn(self._history.open(path, self._emit_error))

    @property
    def history(self) -> HistoryWriter | None:
        """The history writer once the file is open (None before, or without history)."""
        return self._history.writer

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
        `history_timeout_s`). Alert messages still queued get `telegram_grace_s` to go out first.
        Never raises."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
        if self._telegram is not None and telegram_grace_s > 0:
            with contextlib.suppress(Exception):
                await self._telegram.drain(telegram_grace_s)
            if self._telegram.pending:
                self._emit_telegram(TelegramResult(False, f"Telegram: {self._telegram.pending} alert "
                                                          "message(s) not delivered before stopping."))
        if self._telegram is not None:
            self.undelivered = self._telegram.pending_texts()
        for task in list(self._tasks):
            task.cancel()
        closers: list[Coroutine[Any, Any, None]] = []
        if self.hub is not None:
            closers.append(self.hub.aclose())
        if self._telegram is not None:
            closers.append(self._telegram.aclose())
        with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.gather(*closers, return_exceptions=True), _CLOSE_TIMEOUT_S)
        self._history.close(timeout_s=history_timeout_s)  # the writer commits its queue, then stops

    # --- REST updates --------------------------------------------------------------------------

    def rest_update(self, update: PortfolioUpdate) -> None:
        """A REST refresh finished: it replaces the streamed figures, goes to the window at once,
        is evaluated, written to history, and its positions set the stream subscriptions."""
        self.live.set_rest(update)
        self._coalescer.sent_other()
        self._emit_update(update)
        self._evaluate(update)
        self._history.submit(update.report, update.snapshot)
        if self.hub is not None:
            self._spawn(self._subscribe(update))
        self._refresh_key_infos()

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
            self._history.submit_alerts(result.events)
        self._emit_alerts(result)
        text = telegram_text(result.events)
        if text is not None and self._telegram is not None and self.send_alerts:
            self._telegram.put(text)

    def set_alert_config(self, config: AlertConfig) -> None:
        self.alerts.set_config(config)
        if self.live.rest is not None:  # apply the new thresholds at once, not at the next poll
            self._evaluate(self.live.reprice() if self.live.pending else self.live.rest)

    def set_poll_interval(self, seconds: float) -> None:
        self.alerts.set_poll_interval(seconds)

    def set_api_key_info(self, account_id: str, info: ApiKeyInfo | None) -> None:
        self.alerts.set_api_key_info(account_id, info)
        if info is not None:
            self._key_info_at[account_id] = time.monotonic()

    def _refresh_key_infos(self) -> None:
        if self._fetch_key_info is None or self._key_info_interval_s is None:
            return
        now = time.monotonic()
        for spec in self._specs.values():
            last = self._key_info_at.get(spec.account_id)
            if spec.credentials is not None and (last is None or now - last >= self._key_info_interval_s):
                self._key_info_at[spec.account_id] = now  # also when it fails: retry in an hour, not per poll
                self._spawn(self._key_info(spec))

    async def _key_info(self, spec: AccountSpec) -> None:
        assert self._fetch_key_info is not None
        try:
            info = await self._fetch_key_info(spec)
        except BybitError as exc:
            log.info("key info of %s: %s", spec.name, exc)
            return
        self.alerts.set_api_key_info(spec.account_id, info)

    def set_telegram(self, settings: TelegramSettings | None) -> None:
        old, self._telegram = self._telegram, None
        if old is not None:
            self._spawn(old.aclose())
        if settings is None or settings.token is None or not settings.chat_id.strip():
            return
        try:
            sender = self._telegram_factory(settings)
        except TelegramError as exc:
            self._emit_telegram(TelegramResult(False, str(exc)))
            return
        self._telegram = TelegramOutbox(sender, report=lambda text: self._emit_telegram(
            TelegramResult(False, text)), **self._outbox_options)

    @property
    def telegram(self) -> TelegramOutbox | None:
        """Where alert messages go (None: Telegram is off)."""
        return self._telegram

    def send_telegram_test(self) -> None:
        if self._telegram is None:
            self._emit_telegram(TelegramResult(False, "Telegram is not set up: enter the bot token and "
                                                      "chat id."))
            return
        self._spawn(self._send(self._telegram.sender, None, report_success=True))

    async def _send(self, sender: TelegramSender, text: str | None, *, report_success: bool) -> None:
        try:
            await (sender.send_test() if text is None else sender.send(text))
        except TelegramError as exc:
            self._emit_telegram(TelegramResult(False, str(exc)))
        except Exception as exc:  # a bug in sending must not end the worker loop
            log.warning("Telegram send failed: %s", type(exc).__name__)
            self._emit_telegram(TelegramResult(False, f"Telegram send failed ({type(exc).__name__})."))
        else:
            if report_success:
                self._emit_telegram(TelegramResult(True, f"Test message sent to chat {sender.chat_id}."))

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


def _default_sender(settings: TelegramSettings) -> TelegramSender:
    """May raise: TelegramError (a malformed token, no chat id)."""
    if settings.token is None:
        raise TelegramError("No Telegram bot token is set.")
    return TelegramSender(settings.token, settings.chat_id, base_url=settings.api_url)
