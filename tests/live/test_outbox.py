"""Alert messages through a Telegram outage: retried with back-off, dropped after the limit with one
report, in order, never holding up the caller; a refusal is dropped at once; the token never shows."""

from __future__ import annotations

import asyncio
import json

import httpx

from desktop_app.alerts.telegram import TelegramSender
from desktop_app.domain.credentials import Secret
from desktop_app.live.outbox import TelegramOutbox

TOKEN = "123456:OUTBOX-token"


class Bot:
    """Answers each request with the next status of `script` (the last one repeats)."""

    def __init__(self, *script: int) -> None:
        self.script = list(script)
        self.delivered: list[str] = []
        self.requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        status = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if status == 0:
            raise httpx.ConnectError("connection refused", request=request)
        if status != 200:
            return httpx.Response(status, json={"ok": False, "error_code": status, "description": "nope"})
        self.delivered.append(json.loads(request.content)["text"])
        return httpx.Response(200, json={"ok": True, "result": {}})


def _outbox(bot: Bot, reports: list[str], sleeps: list[float], **options: object) -> TelegramOutbox:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    client = httpx.AsyncClient(transport=httpx.MockTransport(bot.handler))
    sender = TelegramSender(Secret(TOKEN), "-1001", client=client, max_attempts=1)
    return TelegramOutbox(sender, report=reports.append, sleep=sleep, **options)  # type: ignore[arg-type]


def test_an_outage_is_retried_with_back_off_then_dropped_with_one_report_each() -> None:
    bot, reports, sleeps = Bot(503, 0, 502, 503, 503, 503, 200), [], []

    async def main() -> TelegramOutbox:
        outbox = _outbox(bot, reports, sleeps)
        outbox.put("first")
        outbox.put("second")
        assert outbox.pending == 2  # put() returned at once: nobody waits for Telegram
        assert await outbox.drain(5.0)
        await outbox.aclose()
        return outbox

    outbox = asyncio.run(main())
    # "first": six failures with the default back-off (5, 10, 20, 40, 80 s between them), dropped.
    assert sleeps == [5.0, 10.0, 20.0, 40.0, 80.0]
    assert bot.delivered == ["second"] and (outbox.sent, outbox.dropped) == (1, 1)
    assert len(reports) == 2
    assert reports[0] == ("Telegram: Telegram refused the message (503: nope); retrying with back-off "
                          "(up to 6 attempts).")
    assert reports[1].startswith("Telegram: an alert message was dropped after 6 attempts: ")
    assert not any(TOKEN in r for r in reports)


def test_a_message_waits_out_a_short_outage_and_keeps_its_order() -> None:
    bot, reports, sleeps = Bot(0, 0, 200), [], []

    async def main() -> None:
        outbox = _outbox(bot, reports, sleeps, first_delay_s=1.0)
        for text in ("a", "b", "c"):
            outbox.put(text)
        assert await outbox.drain(5.0)
        await outbox.aclose()

    asyncio.run(main())
    assert bot.delivered == ["a", "b", "c"] and sleeps == [1.0, 2.0] and len(reports) == 1


def test_a_refusal_is_dropped_at_once_and_a_full_queue_drops_its_oldest() -> None:
    bot, reports, sleeps = Bot(401, 200), [], []

    async def main() -> TelegramOutbox:
        outbox = _outbox(bot, reports, sleeps, max_queued=2)
        outbox.put("refused")
        await asyncio.sleep(0)  # on its way (or refused already): no longer waiting in the queue
        for text in ("dropped", "kept-1", "kept-2"):
            outbox.put(text)  # two may wait: "kept-2" pushes out "dropped"
        assert await outbox.drain(5.0)
        await outbox.aclose()
        return outbox

    outbox = asyncio.run(main())
    assert sleeps == [] and bot.delivered == ["kept-1", "kept-2"] and outbox.dropped == 2
    assert any("more than 2 were waiting" in r for r in reports)
    assert any("dropped at once" in r and "401" in r for r in reports)


def test_closing_discards_what_is_left_without_waiting() -> None:
    bot = Bot(503)

    async def main() -> int:
        client = httpx.AsyncClient(transport=httpx.MockTransport(bot.handler))
        sender = TelegramSender(Secret(TOKEN), "-1001", client=client, max_attempts=1)
        outbox = TelegramOutbox(sender, report=lambda _text: None, first_delay_s=3600.0)  # a real sleep
        outbox.put("stuck")
        outbox.put("behind it")
        assert not await outbox.drain(0.05)
        assert outbox.pending_texts() == ("stuck", "behind it")  # what the watcher keeps for next time
        await asyncio.wait_for(outbox.aclose(), 1.0)
        return outbox.pending

    assert asyncio.run(main()) == 2
