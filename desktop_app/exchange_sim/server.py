"""HTTP/1.1 keep-alive server on loopback (stdlib), one daemon thread per connection.

TCP_NODELAY is set on every accepted socket: without it a keep-alive response written in two
segments waits for the client's delayed ACK (~40 ms per request on loopback). A WebSocket upgrade
on a stream path is relayed to the stream server (ws_upgrade.py), so REST and streams share the port.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from desktop_app.exchange_sim.app import Reply, SimApp
from desktop_app.exchange_sim.ws_upgrade import is_stream_upgrade, relay, request_head


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Benchmarks open ~120 keep-alive connections at once; the default backlog of 5 would make the
    # kernel drop SYNs and the clients retry a second later.
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], app: SimApp, stopping: threading.Event,
                 stream_port: int | None = None) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.stopping = stopping
        self.stream_port = stream_port  # where upgrades on stream paths go; None: no streams

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-answer (it timed out, or a stream was dropped) is normal here;
        # anything else is a simulator bug and keeps the default traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimHTTPServer
    server_version = "openresty"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        nodelay = self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        self.server.app.count(connection=True, nodelay=nodelay)

    def do_GET(self) -> None:
        headers = list(self.headers.items())
        if self.server.stream_port is not None and is_stream_upgrade(self.path, headers):
            self.close_connection = True  # the connection becomes the stream's
            try:
                relay(self.connection, self.rfile, request_head(self.requestline, headers),  # type: ignore[arg-type]
                      self.server.stream_port)
            except OSError:  # the stream server is stopping
                self._write(Reply(503, b"503 Service Temporarily Unavailable\n", content_type="text/plain"))
            return
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)   # drain the body so the connection stays usable
        self._serve()

    def _serve(self) -> None:
        app = self.server.app
        latency_s = app.faults.snapshot().latency_ms / 1000.0
        if latency_s > 0 and self.server.stopping.wait(latency_s):
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = app.handle(self.command, self.path, headers, self.client_address[0])
        if reply.action == "hold":
            # Never answer within the client's timeout; give up early only when the server stops.
            self.server.stopping.wait(app.faults.snapshot().timeout_hold_s)
            self.close_connection = True
            return
        if reply.action == "close":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(reply)

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            # The client went away (e.g. it timed out); nothing to answer.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        # Quiet: request lines would clutter test output and the CLI's key listing.
        return


def serve_in_thread(host: str, port: int, app: SimApp, stopping: threading.Event,
                    stream_port: int | None = None) -> tuple[SimHTTPServer, threading.Thread]:
    """Bind (port 0 = a free port) and serve in a daemon thread; listening when this returns.
    Upgrades on stream paths go to the stream server on `stream_port` (loopback).

    May raise: OSError when the port cannot be bound.
    """
    server = SimHTTPServer((host, port), app, stopping, stream_port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=f"exchange-sim:{server.server_address[1]}", daemon=True)
    thread.start()
    return server, thread
