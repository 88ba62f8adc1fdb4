"""A local HTTP server that misbehaves the way a broken proxy, a captive portal or a hostile endpoint
does, on a free loopback port, in a thread of its own (so a command that runs its own event loop can
be pointed at it).

Behaviours (`server.behaviour = ...`, settable while it runs):
  "trickle"      headers at once, then the body one byte every `trickle_interval_s`, forever
  "hold_close"   read the request, send nothing for `hold_s`, then close the connection
  "huge"         a body of `huge_bytes` announced with Content-Length and sent as fast as possible
  "huge_chunked" the same without Content-Length (chunked), so only counting can stop it
  "ok"           `body` with Content-Length, keep-alive
  "routes"       `routes[path]` (the request path without its query) with Content-Length, keep-alive;
                 404 for a path it does not know
  "echo_sign"    an answer to the clock sync, then for every signed request retCode 10029 whose retMsg
                 echoes the origin string and the request's own X-BAPI-SIGN (a hostile endpoint)

`server.requests` counts requests; every connection is closed when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from types import TracebackType

OK_TIME = (b'{"retCode":0,"retMsg":"OK","result":{"timeSecond":"1700000000",'
           b'"timeNano":"1700000000000000000"},"retExtInfo":{},"time":1700000000000}')


class MisbehavingServer:
    def __init__(self, behaviour: str = "trickle", *, trickle_interval_s: float = 0.1, hold_s: float = 0.3,
                 huge_bytes: int = 50 * 1024 * 1024, body: bytes = OK_TIME,
                 routes: dict[str, bytes] | None = None) -> None:
        self.behaviour = behaviour
        self.routes = dict(routes or {})
        self.trickle_interval_s = trickle_interval_s
        self.hold_s = hold_s
        self.huge_bytes = huge_bytes
        self.body = body
        self.requests = 0
        self.bytes_sent = 0
        self.last_head = b""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> MisbehavingServer:
        ready = threading.Event()

        async def main() -> None:
            self._stop = asyncio.Event()
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            await self._stop.wait()
            self._server.close()
            # Handlers still trickling are cancelled with the loop's remaining tasks.
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(main())
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="misbehaving-server", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("the misbehaving server did not start")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                path = head.split(b" ", 2)[1].split(b"?", 1)[0].decode("ascii", "replace")
                self.last_head = head
                if not await self._answer(writer, path):
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                asyncio.CancelledError):
            return
        finally:
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter, path: str) -> bool:
        """Answer one request; False when the connection is to be closed."""
        behaviour = self.behaviour
        if behaviour == "echo_sign" and path != "/v5/market/time":
            lines = self.last_head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:]) if k}
            query = lines[0].split(" ")[1].partition("?")[2]
            origin = (headers.get("x-bapi-timestamp", "") + headers.get("x-bapi-api-key", "")
                      + headers.get("x-bapi-recv-window", "") + query)
            message = (f"error sign! origin_string[{origin}] sign[{headers.get('x-bapi-sign', '')}] "
                       f"(got {headers.get('x-bapi-sign', '')})")
            body = (b'{"retCode":10029,"retMsg":' + json.dumps(message).encode()
                    + b',"result":{},"retExtInfo":{},"time":1700000000000}')
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            return True
        if behaviour == "routes":
            body = self.routes.get(path)
            status = b"200 OK" if body is not None else b"404 Not Found"
            body = body if body is not None else b"404 page not found"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            return True
        if behaviour == "hold_close":
            await asyncio.sleep(self.hold_s)
            return False
        if behaviour == "trickle":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(self.body) * 1000}\r\n\r\n".encode())
            while True:
                for byte in self.body:
                    writer.write(bytes([byte]))
                    self.bytes_sent += 1
                    await writer.drain()
                    await asyncio.sleep(self.trickle_interval_s)
        if behaviour in ("huge", "huge_chunked"):
            chunk = b"x" * 65536
            if behaviour == "huge":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             + f"Content-Length: {self.huge_bytes}\r\n\r\n".encode())
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
            sent = 0
            while sent < self.huge_bytes:
                piece = chunk if behaviour == "huge" else b"%x\r\n%s\r\n" % (len(chunk), chunk)
                writer.write(piece)
                await writer.drain()
                sent += len(chunk)
                self.bytes_sent += len(chunk)
            if behaviour == "huge_chunked":
                writer.write(b"0\r\n\r\n")
            await writer.drain()
            return False
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(self.body)}\r\n\r\n".encode() + self.body)
        await writer.drain()
        return True
