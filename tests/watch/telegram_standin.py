"""A local stand-in for Telegram's Bot API on a free loopback port: it records every `sendMessage`
(the token from the path, the chat and the text) and answers as Telegram does, or fails on demand."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Sent:
    token: str
    chat_id: str
    text: str


class TelegramStandIn:
    """`fail_with`: an HTTP status to answer every request with (503 for an outage) until set to None;
    `retry_after`: the seconds a failure asks the client to wait (Telegram's `parameters.retry_after`,
    sent with 429)."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.attempts = 0
        self.fail_with: int | None = None
        self.retry_after: float | None = None
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.strip("/").split("/")
                with stand_in._lock:
                    stand_in.attempts += 1
                    failing, retry_after = stand_in.fail_with, stand_in.retry_after
                if failing is not None:
                    answer: dict[str, object] = {"ok": False, "error_code": failing,
                                                 "description": "Bad Gateway"}
                    if retry_after is not None:
                        answer["parameters"] = {"retry_after": retry_after}
                    self._answer(failing, answer)
                    return
                if len(parts) != 2 or not parts[0].startswith("bot") or parts[1] != "sendMessage":
                    self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                payload = json.loads(body)
                with stand_in._lock:
                    stand_in.sent.append(Sent(parts[0][3:], str(payload["chat_id"]), payload["text"]))
                self._answer(200, {"ok": True, "result": {"message_id": len(stand_in.sent)}})

            def _answer(self, status: int, document: dict[str, object]) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def texts(self) -> list[str]:
        with self._lock:
            return [s.text for s in self.sent]

    def __enter__(self) -> TelegramStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
