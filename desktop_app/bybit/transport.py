"""httpx's transport on plain asyncio streams, for the CPU a refresh of many accounts costs.

httpcore reaches asyncio through anyio: every read and write opens a cancel scope, and before every
request it asks each idle connection of the pool whether its socket is readable, which anyio answers
by building a dictionary of a dozen attributes and calling getpeername(). With 20 accounts that was
~100 requests and a third of the client's CPU per refresh, more than parsing, signing and the
numbers together. This backend does the same work on asyncio's own streams; httpx and httpcore do
everything else (HTTP/1.1, pooling, keep-alive) exactly as before.

Errors are httpcore's, as its own backends raise them, so httpx maps them to the exceptions
HttpPool handles (httpx.TimeoutException, httpx.TransportError).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

SocketOption = tuple[int, int, int | bytes | None] | tuple[int, int, None, int]
_CLOSE_WAIT_S = 0.25


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an asyncio StreamReader/StreamWriter pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("timed out reading") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out writing") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        self._writer.close()
        # A plain connection is closed on the loop's next turn; a TLS one waits for the peer's
        # close_notify, which a stalled server may never send: a moment, then the loop finishes it.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(_CLOSE_WAIT_S):
                await self._writer.wait_closed()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of every idle connection before each request: an idle HTTP/1.1 connection with
            # anything to read (in practice the server's EOF) cannot be reused. asyncio reads the
            # socket as data comes, so the answer is in the reader, not the socket.
            return self._writer.is_closing() or self._reader.at_eof() or self._reader.exception() is not None
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections as asyncio streams (see the module's docstring)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        local = None if local_address is None else (local_address, 0)
        return await self._connect(asyncio.open_connection(host, port, local_addr=local), socket_options,
                                   timeout)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        return await self._connect(asyncio.open_unix_connection(path), socket_options, timeout)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    @staticmethod
    async def _connect(opening: Any, socket_options: Iterable[SocketOption] | None,
                       timeout: float | None) -> AsyncioStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await opening
        except TimeoutError:
            raise httpcore.ConnectTimeout("timed out connecting") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = writer.get_extra_info("socket")
        if sock is not None:
            for option in socket_options or ():
                with contextlib.suppress(OSError):  # an option the platform lacks is no reason to fail
                    sock.setsockopt(*option)
        return AsyncioStream(reader, writer)


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP/1.1 transport whose connection pool uses `AsyncioBackend`."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limits: httpx.Limits,
                 socket_options: Iterable[SocketOption] | None = None) -> None:
        super().__init__(verify=ssl_context, http1=True, http2=False, retries=0, limits=limits)
        # httpx builds its pool without a way to pass the backend; the pool is all it keeps (httpx
        # is pinned below 0.29, and a test checks that requests go through this backend).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False, retries=0,
            socket_options=socket_options, network_backend=AsyncioBackend())
