"""The pool's real transport on loopback: keep-alive reuses one connection, and TCP_NODELAY is set
(without it, a keep-alive request waits ~40 ms for Nagle + delayed ACK)."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx

from desktop_app.bybit.http import HttpPool
from desktop_app.bybit.parse import parse_server_time_ms

BODY = json.dumps({"retCode": 0, "retMsg": "OK", "time": 1688639403423,
                   "result": {"timeSecond": "1688639403", "timeNano": "1688639403423213947"}}).encode()


async def serve_keep_alive(connections: list[int]) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_keep_alive_and_tcp_nodelay_on_loopback() -> None:
    connections: list[int] = []

    async def go() -> tuple[int, int]:
        server = await serve_keep_alive(connections)
        port = server.sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        pool = HttpPool(timeout_s=5.0)
        try:
            client = pool.client_for(base)
            first = await client.get(f"{base}/v5/market/time")
            sock = first.extensions["network_stream"].get_extra_info("socket")
            nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            envelope = await pool.request(base, "/v5/market/time")
            assert parse_server_time_ms(envelope.result) == 1688639403423
            await pool.request(base, "/v5/market/time")
            return nodelay, len(connections)
        finally:
            await pool.aclose()
            server.close()
            await server.wait_closed()

    nodelay, connection_count = asyncio.run(go())
    assert nodelay != 0
    assert connection_count == 1  # three requests, one TCP connection


def test_cookies_from_responses_are_never_kept_or_sent() -> None:
    # A Set-Cookie from the server must not come back on the next request: the client authenticates
    # by signed headers only, and skipping the cookie jar saves CPU on every response.
    sent_cookies: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_cookies.append(request.headers.get("cookie"))
        body = {"retCode": 0, "retMsg": "OK", "result": {"timeSecond": "1700000000",
                                                          "timeNano": "1700000000000000000"}}
        return httpx.Response(200, json=body, headers={"Set-Cookie": "session=abc; Path=/"})

    async def run() -> None:
        pool = HttpPool(transport=httpx.MockTransport(answer))
        try:
            for _ in range(2):
                await pool.request("https://api.bybit.com", "/v5/market/time")
        finally:
            await pool.aclose()

    asyncio.run(run())
    assert sent_cookies == [None, None]
