"""Shared pieces of the Bybit V5 WebSocket streams: settings, events, errors, heartbeat, backoff.

Streams run on the `websockets` asyncio client rather than Qt's QtWebSockets: this layer imports no
Qt (it runs in the CLI, the monitor and the tests without a Qt event loop), it shares the asyncio
loop the REST client already runs on, and cancelling its task closes the socket at once.

Events are plain frozen dataclasses handed to one callback (`on_event`); pass `queue.put_nowait` to
receive them on an `asyncio.Queue` instead.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from desktop_app.bybit.errors import BybitError
from desktop_app.domain.account import Position
from desktop_app.domain.market import Category

# Pseudo-codes of ours for stream failures (next to the negative ones in errors.py and messages.py).
WS_AUTH_FAILED = -110  # the private stream refused our auth ("Params Error")
WS_SUBSCRIBE_FAILED = -111  # a subscribe request was refused (unknown symbol, bad topic)
WS_DEAD = -112  # no message (not even a pong) within the dead-connection timeout
WS_CLOSED = -113  # the connection was closed or could not be opened
WS_BAD_MESSAGE = -114  # a message did not have the documented shape

# Bybit asks for a ping every 20 s and drops a connection after 10 min without ping or data (§7.1).
DEFAULT_PING_INTERVAL_S = 20.0
MIN_AUTH_EXPIRES_AHEAD_MS = 5_000  # pybit's 1 s fails on slow or skewed machines (REFERENCE §9.15)


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """Timing of every stream. Tests shrink these to fractions of a second.

    dead_after_s: a connection that delivered nothing (no data, no pong) for this long is closed
    and reopened; it must exceed the ping interval so a quiet but healthy stream survives.
    stable_after_s: a connection that lived this long resets the reconnect backoff.
    auth_retry_s: first wait after a refused auth; it doubles up to backoff_cap_s (never a tight loop).
    """

    ping_interval_s: float = DEFAULT_PING_INTERVAL_S
    dead_after_s: float = 30.0
    open_timeout_s: float = 10.0
    close_timeout_s: float = 1.0
    reply_timeout_s: float = 10.0  # wait for the auth / private subscribe answer
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    stable_after_s: float = 60.0
    auth_retry_s: float = 60.0
    auth_expires_ahead_ms: int = 10_000  # Bybit's own example uses now + 10 s
    subscribe_batch: int = 10  # args per subscribe request (spot's limit, harmless elsewhere)

    def __post_init__(self) -> None:
        if self.dead_after_s <= self.ping_interval_s:
            raise ValueError("dead_after_s must be longer than ping_interval_s")
        if self.auth_expires_ahead_ms < MIN_AUTH_EXPIRES_AHEAD_MS:
            raise ValueError(f"auth_expires_ahead_ms must be at least {MIN_AUTH_EXPIRES_AHEAD_MS}")
        if min(self.backoff_base_s, self.backoff_cap_s, self.open_timeout_s, self.reply_timeout_s) <= 0:
            raise ValueError("timeouts and backoff must be positive")
        if self.subscribe_batch < 1:
            raise ValueError("subscribe_batch must be at least 1")


class BybitStreamError(BybitError):
    """A WebSocket stream failed; `ret_code` is one of the WS_* codes above."""


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MarkPriceEvent:
    """A new mark price from a public ticker stream. `source` is the public stream base URL
    (`Environment.public_ws_url`): testnet marks must only reprice testnet accounts."""

    source: str
    category: Category
    symbol: str
    mark_price: Decimal
    ts_ms: int


@dataclass(frozen=True, slots=True)
class AccountChangedEvent:
    """The account's positions or balance changed: refresh it by REST now.

    `positions` are the rows of a `position` message (empty positions omitted); they are a hint,
    the REST refresh is the truth (the wallet stream says nothing about unrealised PnL).
    """

    account_id: str
    topic: str  # position | execution | wallet
    ts_ms: int  # the message's creationTime
    positions: tuple[Position, ...] = ()


@dataclass(frozen=True, slots=True)
class ReconnectedEvent:
    """A stream is live again after a loss (resubscribed, and authenticated if private): whatever it
    would have said meanwhile was missed, so re-fetch by REST. `account_id` is None for public streams."""

    url: str
    account_id: str | None
    reconnects: int  # reconnections of this stream so far


@dataclass(frozen=True, slots=True)
class StreamErrorEvent:
    """A stream failed or refused something. `retry_in_s` is None when nothing will be retried
    (a refused subscription); otherwise the stream reconnects after that many seconds."""

    url: str
    account_id: str | None
    error: BybitStreamError
    retry_in_s: float | None


StreamEvent = MarkPriceEvent | AccountChangedEvent | ReconnectedEvent | StreamErrorEvent
EventSink = Callable[[StreamEvent], None]


# -- heartbeat ------------------------------------------------------------------------------------
def ping_message(req_id: str) -> str:
    """Bybit's application-level ping (§7.1); `req_id` is echoed by linear/inverse and private pongs."""
    return json.dumps({"req_id": req_id, "op": "ping"}, separators=(",", ":"))


def is_pong(message: object) -> bool:
    """True for every pong shape of §7.1: spot/linear/inverse `{"ret_msg":"pong","op":"ping"}`,
    option/spread and private `{"op":"pong"}` (pybit accepts `ret_msg=="pong"` or `op=="pong"`)."""
    if not isinstance(message, dict):
        return False
    return message.get("op") == "pong" or (message.get("op") == "ping" and message.get("ret_msg") == "pong")


# -- backoff --------------------------------------------------------------------------------------
class Backoff:
    """Exponential backoff with "equal jitter": half the exponential delay plus a random half.

    The jitter keeps many accounts (and many RiskDesk instances) from reconnecting in lockstep
    after an exchange-wide drop; `rng` is injectable so tests see fixed delays.
    """

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self._base_s = base_s
        self._cap_s = cap_s
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay_s(self) -> float:
        """The wait before the next attempt; each call doubles the ceiling up to the cap."""
        ceiling = min(self._cap_s, self._base_s * (2 ** min(self.failures, 32)))
        self.failures += 1
        return ceiling / 2 + self._rng.uniform(0.0, ceiling / 2)

    def reset(self) -> None:
        self.failures = 0


def command_ack(message: dict[str, object]) -> tuple[str | None, bool, str] | None:
    """(req_id, success, reason) when `message` answers an op (auth, subscribe, unsubscribe), else None.

    Linear/inverse/private answers carry `op` and `success`; option/spread answer with
    `type: "COMMAND_RESP"` and list failed topics in `data.failTopics`.
    """
    req_id = message.get("req_id")
    req = req_id if isinstance(req_id, str) and req_id else None
    if message.get("type") == "COMMAND_RESP":
        data = message.get("data")
        failed = data.get("failTopics") if isinstance(data, dict) else None
        ok = bool(message.get("success")) and not failed
        return req, ok, "" if ok else f"refused topics: {failed}"
    if message.get("op") in ("auth", "subscribe", "unsubscribe") and "success" in message:
        reason = message.get("ret_msg")
        return req, message.get("success") is True, reason if isinstance(reason, str) else ""
    return None
