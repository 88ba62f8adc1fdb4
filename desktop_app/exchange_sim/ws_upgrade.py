"""The streams on the REST port: an HTTP upgrade on a stream path is relayed to the stream server.

Bybit serves REST and WebSocket from one host, and a client pointed at a custom base URL derives
`ws://host:port/v5/public/<category>` and `/v5/private` from it. The REST server (stdlib, threads)
and the stream server (websockets, asyncio) stay what they are: when a REST connection asks to
upgrade on a stream path, its request is replayed to the stream server over loopback and the two
sockets are relayed byte for byte until either side closes, so handshake, frames, closes and the
stream faults (drops, silence, delays) reach the client exactly as the stream server makes them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from io import BufferedIOBase

from desktop_app.exchange_sim.ws_server import PRIVATE_PATH, PUBLIC_PATHS

STREAM_PATHS = frozenset({*PUBLIC_PATHS, PRIVATE_PATH})
_CHUNK = 65536


def is_stream_upgrade(path: str, headers: Iterable[tuple[str, str]]) -> bool:
    """A GET on a stream path that asks for `Upgrade: websocket`."""
    if path.partition("?")[0] not in STREAM_PATHS:
        return False
    return any(name.lower() == "upgrade" and "websocket" in value.lower() for name, value in headers)


def request_head(request_line: str, headers: Iterable[tuple[str, str]]) -> bytes:
    """The request as it arrived (the stream server parses CRLF lines strictly)."""
    lines = [request_line, *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def relay(client: socket.socket, client_reader: BufferedIOBase, head: bytes, stream_port: int) -> None:
    """Replay `head` to the stream server and relay both ways until either side closes. Bytes the
    client sent after its request (already buffered in `client_reader`) are relayed too.

    May raise: OSError when the stream server cannot be reached (nothing was relayed).
    """
    upstream = socket.create_connection(("127.0.0.1", stream_port), timeout=5.0)
    upstream.settimeout(None)
    upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        upstream.sendall(head)
        to_server = threading.Thread(target=_client_to_server, args=(client_reader, upstream),
                                     name="exchange-sim-ws-relay", daemon=True)
        to_server.start()
        _server_to_client(upstream, client)
        to_server.join(timeout=2.0)
    finally:
        upstream.close()


def _client_to_server(reader: BufferedIOBase, upstream: socket.socket) -> None:
    try:
        while data := reader.read1(_CHUNK):
            upstream.sendall(data)
    except (OSError, ValueError):  # ValueError: the reader was closed under us
        pass
    finally:
        _shut(upstream)  # the client is gone: so is its stream


def _server_to_client(upstream: socket.socket, client: socket.socket) -> None:
    try:
        while data := upstream.recv(_CHUNK):
            client.sendall(data)
    except OSError:
        pass
    finally:
        _shut(client)  # the stream ended or dropped: the client sees the same


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
