"""One WebSocket connection of the simulator's streams: public tickers or a private account stream.

Outgoing messages go through a per-connection queue so that the `delay_ms` fault delays them in
order; a "silenced" session (the half-open fault) drops everything it would send and ignores what
it receives, without closing, like a peer whose network vanished.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Protocol

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from desktop_app.exchange_sim import ws_messages as msg
from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.auth import verify_signature
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ws_push import StreamSource


class _Faults(Protocol):
    delay_ms: float


class SessionHost(Protocol):
    """What a session needs from the stream server that accepted it (`SimStreamServer`)."""

    source: StreamSource
    idle_timeout_s: float

    @property
    def faults(self) -> _Faults: ...
    def next_cs(self) -> int: ...
    def ticker_now(self, symbol: str) -> dict[str, str]: ...
    def account_by_key(self, api_key: str) -> SimAccount | None: ...


class Session:
    """Common plumbing: ordered delayed sending, silence, idle timeout, the read loop."""

    def __init__(self, server: SessionHost, ws: ServerConnection, path: str, conn_id: str) -> None:
        self.server = server
        self.ws = ws
        self.path = path
        self.conn_id = conn_id
        self.silent = False
        self._out: asyncio.Queue[tuple[float, str]] = asyncio.Queue()

    def send(self, payload: dict[str, object]) -> None:
        if not self.silent:
            due = time.monotonic() + self.server.faults.delay_ms / 1000.0
            self._out.put_nowait((due, json.dumps(payload, separators=(",", ":"))))

    async def _sender(self) -> None:
        while True:
            due, text = await self._out.get()
            wait_s = due - time.monotonic()
            if wait_s > 0:
                await asyncio.sleep(wait_s)
            if not self.silent:
                await self.ws.send(text)

    async def run(self) -> None:
        sender = asyncio.get_running_loop().create_task(self._sender())
        try:
            while True:
                try:
                    async with asyncio.timeout(self.server.idle_timeout_s):
                        raw = await self.ws.recv()
                except TimeoutError:
                    # Bybit drops a connection that sent neither ping nor data for 10 minutes.
                    await self.ws.close(1000, "idle")
                    return
                if self.silent:
                    continue
                try:
                    request = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(request, dict):
                    self.handle(request)
        except ConnectionClosed:
            return
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender

    def handle(self, request: dict[str, object]) -> None:
        raise NotImplementedError

    @staticmethod
    def req_id(request: dict[str, object]) -> str | None:
        value = request.get("req_id")
        return value if isinstance(value, str) else None

    @staticmethod
    def topics(request: dict[str, object]) -> list[str] | None:
        args = request.get("args")
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            return None
        return list(args)


class PublicSession(Session):
    """`/v5/public/linear|inverse`: tickers.{symbol}, a snapshot on subscribe, then deltas."""

    def __init__(self, server: SessionHost, ws: ServerConnection, path: str, conn_id: str,
                 category: str) -> None:
        super().__init__(server, ws, path, conn_id)
        self.category = category
        self.sent: dict[str, dict[str, str]] = {}  # topic -> the ticker as this client knows it

    def handle(self, request: dict[str, object]) -> None:
        op = request.get("op")
        req_id = self.req_id(request) or ""
        if op == "ping":
            self.send(msg.public_pong(self.conn_id, req_id))
            return
        if op not in ("subscribe", "unsubscribe"):
            self.send(msg.public_ack(self.conn_id, str(op), req_id, False, f"error:unknown op {op}"[:80]))
            return
        topics = self.topics(request)
        if topics is None:
            self.send(msg.public_ack(self.conn_id, op, req_id, False, "error:args must be a string array"))
            return
        if op == "unsubscribe":
            for topic in topics:
                self.sent.pop(topic, None)
            self.send(msg.public_ack(self.conn_id, op, req_id, True))
            return
        bad = [t for t in topics if not self._valid(t)]
        if bad:
            self.send(msg.public_ack(self.conn_id, op, req_id, False, f"Invalid symbol :[{','.join(bad)}]"))
            return
        again = [t for t in topics if t in self.sent]
        if again:
            reason = f"error:already subscribed,topic:{again[0]}"
            self.send(msg.public_ack(self.conn_id, op, req_id, False, reason))
            return
        self.send(msg.public_ack(self.conn_id, op, req_id, True))
        for topic in topics:
            symbol = topic.removeprefix("tickers.")
            row = self.server.ticker_now(symbol)
            self.sent[topic] = row
            self.send(msg.ticker_message(symbol, "snapshot", dict(row), self.server.next_cs(),
                                         self.server.source.now_ms()))

    def _valid(self, topic: str) -> bool:
        if not topic.startswith("tickers."):
            return False
        inst = CATALOGUE.get(topic.removeprefix("tickers."))
        return inst is not None and inst.category == self.category

    def push_deltas(self, rows: dict[str, dict[str, str]], ts_ms: int) -> None:
        """Send, per subscribed topic, the keys that changed since this client's last message."""
        if self.silent:
            return
        for topic, known in self.sent.items():
            row = rows.get(topic.removeprefix("tickers."))
            if row is None:
                continue
            changed = {k: v for k, v in row.items() if known.get(k) != v}
            if changed:
                known.update(changed)
                data = {"symbol": row["symbol"], **changed}
                self.send(msg.ticker_message(row["symbol"], "delta", data, self.server.next_cs(), ts_ms))


class PrivateSession(Session):
    """`/v5/private`: auth (`GET/realtime` + expires), then position/execution/order/wallet pushes."""

    def __init__(self, server: SessionHost, ws: ServerConnection, path: str, conn_id: str) -> None:
        super().__init__(server, ws, path, conn_id)
        self.api_key: str | None = None
        self.subscribed: set[str] = set()

    def handle(self, request: dict[str, object]) -> None:
        op = request.get("op")
        req_id = self.req_id(request)
        if op == "ping":
            self.send(msg.private_pong(self.conn_id, req_id, self.server.source.server_time_ms()))
        elif op == "auth":
            ok = self._auth(request.get("args"))
            self.send(msg.private_ack(self.conn_id, "auth", req_id, ok, "" if ok else "Params Error"))
        elif op in ("subscribe", "unsubscribe"):
            self._subscribe(op, req_id, self.topics(request))
        else:
            self.send(msg.private_ack(self.conn_id, str(op), req_id, False, f"error:unknown op {op}"[:80]))

    def _auth(self, args: object) -> bool:
        """Bybit's check: a known key, `expires` later than the server clock, a valid signature."""
        if not isinstance(args, list) or len(args) != 3:
            return False
        api_key, expires, signature = args
        if not isinstance(api_key, str) or not isinstance(signature, str):
            return False
        if isinstance(expires, bool) or not isinstance(expires, int | str):
            return False
        try:
            expires_ms = int(expires)
        except ValueError:
            return False
        account = self.server.account_by_key(api_key)
        if account is None or expires_ms <= self.server.source.server_time_ms():
            return False
        if not verify_signature(account, f"GET/realtime{expires_ms}", signature):
            return False
        self.api_key = api_key
        return True

    def _subscribe(self, op: str, req_id: str | None, topics: list[str] | None) -> None:
        if topics is None or not topics:
            self.send(msg.private_ack(self.conn_id, op, req_id, False, "error:args must be a string array"))
            return
        if self.api_key is None:
            reason = f"error:topic:{topics[0]} needs auth first"
            self.send(msg.private_ack(self.conn_id, op, req_id, False, reason))
            return
        unknown = [t for t in topics if t not in msg.PRIVATE_TOPICS]
        if unknown:
            reason = f"error:handler not found,topic:{unknown[0]}"
            self.send(msg.private_ack(self.conn_id, op, req_id, False, reason))
            return
        if op == "subscribe":
            self.subscribed.update(topics)
        else:
            self.subscribed.difference_update(topics)
        self.send(msg.private_ack(self.conn_id, op, req_id, True))

    def push(self, api_key: str, topic: str, rows: list[dict[str, object]], make_id: Callable[[], str],
             creation_ms: int) -> bool:
        """Send `topic` rows of account `api_key` under every subscription that covers them
        (`position` takes all, `position.linear` only linear rows). True when anything was sent."""
        if self.api_key != api_key or self.silent:
            return False
        sent = False
        for subscription in sorted(self.subscribed):
            family, _, category = subscription.partition(".")
            if family != topic:
                continue
            chosen = [r for r in rows if not category or r.get("category") == category]
            if chosen:
                self.send(msg.private_message(make_id(), subscription, creation_ms, chosen))
                sent = True
        return sent
