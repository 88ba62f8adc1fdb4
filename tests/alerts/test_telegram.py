"""The Telegram sender against httpx.MockTransport (retry paths) and a real loopback Bot API stand-in."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from desktop_app.alerts.telegram import MAX_TEXT_CHARS, TEST_MESSAGE, TelegramError, TelegramSender
from desktop_app.domain.credentials import Secret

TOKEN = "123456789:AAHsecret-Token_value"
OK = {"ok": True, "result": {"message_id": 1}}


def rate_limited(seconds: int) -> httpx.Response:
    return httpx.Response(429, json={"ok": False, "error_code": 429,
                                     "description": f"Too Many Requests: retry after {seconds}",
                                     "parameters": {"retry_after": seconds}})


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def sender(self, **kwargs: object) -> TelegramSender:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return TelegramSender(Secret(TOKEN), "-1001234567890", base_url="https://tg.example",
                              client=client, sleep=self.sleep, **kwargs)  # type: ignore[arg-type]


def run(coro_factory: Callable[[], object]) -> None:
    asyncio.run(coro_factory())  # type: ignore[arg-type]


def test_429_waits_retry_after_then_sends() -> None:
    rec = Recorder(rate_limited(3), httpx.Response(200, json=OK))
    run(lambda: rec.sender().send("Hedge: margin rate 82% — liquidation at 100%"))
    assert rec.sleeps == [3.0]
    assert len(rec.requests) == 2
    request = rec.requests[-1]
    assert request.method == "POST" and request.url.path == f"/bot{TOKEN}/sendMessage"
    assert json.loads(request.content) == {"chat_id": "-1001234567890",
                                           "text": "Hedge: margin rate 82% — liquidation at 100%"}


def test_429_longer_than_we_wait_raises_with_retry_after_and_no_token() -> None:
    rec = Recorder(rate_limited(120))
    with pytest.raises(TelegramError) as info:
        run(lambda: rec.sender(max_wait_s=60).send("x"))
    assert info.value.error_code == 429 and info.value.retry_after_s == 120
    assert rec.sleeps == [] and TOKEN not in str(info.value)


def test_retries_are_bounded() -> None:
    rec = Recorder(rate_limited(1), rate_limited(1), rate_limited(1))
    with pytest.raises(TelegramError) as info:
        run(lambda: rec.sender(max_attempts=3).send("x"))
    assert len(rec.requests) == 3 and rec.sleeps == [1.0, 1.0]
    assert info.value.error_code == 429


def test_server_error_is_retried_with_backoff() -> None:
    rec = Recorder(httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(200, json=OK))
    run(lambda: rec.sender().send("x"))
    assert rec.sleeps == [0.5] and len(rec.requests) == 2


def test_refusals_are_not_retried_and_never_show_the_token() -> None:
    rec = Recorder(httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"}))
    with pytest.raises(TelegramError) as info:
        run(lambda: rec.sender().send("x"))
    assert str(info.value) == "Telegram refused the message (401: Unauthorized; check the bot token)."
    rec = Recorder(httpx.Response(400, json={"ok": False, "error_code": 400,
                                             "description": "Bad Request: chat not found"}))
    with pytest.raises(TelegramError, match="check the chat id"):
        run(lambda: rec.sender().send("x"))
    assert len(rec.requests) == 1


def test_network_error_text_with_the_url_is_sanitised() -> None:
    # httpx errors can quote the request URL, which holds the token.
    url = f"https://tg.example/bot{TOKEN}/sendMessage"
    rec = Recorder(httpx.ConnectError(f"cannot connect to {url}"), httpx.ConnectError(f"failed {url}"))
    with pytest.raises(TelegramError) as info:
        run(lambda: rec.sender(max_attempts=2).send("x"))
    text = str(info.value)
    assert TOKEN not in text and "AAHsecret" not in text
    assert "/bot***/sendMessage" in text and "ConnectError" in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert rec.sleeps == [0.5]


def test_long_text_is_cut_and_token_never_in_repr() -> None:
    rec = Recorder(httpx.Response(200, json=OK))
    sender = rec.sender()
    run(lambda: sender.send("a" * 5000))
    text = json.loads(rec.requests[0].content)["text"]
    assert len(text) == MAX_TEXT_CHARS and text.endswith("…")
    assert TOKEN not in repr(sender)


@pytest.mark.parametrize("token", ["", "abc/def", "has space"])
def test_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(TelegramError):
        TelegramSender(Secret(token), "1")


class FakeBotApi(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, object]]]] = []
    script: ClassVar[list[tuple[int, dict[str, object]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeBotApi.calls.append((self.path, body))
        status, answer = FakeBotApi.script.pop(0) if FakeBotApi.script else (200, OK)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # the test output stays clean
        pass


@pytest.fixture
def bot_api() -> Iterator[str]:
    FakeBotApi.calls, FakeBotApi.script = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_real_loopback_send_test_after_a_429(bot_api: str, caplog: pytest.LogCaptureFixture) -> None:
    FakeBotApi.script = [(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 0}})]

    async def scenario() -> None:
        sender = TelegramSender(Secret(TOKEN), "@riskdesk_alerts", base_url=bot_api)
        try:
            await sender.send_test()
        finally:
            await sender.aclose()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    expected = (f"/bot{TOKEN}/sendMessage", {"chat_id": "@riskdesk_alerts", "text": TEST_MESSAGE})
    assert FakeBotApi.calls == [expected, expected]  # the 429, then the accepted retry
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request: POST" in logged  # httpx logged the request...
    assert TOKEN not in logged and "/bot***/sendMessage" in logged  # ...without the token


def test_real_loopback_unreachable_port_error_has_no_token() -> None:
    async def scenario() -> None:
        # Port 9 (discard) on loopback is closed here: a real connection error from httpx.
        sender = TelegramSender(Secret(TOKEN), "1", base_url="http://127.0.0.1:9", max_attempts=1)
        try:
            await sender.send("x")
        finally:
            await sender.aclose()

    with pytest.raises(TelegramError) as info:
        asyncio.run(scenario())
    assert TOKEN not in str(info.value) and "could not be reached" in str(info.value)
