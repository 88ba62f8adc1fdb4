"""The asyncio transport: HTTP through httpx as before, an idle connection the server closed is not
reused, timeouts and refused connections are httpx's exceptions."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from desktop_app.bybit.transport import AsyncioBackend, AsyncioTransport
from desktop_app.tls import context_for

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=30.0)
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AsyncioTransport(ssl_context=context_for("http://x"), limits=LIMITS))


async def _serve(handler) -> tuple[asyncio.Server, str]:  # type: ignore[no-untyped-def]
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def test_an_idle_connection_closed_by_the_server_is_not_reused() -> None:
    connections: list[int] = []

    async def once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(OK)
        await writer.drain()
        writer.close()  # keep-alive announced (HTTP/1.1), then the server hangs up anyway

    async def go() -> list[int]:
        server, url = await _serve(once_then_close)
        async with server, _client() as client:
            first = await client.get(url)
            await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
            second = await client.get(url)
            assert isinstance(client._transport._pool._network_backend, AsyncioBackend)  # type: ignore[attr-defined]
            return [first.status_code, second.status_code]

    assert asyncio.run(go()) == [200, 200]
    assert len(connections) == 2  # a new connection for the second request, no error


def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def go() -> None:
        server, url = await _serve(silent)
        async with server, _client() as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(url, timeout=httpx.Timeout(0.2))
        closed = url  # the server is closed now: nothing listens on its port
        async with _client() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(closed, timeout=httpx.Timeout(2.0))

    asyncio.run(go())
