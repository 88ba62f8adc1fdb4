"""One self-healing WebSocket connection: connect, open (auth/subscribe), read, ping, detect a dead
peer, reconnect with backoff. Subclasses say what to send on open and what a message means."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
import time
from typing import NoReturn
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from desktop_app.bybit.ws_common import (
    WS_AUTH_FAILED,
    WS_CLOSED,
    WS_DEAD,
    Backoff,
    BybitStreamError,
    EventSink,
    ReconnectedEvent,
    StreamConfig,
    StreamErrorEvent,
    StreamEvent,
    is_pong,
    ping_message,
)
from desktop_app.tls import shared_ssl_context

log = logging.getLogger(__name__)
_MAX_MESSAGE_BYTES = 4 * 1024 * 1024


class ManagedStream:
    """Runs until `aclose()`. Never raises out of its task: every failure becomes a StreamErrorEvent
    followed by a reconnect after a backoff delay (longer after a refused auth)."""

    def __init__(self, url: str, on_event: EventSink, config: StreamConfig, *,
                 account_id: str | None = None, rng: random.Random | None = None) -> None:
        self.url = url
        self.account_id = account_id
        self.config = config
        self._on_event = on_event
        self._backoff = Backoff(config.backoff_base_s, config.backoff_cap_s, rng)
        self._auth_backoff = Backoff(config.auth_retry_s, max(config.auth_retry_s, 900.0), rng)
        self._ws: ClientConnection | None = None
        self._live = False  # opened (authenticated, subscribed) and reading
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._req_ids = itertools.count(1)
        self.reconnects = 0
        self.host = urlsplit(url).netloc

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the connection task on the running loop (idempotent)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ws:{self.url}")

    async def aclose(self) -> None:
        """Stop reconnecting and close the socket; returns once the task has ended."""
        task, self._task = self._task, None
        self._closing = True
        if task is None:
            return
        # Cancel until it ends: on Python 3.11 a cancel that lands just as a wait_for() inside
        # websockets completes can be lost. asyncio.wait() never swallows *our* cancellation.
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.1)
        if not task.cancelled() and task.exception() is not None:
            log.warning("stream %s ended with %r", self.host, task.exception())

    @property
    def live(self) -> bool:
        return self._live

    # -- subclass hooks ---------------------------------------------------------------------------
    async def _on_open(self, ws: ClientConnection) -> None:
        """Authenticate / subscribe on a fresh connection. May raise: BybitStreamError."""

    def _on_message(self, message: dict[str, object]) -> None:
        """Handle one non-pong message."""

    def _on_close(self) -> None:
        """The connection is gone (forget per-connection state)."""

    # -- helpers for subclasses -------------------------------------------------------------------
    def emit(self, event: StreamEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a faulty consumer must not take the stream down with it
            log.exception("stream event handler failed on %s", type(event).__name__)

    def next_req_id(self) -> str:
        return f"rd{next(self._req_ids)}"

    async def send_json(self, ws: ClientConnection, payload: dict[str, object]) -> None:
        await ws.send(json.dumps(payload, separators=(",", ":")))

    async def recv_json(self, ws: ClientConnection, timeout_s: float) -> dict[str, object] | None:
        """The next JSON object (pongs included), or None for a frame that is not one.

        May raise: TimeoutError, websockets ConnectionClosed.
        """
        async with asyncio.timeout(timeout_s):
            raw = await ws.recv()
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("non-JSON frame on %s ignored", self.host)
            return None
        return message if isinstance(message, dict) else None

    # -- the loop ---------------------------------------------------------------------------------
    async def _run(self) -> None:
        opened_before = False
        while not self._closing:
            error: BybitStreamError
            opened_at: float | None = None
            try:
                # wss: the process's one TLS context (tls.py), not a new one per connection.
                tls = shared_ssl_context() if self.url.lower().startswith("wss:") else None
                async with connect(self.url, ping_interval=None, open_timeout=self.config.open_timeout_s,
                                   close_timeout=self.config.close_timeout_s, ssl=tls,
                                   max_size=_MAX_MESSAGE_BYTES) as ws:
                    self._ws = ws
                    await self._on_open(ws)
                    opened_at = time.monotonic()
                    self._live = True
                    self._auth_backoff.reset()
                    if opened_before:
                        self.reconnects += 1
                        self.emit(ReconnectedEvent(self.url, self.account_id, self.reconnects))
                    opened_before = True
                    await self._read_loop(ws)
            except BybitStreamError as exc:
                error = exc
            except TimeoutError:
                error = BybitStreamError(WS_CLOSED, f"stream {self.host} did not answer in time",
                                         retryable=True)
            except (OSError, WebSocketException) as exc:
                # The class name is enough; the text may hold the URL and adds nothing for the user.
                error = BybitStreamError(WS_CLOSED, f"stream {self.host} lost ({type(exc).__name__})",
                                         retryable=True)
            finally:
                self._ws = None
                self._live = False
                self._on_close()
            if self._closing:
                return
            if opened_at is not None and time.monotonic() - opened_at >= self.config.stable_after_s:
                self._backoff.reset()
            backoff = self._auth_backoff if error.ret_code == WS_AUTH_FAILED else self._backoff
            delay_s = backoff.next_delay_s()
            self.emit(StreamErrorEvent(self.url, self.account_id, error, delay_s))
            log.info("stream %s: %s; reconnecting in %.1f s", self.host, error, delay_s)
            await asyncio.sleep(delay_s)

    async def _read_loop(self, ws: ClientConnection) -> NoReturn:
        """Read until the peer goes quiet for dead_after_s, pinging every ping_interval_s.

        May raise: BybitStreamError (WS_DEAD), websockets ConnectionClosed.
        """
        cfg = self.config
        last_rx = time.monotonic()
        next_ping = last_rx + cfg.ping_interval_s
        while True:
            now = time.monotonic()
            if now - last_rx >= cfg.dead_after_s:
                # Half-open: TCP still up, but nothing comes back, not even pongs.
                raise BybitStreamError(WS_DEAD, f"stream {self.host} went silent for {cfg.dead_after_s:g} s",
                                       retryable=True)
            if now >= next_ping:
                async with asyncio.timeout(cfg.dead_after_s):
                    await ws.send(ping_message(self.next_req_id()))
                next_ping = now + cfg.ping_interval_s
            wait_s = max(0.0, min(next_ping, last_rx + cfg.dead_after_s) - time.monotonic())
            try:
                message = await self.recv_json(ws, wait_s)
            except TimeoutError:
                continue
            last_rx = time.monotonic()
            if message is not None and not is_pong(message):
                try:
                    self._on_message(message)
                except Exception:  # one odd message must not end the stream; it is logged, not quoted
                    log.exception("stream %s: message with topic %r not handled", self.host,
                                  str(message.get("topic"))[:80])
