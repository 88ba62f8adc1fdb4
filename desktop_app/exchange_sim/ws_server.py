"""The simulator's WebSocket streams on loopback: `/v5/public/{spot,linear,inverse,option}` and
`/v5/private`, fed by the same price engine and accounts as its REST API. Clients reach them on the
REST port (ws_upgrade.py relays upgrades here); this server's own port is an internal detail.

It runs its own asyncio loop in a daemon thread, next to the REST server's threads. Methods meant
for tests and the CLI (trade, publish, faults) are thread-safe and return once their effect is
queued on that loop, so a test can assert on what a client receives next.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.instruments import CATALOGUE
from desktop_app.exchange_sim.ws_push import StreamSource, TickerFeed, fill_pushes, market_context
from desktop_app.exchange_sim.ws_sessions import PrivateSession, PublicSession, Session
from desktop_app.exchange_sim.ws_trading import Fill, apply_fill

T = TypeVar("T")
# Every category Bybit streams; the catalogue holds linear and inverse contracts, so a spot or option
# topic is answered as Bybit answers an unknown symbol.
PUBLIC_PATHS = {f"/v5/public/{c}": c for c in ("spot", "linear", "inverse", "option")}
PRIVATE_PATH = "/v5/private"


@dataclass
class StreamFaults:
    """Settable from any thread. delay_ms delays every outgoing message (order kept); refuse_new
    answers new handshakes with HTTP 503. Drops and half-open silence act on the server's methods."""

    delay_ms: float = 0.0
    refuse_new: bool = False


class SimStreamServer:
    """WebSocket server for one simulator. `start()` returns once listening; `url` is ws://host:port."""

    def __init__(self, source: StreamSource, *, host: str = "127.0.0.1", port: int = 0,
                 tick_interval_s: float = 0.1, idle_timeout_s: float = 600.0) -> None:
        self.source = source
        self.faults = StreamFaults()
        self.tick_interval_s = tick_interval_s
        self.idle_timeout_s = idle_timeout_s
        self._host, self._port = host, port
        self._feed = TickerFeed(source)
        self._cs = itertools.count(9_532_239_429)  # any increasing sequence; Bybit's are this large
        self._ids = itertools.count(1)
        self._accounts_lock = threading.Lock()  # trades from several test threads apply one at a time
        self._sessions: set[Session] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> SimStreamServer:
        """Bind and serve in a daemon thread. May raise: OSError (port in use)."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        async def main() -> None:
            try:
                self._server = await serve(self._handle, self._host, self._port, ping_interval=None,
                                           process_request=self._process_request, close_timeout=1.0)
            except BaseException as exc:
                failure.append(exc)
                raise
            finally:
                ready.set()
            ticker = asyncio.get_running_loop().create_task(self._ticker_loop())
            try:
                await self._server.serve_forever()
            finally:
                ticker.cancel()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(main())
            except (asyncio.CancelledError, OSError):
                pass
            finally:
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="exchange-sim-ws", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket; returns once the thread has ended."""
        if self._thread is None or self._loop is None or self._server is None:
            return
        server = self._server
        self._loop.call_soon_threadsafe(server.close)
        self._thread.join(timeout=5.0)
        self._thread = self._loop = self._server = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stream server not started")
        return int(next(iter(self._server.sockets)).getsockname()[1])

    @property
    def url(self) -> str:
        """`ws://127.0.0.1:PORT`; streams are at `url + "/v5/public/linear"` etc."""
        return f"ws://{self._host}:{self.port}"

    # -- used by sessions (on the loop) ----------------------------------------------------------
    def next_cs(self) -> int:
        return next(self._cs)

    def next_id(self) -> str:
        return f"{next(self._ids):08x}-sim"

    def ticker_now(self, symbol: str) -> dict[str, str]:
        return self._feed.rows({symbol}, self.source.now_ms())[symbol]

    def account_by_key(self, api_key: str) -> SimAccount | None:
        return next((a for a in self.source.accounts if a.api_key == api_key), None)

    # -- faults and pushes (any thread) -----------------------------------------------------------
    def drop_connections(self, path_prefix: str = "/") -> int:
        """Abort matching connections without a close frame (a network drop). Returns how many."""
        return self._call(self._matching(path_prefix, lambda s: s.ws.transport.abort()))

    def silence_connections(self, path_prefix: str = "/") -> int:
        """Half-open the matching connections: they stay open but send and answer nothing, pongs
        included. New connections are healthy. Returns how many."""
        return self._call(self._matching(path_prefix, lambda s: setattr(s, "silent", True)))

    def connection_count(self, path_prefix: str = "/") -> int:
        return self._call(self._matching(path_prefix, lambda s: None))

    def topics(self, path_prefix: str = "/") -> set[str]:
        """Topics subscribed on the matching connections, all together."""
        async def collect() -> set[str]:
            found: set[str] = set()
            for s in self._sessions:
                if s.path.startswith(path_prefix):
                    found |= set(s.sent) if isinstance(s, PublicSession) else \
                        s.subscribed if isinstance(s, PrivateSession) else set()
            return found

        return self._call(collect())

    def trade(self, account_name: str, symbol: str, side: str, qty: Decimal | str, *,
              position_idx: int = 0, price: Decimal | None = None, leverage: Decimal = Decimal(10)) -> Fill:
        """Fill a market order for the account: its positions and wallet change for REST at once,
        and its private streams get order, execution, position and wallet messages.

        May raise: KeyError (unknown account or symbol), ValueError (see ws_trading.apply_fill).
        """
        with self._accounts_lock:
            account = next((a for a in self.source.accounts if a.name == account_name), None)
            if account is None:
                raise KeyError(account_name)
            fill_price = price if price is not None else self._mark(symbol)
            changed, fill = apply_fill(account, symbol, side, Decimal(qty), fill_price,
                                       position_idx=position_idx, leverage=leverage)
            self.source.replace_account(changed)
            seq = next(self._cs)
            pushes = fill_pushes(self.source, changed, fill, order_id=f"sim-order-{seq}",
                                 exec_id=f"sim-exec-{seq}", seq=seq)
        for topic, rows in pushes:
            self.publish(account_name, topic, rows)
        return fill

    def publish(self, account_name: str, topic: str, rows: list[dict[str, object]]) -> int:
        """Push `rows` under `topic` to the account's authenticated private sessions. Returns how
        many sessions it was sent to. May raise: KeyError (unknown account)."""
        account = next((a for a in self.source.accounts if a.name == account_name), None)
        if account is None:
            raise KeyError(account_name)

        async def push() -> int:
            creation_ms = self.source.server_time_ms()
            return sum(s.push(account.api_key, topic, rows, self.next_id, creation_ms)
                       for s in list(self._sessions) if isinstance(s, PrivateSession))

        return self._call(push())

    # -- internals --------------------------------------------------------------------------------
    def _mark(self, symbol: str) -> Decimal:
        return market_context(self.source, self.source.now_ms()).mark_of(symbol)

    async def _matching(self, path_prefix: str, action: Callable[[Session], object]) -> int:
        chosen = [s for s in self._sessions if s.path.startswith(path_prefix)]
        for s in chosen:
            action(s)
        return len(chosen)

    def _call(self, coro: Coroutine[object, object, T]) -> T:
        if self._loop is None:
            coro.close()
            raise RuntimeError("stream server not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=5.0)

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.partition("?")[0]
        if path not in PUBLIC_PATHS and path != PRIVATE_PATH:
            return connection.respond(HTTPStatus.NOT_FOUND, "404 page not found\n")
        if self.faults.refuse_new:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "503 Service Temporarily Unavailable\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path.partition("?")[0] if ws.request is not None else ""
        conn_id = self.next_id()
        session: Session
        if path == PRIVATE_PATH:
            session = PrivateSession(self, ws, path, conn_id)
        else:
            session = PublicSession(self, ws, path, conn_id, PUBLIC_PATHS[path])
        self._sessions.add(session)
        try:
            await session.run()
        finally:
            self._sessions.discard(session)

    async def _ticker_loop(self) -> None:
        """Every tick: one row per subscribed symbol, then each client gets only what changed."""
        while True:
            await asyncio.sleep(self.tick_interval_s)
            public = [s for s in self._sessions if isinstance(s, PublicSession)]
            symbols = {t.removeprefix("tickers.") for s in public for t in s.sent}
            if not symbols:
                continue
            now_ms = self.source.now_ms()
            rows = self._feed.rows({s for s in symbols if s in CATALOGUE}, now_ms)
            for session in public:
                session.push_deltas(rows, now_ms)
