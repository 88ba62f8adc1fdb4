"""Alert messages on their way to Telegram: delivered in order, retried with back-off through an
outage, dropped after a limit with a report. Monitoring never waits for Telegram.

One task delivers the queue. A message that fails for a reason that may pass (no network, a 5xx, a
429 rate limit) waits and is tried again, the wait doubling from `first_delay_s` up to `max_delay_s`
(or Telegram's `retry_after` when longer); after `max_attempts` it is dropped. A refusal that no
retry can change (a wrong token, an unknown chat), or a `retry_after` beyond an hour, drops it at
once. A queue past `max_queued` drops its oldest message. Each drop, and the first failure of a
message, is reported through `report` (the window's status bar, the watcher's log); the token never
appears (TelegramError).

The retrying is the outbox's alone: its sender (`alert_sender`) makes one HTTP request per attempt,
so a message through an outage costs `max_attempts` requests and each attempt ends within the
sender's timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import httpx

from desktop_app.alerts.telegram import TelegramError, TelegramSender
from desktop_app.live.alerts import TelegramSettings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # with the default delays: 5 + 10 + 20 + 40 + 80 s, about 2.5 minutes of outage
FIRST_DELAY_S = 5.0
MAX_DELAY_S = 120.0
MAX_RETRY_AFTER_S = 3600.0  # Telegram asks for seconds or minutes; a longer wait would stall the queue
MAX_QUEUED = 100  # a crash across many accounts is one message per evaluation, not one per alert


def alert_sender(settings: TelegramSettings, *, client: httpx.AsyncClient | None = None) -> TelegramSender:
    """The sender of an outbox: one HTTP request per `send` (the outbox does the retrying, so its
    count and its waits, Telegram's `retry_after` included, are the only ones).
    May raise: TelegramError (no token, a malformed token, no chat id)."""
    if settings.token is None:
        raise TelegramError("No Telegram bot token is set.")
    return TelegramSender(settings.token, settings.chat_id, base_url=settings.api_url, client=client,
                          max_attempts=1)


def retryable(exc: TelegramError) -> bool:
    """No network, a server error or a rate limit may pass; a refusal (400, 401, 403) will not."""
    code = exc.error_code
    return code is None or code == 429 or code >= 500


class TelegramOutbox:
    """Not thread-safe: the session's event loop only."""

    def __init__(self, sender: TelegramSender, *, report: Callable[[str], None],
                 on_change: Callable[[], None] | None = None,
                 max_attempts: int = MAX_ATTEMPTS, first_delay_s: float = FIRST_DELAY_S,
                 max_delay_s: float = MAX_DELAY_S, max_queued: int = MAX_QUEUED,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """`on_change` runs whenever the messages not yet delivered change (one queued, delivered
        or dropped): the watcher keeps them on disk."""
        self.sender = sender
        self._report = report
        self._on_change = on_change
        self._max_attempts = max(1, max_attempts)
        self._first_delay_s = first_delay_s
        self._max_delay_s = max_delay_s
        self._max_queued = max(1, max_queued)
        self._sleep = sleep
        self._queue: deque[str] = deque()  # waiting; the one being tried is not in it
        self._in_flight: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent = 0
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Messages not yet delivered (the one being tried included)."""
        return len(self._queue) + int(self._in_flight is not None)

    def pending_texts(self) -> tuple[str, ...]:
        """The messages not yet delivered, oldest first (the watcher keeps them for its next run)."""
        return ((self._in_flight,) if self._in_flight is not None else ()) + tuple(self._queue)

    def put(self, text: str) -> None:
        """Queue a message; delivery starts at once unless another is in flight."""
        if len(self._queue) >= self._max_queued:
            self._queue.popleft()
            self.dropped += 1
            self._report(f"Telegram: an alert message was dropped: more than {self._max_queued} were "
                         "waiting for delivery.")
        self._queue.append(text)
        self._idle.clear()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._deliver())
        self._changed()

    def take_pending(self) -> tuple[str, ...]:
        """Stop delivering now and hand over the messages not yet delivered, oldest first (another
        chat takes them over); `aclose` still closes the sender."""
        pending = self.pending_texts()
        if self._task is not None:
            self._task.cancel()
        self._queue.clear()
        self._in_flight = None
        self._idle.set()
        return pending

    async def drain(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` for the queue to empty; True when it did."""
        if timeout_s <= 0:
            return self._idle.is_set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        return self._idle.is_set()

    async def aclose(self) -> None:
        """Stop delivering and close the sender; what is still queued is discarded (take it first with
        `take_pending` to keep it)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.pending:
            log.info("Telegram: %d undelivered alert message(s) discarded on close", self.pending)
        await self.sender.aclose()

    async def _deliver(self) -> None:
        try:
            while self._queue:
                text = self._queue.popleft()
                self._in_flight = text
                await self._deliver_one(text)
                self._in_flight = None
                self._changed()
        finally:
            if not self._queue:
                self._idle.set()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    async def _deliver_one(self, text: str) -> None:
        delay_s = self._first_delay_s
        for attempt in range(1, self._max_attempts + 1):
            try:
                await self.sender.send(text)
            except TelegramError as exc:
                retry_after_s = exc.retry_after_s or 0.0
                too_long = not retry_after_s <= MAX_RETRY_AFTER_S  # NaN too
                if not retryable(exc) or attempt == self._max_attempts or too_long:
                    self.dropped += 1
                    tries = f"after {attempt} attempts" if attempt > 1 else "at once"
                    self._report(f"Telegram: an alert message was dropped {tries}: {exc}")
                    return
                # Telegram's retry_after is a minimum: never try sooner, however short our back-off.
                wait_s = max(retry_after_s, min(delay_s, self._max_delay_s))
                if attempt == 1:
                    self._report(f"Telegram: {str(exc).rstrip('.')}; retrying with back-off (up to "
                                 f"{self._max_attempts} attempts).")
                log.info("Telegram: attempt %d failed; next in %.0f s", attempt, wait_s)
                await self._sleep(wait_s)
                delay_s = min(delay_s * 2, self._max_delay_s)
            except Exception as exc:  # a bug in sending must not end the session's loop
                self.dropped += 1
                self._report(f"Telegram: an alert message was dropped ({type(exc).__name__}).")
                return
            else:
                self.sent += 1
                return
