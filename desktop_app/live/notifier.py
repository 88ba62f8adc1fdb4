"""Where the live session's alert messages go: the Telegram outbox of the chat set now.

A new chat (or token) takes over the messages still waiting for the old one, so changing the chat
in the window, or in the settings a watcher follows, loses no alert; Telegram turned off drops them
with a line saying so. Every change of what waits for delivery is told to `on_change` (the watcher
keeps it on disk, so a `kill -9` during an outage loses nothing either). Closing gives what waits a
grace period, which a stop (a cancel) cuts short; what is left stays `pending` for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from desktop_app.alerts.telegram import TelegramError, TelegramSender
from desktop_app.live.alerts import TelegramResult, TelegramSettings
from desktop_app.live.outbox import TelegramOutbox, alert_sender

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]


class AlertNotifier:
    """Not thread-safe: the session's event loop only."""

    def __init__(self, *, report: Callable[[TelegramResult], None], spawn: Spawn,
                 on_change: Callable[[tuple[str, ...]], None] | None = None,
                 sender_factory: Callable[[TelegramSettings], TelegramSender] = alert_sender,
                 outbox_options: Mapping[str, Any] | None = None) -> None:
        """`report` gets each problem (and a test message's outcome); `spawn` runs a coroutine as a
        task the session cancels when it closes; `outbox_options` are TelegramOutbox keywords."""
        self._report = report
        self._spawn = spawn
        self._on_change = on_change
        self._sender_factory = sender_factory
        self._outbox_options = dict(outbox_options or {})
        self._outbox: TelegramOutbox | None = None
        self._finished: TelegramOutbox | None = None  # stopped by `finish`, its sender still open
        self._left: tuple[str, ...] = ()  # what was still waiting when `finish` stopped delivering

    @property
    def outbox(self) -> TelegramOutbox | None:
        """Where alert messages go (None: Telegram is off)."""
        return self._outbox

    @property
    def pending(self) -> tuple[str, ...]:
        """Alert messages not yet delivered, oldest first (after closing: those left undelivered)."""
        return self._outbox.pending_texts() if self._outbox is not None else self._left

    def put(self, text: str) -> None:
        if self._outbox is not None:
            self._outbox.put(text)

    def set(self, settings: TelegramSettings | None) -> None:
        """Send to `settings` from now on (None: Telegram off); messages waiting move over."""
        old, self._outbox = self._outbox, None
        waiting: tuple[str, ...] = ()
        if old is not None:
            waiting = old.take_pending()
            self._spawn(old.aclose())
        if settings is not None and settings.token is not None and settings.chat_id.strip():
            try:
                sender = self._sender_factory(settings)
            except TelegramError as exc:
                self._report(TelegramResult(False, str(exc)))
            else:
                self._outbox = TelegramOutbox(sender, report=self._report_text, on_change=self._changed,
                                              **self._outbox_options)
        if self._outbox is not None:
            for text in waiting:
                self._outbox.put(text)
        elif waiting:
            self._report(TelegramResult(False, f"Telegram: {len(waiting)} alert message(s) waiting for "
                                               "delivery were dropped: Telegram is off now."))
            self._changed()

    def send_test(self) -> None:
        if self._outbox is None:
            self._report(TelegramResult(False, "Telegram is not set up: enter the bot token and chat id."))
            return
        self._spawn(self._send_test(self._outbox.sender))

    async def finish(self, grace_s: float) -> bool:
        """Give the messages waiting up to `grace_s` to be delivered, then stop delivering (what is
        left stays `pending`). True when a cancel (a stop) cut the grace short: the caller finishes
        closing, then passes the cancel on."""
        outbox, cancelled = self._outbox, False
        if outbox is None:
            return False
        if grace_s > 0:
            try:
                await outbox.drain(grace_s)
            except asyncio.CancelledError:
                cancelled = True
            if outbox.pending:
                self._report(TelegramResult(False, f"Telegram: {outbox.pending} alert message(s) not "
                                                   "delivered before stopping."))
        self._left, self._outbox, self._finished = outbox.take_pending(), None, outbox
        return cancelled

    async def aclose(self) -> None:
        """Close the sender (after `finish`)."""
        outbox, self._finished = self._finished, None
        if outbox is not None:
            await outbox.aclose()

    def _report_text(self, text: str) -> None:
        self._report(TelegramResult(False, text))

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.pending)

    async def _send_test(self, sender: TelegramSender) -> None:
        try:
            await sender.send_test()
        except TelegramError as exc:
            self._report(TelegramResult(False, str(exc)))
        except Exception as exc:  # a bug in sending must not end the worker loop
            log.warning("Telegram send failed: %s", type(exc).__name__)
            self._report(TelegramResult(False, f"Telegram send failed ({type(exc).__name__})."))
        else:
            self._report(TelegramResult(True, f"Test message sent to chat {sender.chat_id}."))
