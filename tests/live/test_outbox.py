"""Alert messages through a Telegram outage: retried with back-off, dropped after the limit with one
report, in order, never holding up the caller; a refusal is dropped at once; the token never shows."""

from __future__ import annotations

import asyncio
import json

import httpx

from desktop_app.domain.credentials import Secret
from desktop_app.live.alerts import TelegramSettings
from desktop_app.live.outbox import TelegramOutbox, alert_sender
from desktop_app.live.session import LiveSession
from tests.watch.telegram_standin import TelegramStandIn

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
    sender = alert_sender(TelegramSettings(Secret(TOKEN), "-1001"), client=client)
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
        sender = alert_sender(TelegramSettings(Secret(TOKEN), "-1001"), client=client)
        outbox = TelegramOutbox(sender, report=lambda _text: None, first_delay_s=3600.0)  # a real sleep
        outbox.put("stuck")
        outbox.put("behind it")
        assert not await outbox.drain(0.05)
        assert outbox.pending_texts() == ("stuck", "behind it")  # what the watcher keeps for next time
        await asyncio.wait_for(outbox.aclose(), 1.0)
        return outbox.pending

    assert asyncio.run(main()) == 2


def _through_stand_in(stand_in: TelegramStandIn, sleeps: list[float], reports: list[str],
                      on_sleep: object = None) -> TelegramOutbox:
    """The outbox as the session builds it (the production sender, over HTTP), its waits recorded."""
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if on_sleep is not None:
            on_sleep()  # type: ignore[operator]
        await asyncio.sleep(0)

    sender = alert_sender(TelegramSettings(Secret(TOKEN), "-1001", stand_in.url))
    return TelegramOutbox(sender, report=reports.append, sleep=sleep)


def test_one_message_through_an_outage_is_six_requests_with_the_production_sender() -> None:
    sleeps: list[float] = []
    reports: list[str] = []

    async def main(stand_in: TelegramStandIn) -> None:
        outbox = _through_stand_in(stand_in, sleeps, reports)
        outbox.put("lost")
        assert await outbox.drain(10.0)
        await outbox.aclose()

    with TelegramStandIn() as stand_in:
        stand_in.fail_with = 503
        asyncio.run(main(stand_in))
    assert stand_in.attempts == 6 and sleeps == [5.0, 10.0, 20.0, 40.0, 80.0]  # as README promises
    assert reports[-1].startswith("Telegram: an alert message was dropped after 6 attempts: ")


def test_telegrams_retry_after_is_honoured_even_when_longer_than_the_back_off() -> None:
    sleeps: list[float] = []
    reports: list[str] = []

    async def main(stand_in: TelegramStandIn) -> None:
        def recover() -> None:
            stand_in.fail_with = None

        outbox = _through_stand_in(stand_in, sleeps, reports, on_sleep=recover)
        outbox.put("rate-limited")
        assert await outbox.drain(10.0)
        await outbox.aclose()

    with TelegramStandIn() as stand_in:
        stand_in.fail_with, stand_in.retry_after = 429, 300
        asyncio.run(main(stand_in))
    assert sleeps == [300.0] and stand_in.texts() == ["rate-limited"] and stand_in.attempts == 2


def test_a_retry_after_past_an_hour_drops_the_message_at_once() -> None:
    sleeps: list[float] = []
    reports: list[str] = []

    async def main(stand_in: TelegramStandIn) -> TelegramOutbox:
        outbox = _through_stand_in(stand_in, sleeps, reports)
        outbox.put("never")
        outbox.put("next")
        assert await outbox.drain(10.0)
        await outbox.aclose()
        return outbox

    with TelegramStandIn() as stand_in:
        stand_in.fail_with, stand_in.retry_after = 429, 10 ** 9  # a proxy built to stall the queue
        outbox = asyncio.run(main(stand_in))
    assert sleeps == [] and outbox.dropped == 2 and stand_in.attempts == 2
    assert "wait 1e+09 s" in reports[0] and "dropped at once" in reports[0]


def test_a_new_chat_takes_over_the_messages_still_waiting_for_the_old_one() -> None:
    results: list[str] = []
    changes: list[tuple[str, ...]] = []

    async def main(old: TelegramStandIn, new: TelegramStandIn) -> None:
        session = LiveSession(emit_update=lambda _u: None, emit_alerts=lambda _a: None,
                              emit_error=lambda _m: None, emit_telegram=lambda r: results.append(r.message),
                              request_refresh=lambda _ids: None, poll_interval_s=1.0, streams=False,
                              emit_outbox=changes.append)
        session.set_telegram(TelegramSettings(Secret(TOKEN), "-100111", old.url))
        assert session.telegram is not None
        session.telegram.put("alert 1")
        session.telegram.put("alert 2")
        while old.attempts == 0:  # the first was refused: both wait (5 s before the next attempt)
            await asyncio.sleep(0.01)
        session.set_telegram(TelegramSettings(Secret(TOKEN), "-100222", new.url))
        assert await session.telegram.drain(5.0)
        await session.aclose()

    with TelegramStandIn() as old, TelegramStandIn() as new:
        old.fail_with = 503
        asyncio.run(main(old, new))
    assert [(s.chat_id, s.text) for s in new.sent] == [("-100222", "alert 1"), ("-100222", "alert 2")]
    assert changes[0] == ("alert 1",) and changes[-1] == ()  # the watcher saved each change
