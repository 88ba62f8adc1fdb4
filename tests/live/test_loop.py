"""The monitoring loop on its own (what the watcher runs): a Telegram outage never stops it; a stop
while it waits for Telegram still closes everything.

Hedge's MM rate on the frozen crash path (tests/watch/test_watch_crash.py): 65% at 380 s, over 100%
at 390 s; only the MM-rate rule is on (warning 50%, critical 80%)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from desktop_app.domain.credentials import Secret
from desktop_app.exchange_sim import Simulator
from desktop_app.live.alerts import AlertUpdate, TelegramResult, TelegramSettings
from desktop_app.live.loop import LiveLoop, LiveSinks
from desktop_app.service import PortfolioUpdate
from desktop_app.storage.history import HistoryReader
from tests.alerts.factories import only
from tests.sim_fixtures import spec_of
from tests.watch.telegram_standin import TelegramStandIn

TOKEN = "123456:LOOP-token"


def test_a_telegram_outage_drops_its_message_and_monitoring_goes_on(tmp_path: Path,
                                                                    crash_sim: Simulator) -> None:
    updates: list[PortfolioUpdate] = []
    alerts: list[AlertUpdate] = []
    results: list[TelegramResult] = []
    db = tmp_path / "history.sqlite3"

    async def main(stand_in: TelegramStandIn) -> None:
        loop = LiveLoop([spec_of(crash_sim, a) for a in crash_sim.accounts], interval_s=0.5,
                        sinks=LiveSinks(update=updates.append, alerts=alerts.append, telegram=results.append),
                        alert_config=replace(only("mm_rate"), cooldown_s=0.0), history_path=db,
                        streams=False, telegram=TelegramSettings(Secret(TOKEN), "-1001", stand_in.url),
                        live_options={"outbox_options": {"first_delay_s": 0.05, "max_attempts": 3}})
        task = asyncio.ensure_future(loop.run())

        async def until(condition: object, timeout_s: float = 10.0) -> None:
            async def poll() -> None:
                while not condition():  # type: ignore[operator]
                    await asyncio.sleep(0.02)
            await asyncio.wait_for(poll(), timeout_s)

        try:
            await until(lambda: any("dropped after 3 attempts" in r.message for r in results))
            polls = len(updates)
            await until(lambda: len(updates) >= polls + 3)  # still polling, still evaluating
            stand_in.fail_with = None
            crash_sim.step(10.0)  # 390 s: critical
            await until(lambda: len(stand_in.sent) == 1)
        finally:
            task.cancel()
            await task

    crash_sim.step(380.0)
    with TelegramStandIn() as stand_in:
        stand_in.fail_with = 503
        asyncio.run(main(stand_in))
    kinds = [(e.kind.value, e.severity.value) for a in alerts for e in a.events]
    assert kinds == [("raised", "warning"), ("escalated", "critical")]
    assert "CRITICAL: Hedge: MM rate" in stand_in.texts()[0]
    assert stand_in.attempts == 4  # three for the warning (dropped), one for the escalation: the sender
    # the session builds tries once per attempt of the outbox (no retries of its own inside them)
    assert not any(TOKEN in r.message for r in results)
    with HistoryReader(db) as reader:
        assert len(reader.mm_rate_series("id-" + str(crash_sim.account("Hedge").uid), 0.0)[0]) >= 4


def test_once_cancelled_while_it_waits_for_telegram_closes_and_stays_cancelled(
        tmp_path: Path, crash_sim: Simulator) -> None:
    db = tmp_path / "history.sqlite3"
    outbox_changes: list[tuple[str, ...]] = []

    async def main(stand_in: TelegramStandIn) -> LiveLoop:
        loop = LiveLoop([spec_of(crash_sim, a) for a in crash_sim.accounts], interval_s=300,
                        sinks=LiveSinks(outbox=outbox_changes.append), alert_config=only("mm_rate"),
                        history_path=db, streams=False,
                        telegram=TelegramSettings(Secret(TOKEN), "-1001", stand_in.url))
        task = asyncio.ensure_future(loop.run_once(telegram_grace_s=30.0))
        while stand_in.attempts == 0:  # refreshed, raised, refused once: now in its grace
            await asyncio.sleep(0.01)
        task.cancel()
        try:
            await asyncio.wait_for(task, 5.0)
        except asyncio.CancelledError:
            assert task.cancelled()  # the stop is passed on, not swallowed
        else:
            raise AssertionError("run_once returned as if it had not been stopped")
        return loop

    crash_sim.step(380.0)  # Hedge's MM rate 65%: a warning
    with TelegramStandIn() as stand_in:
        stand_in.fail_with = 503
        loop = asyncio.run(main(stand_in))
    assert loop.session is not None and len(loop.session.undelivered) == 1  # kept for the next run
    assert "WARNING: Hedge: MM rate" in loop.session.undelivered[0]
    assert outbox_changes[-1] == loop.session.undelivered
    writer = loop.session.history
    assert writer is not None and writer.flush(1.0) is False  # closed: its queue written, its thread ended
    with HistoryReader(db) as reader:
        assert len(reader.mm_rate_series("id-" + str(crash_sim.account("Hedge").uid), 0.0)[0]) == 1
