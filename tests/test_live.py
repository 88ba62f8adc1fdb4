"""The live portfolio without Qt: repricing at streamed marks (per stream source), the GUI rate
limiter, and the session's coalescing: many ticks -> one window update, every tick evaluated."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import pytest

from desktop_app.alerts.model import EventKind
from desktop_app.bybit.environments import custom
from desktop_app.bybit.ws_common import AccountChangedEvent, MarkPriceEvent, ReconnectedEvent
from desktop_app.domain.credentials import Credentials, Secret
from desktop_app.domain.market import Category
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live import Coalescer, LivePortfolio, LiveSession, history_feed, telegram_text
from desktop_app.live.alerts import AlertTracker
from desktop_app.storage.history import HistoryReader, HistoryWriter
from tests.alerts import factories as af
from tests.ui.factories import make_update

ENV = custom("http://127.0.0.1:9")  # never contacted: streams are off in these tests
SOURCE = ENV.public_ws_url
SPECS = tuple(AccountSpec(a, n, ENV, Credentials("k", Secret("s"))) for a, n in
              (("acc-main", "Main"), ("acc-hedge", "Hedge")))


def _equity(update, name: str) -> float:
    return next(a.equity_usd for a in update.report.accounts if a.name == name)


def test_reprice_applies_marks_only_to_the_accounts_of_their_source() -> None:
    live = LivePortfolio()
    live.set_rest(make_update())
    # Only Hedge is on this source: Hedge short 0.5 BTC, 62,000 -> 61,000: uPnL +0.5 x 1,000 = +500,
    # equity 5,000 + 500 = 5,500. Main (long 1 BTC) is on another source and keeps 20,000.
    assert live.add_mark("wss://elsewhere/v5/public", ["acc-hedge"], "BTCUSDT", 61_000.0)
    update = live.reprice()
    assert update is not None
    assert update.report.repriced and update.report.source == "stream"
    assert _equity(update, "Hedge") == pytest.approx(5_500.0)
    assert _equity(update, "Main") == pytest.approx(20_000.0)
    # The same mark again changes nothing; the REST book's own mark is no news either.
    assert not live.add_mark("wss://elsewhere/v5/public", ["acc-hedge"], "BTCUSDT", 61_000.0)
    assert not live.add_mark(SOURCE, ["acc-main"], "ETHUSDT", 3_100.0)
    # A symbol nobody holds is ignored.
    assert not live.add_mark(SOURCE, ["acc-main"], "DOGEUSDT", 0.2)
    # So is a mark no market has (a hostile stream): the figures never become astronomical or NaN.
    for junk in (1e30, float("inf"), float("nan"), 0.0, -61_000.0):
        assert not live.add_mark(SOURCE, ["acc-main"], "BTCUSDT", junk)


def test_marks_accumulate_from_the_rest_book_and_reset_on_rest() -> None:
    live = LivePortfolio()
    rest = make_update()
    live.set_rest(rest)
    both = ["acc-main", "acc-hedge"]
    live.add_mark(SOURCE, both, "BTCUSDT", 63_000.0)
    live.add_mark(SOURCE, both, "BTCUSDT", 60_000.0)  # the latest mark wins
    update = live.reprice()
    assert update is not None
    # Main long 1 BTC: 20,000 + (60,000 - 62,000) x 1 = 18,000.
    assert _equity(update, "Main") == pytest.approx(18_000.0)
    # Hedge short 0.5 BTC: 5,000 + 0.5 x 2,000 = 6,000 (ETH has no new mark and moves with ETH: unchanged).
    assert _equity(update, "Hedge") == pytest.approx(6_000.0)
    live.set_rest(rest)
    again = live.reprice()
    assert again is not None and _equity(again, "Main") == pytest.approx(20_000.0)


def test_coalescer_lets_one_item_through_per_interval_and_the_latest_wins() -> None:
    now = [100.0]
    gate: Coalescer[str] = Coalescer(0.1, clock=lambda: now[0])
    assert gate.offer("a") == 0.0
    assert gate.take() == "a"
    now[0] = 100.03
    assert gate.offer("b") == pytest.approx(0.07)  # 100.0 + 0.1 - 100.03
    assert gate.offer("c") == pytest.approx(0.07)
    now[0] = 100.1
    assert gate.take() == "c"
    assert gate.take() is None
    gate.offer("d")
    gate.sent_other()  # a REST update went out: "d" is obsolete
    assert not gate.has_pending


def _session(min_interval_s: float):
    out: dict[str, list] = {"updates": [], "alerts": [], "errors": [], "telegram": [], "refresh": []}
    session = LiveSession(emit_update=out["updates"].append, emit_alerts=out["alerts"].append,
                          emit_error=out["errors"].append, emit_telegram=out["telegram"].append,
                          request_refresh=out["refresh"].append, poll_interval_s=3600, streams=False,
                          min_interval_s=min_interval_s)
    return session, out


def test_many_ticks_make_one_window_update_and_every_tick_is_evaluated() -> None:
    async def scenario():
        session, out = _session(min_interval_s=0.3)
        await session.start(SPECS)
        session.rest_update(make_update())
        evaluated = session.alerts.evaluations
        prices = [61_500.0, 61_000.0, 60_000.0, 50_000.0, 45_000.0]
        for price in prices:  # each tick in a loop iteration of its own, all well within 0.3 s
            session.on_event(MarkPriceEvent(SOURCE, Category.LINEAR, "BTCUSDT", Decimal(str(price)), 1))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        ticks_evaluated = session.alerts.evaluations - evaluated
        before_flush = len(out["updates"])
        await asyncio.sleep(0.45)
        await session.aclose()
        return out, ticks_evaluated, before_flush

    out, ticks_evaluated, before_flush = asyncio.run(scenario())
    assert ticks_evaluated == 5
    assert before_flush == 1  # only the REST update so far
    assert len(out["updates"]) == 2
    live = out["updates"][1]
    assert live.report.repriced
    # Main long 1 BTC at the last mark 45,000: 20,000 + (45,000 - 62,000) = 3,000.
    assert _equity(live, "Main") == pytest.approx(3_000.0)
    # The tick to 45,000 put Main's long (liquidation 42,000) (45,000 - 42,000) / 45,000 = 6.7% from
    # liquidation: past the 10% warning, not the 5% critical. Raised by a tick, with no REST poll.
    raised = [e for u in out["alerts"] for e in u.events if e.key == ("liq_distance", "Main/BTCUSDT/long")]
    assert [(e.kind.value, e.severity.value) for e in raised] == [("raised", "warning")]


def test_stream_events_request_rest_refreshes() -> None:
    async def scenario():
        session, out = _session(min_interval_s=0.1)
        await session.start(SPECS)
        session.on_event(AccountChangedEvent("acc-hedge", "position", 1))
        session.on_event(AccountChangedEvent("someone-else", "wallet", 1))  # not ours: ignored
        session.on_event(ReconnectedEvent("ws://x/v5/private", "acc-main", 1))
        session.on_event(ReconnectedEvent("ws://x/v5/public/linear", None, 1))
        await session.aclose()
        return out

    out = asyncio.run(scenario())
    assert out["refresh"] == [frozenset({"acc-hedge"}), frozenset({"acc-main"}), None]


def test_telegram_text_batches_only_news_worth_a_notification() -> None:
    update = make_update()
    from desktop_app.alerts import AlertEngine

    engine = AlertEngine(poll_interval_s=5)
    events = engine.evaluate(update.report, update.snapshot, now_s=update.snapshot.taken_at)
    assert events, "the factory's cross-account BTC hedge raises at least the hedge info alert"
    text = telegram_text(events)
    assert text is not None and text.startswith("RiskDesk\n")
    assert text.count("\n") == len([e for e in events if e.kind.notify])
    assert telegram_text(()) is None


def test_key_info_is_fetched_once_per_interval_and_feeds_the_expiry_alert() -> None:
    from desktop_app.domain.api_key import ApiKeyInfo

    calls: list[str] = []

    async def fetch(spec: AccountSpec) -> ApiKeyInfo:
        calls.append(spec.account_id)
        # 3 days left: inside the 7-day warning, outside the 1-day critical.
        return ApiKeyInfo("k", "", True, (), (), 3, None, None, True, None, True)

    async def scenario():
        out: dict[str, list] = {"alerts": []}
        session = LiveSession(emit_update=lambda u: None, emit_alerts=out["alerts"].append,
                              emit_error=lambda m: None, emit_telegram=lambda r: None,
                              request_refresh=lambda ids: None, poll_interval_s=3600, streams=False,
                              fetch_key_info=fetch, key_info_interval_s=3600)
        await session.start(SPECS)
        session.rest_update(make_update())
        await asyncio.sleep(0.01)  # the key-info tasks answer
        session.rest_update(make_update(taken_at=make_update().snapshot.taken_at + 5))
        await session.aclose()
        return out

    out = asyncio.run(scenario())
    assert sorted(calls) == ["acc-hedge", "acc-main"]  # once each, not again on the second update
    expiry = [e for u in out["alerts"] for e in u.events if e.rule == "api_key_expiry"]
    assert sorted((e.subject, e.severity.value) for e in expiry) == [("Hedge", "warning"),
                                                                      ("Main", "warning")]


def test_a_new_value_of_a_raised_alert_reaches_the_window() -> None:
    tracker = AlertTracker(poll_interval_s=5.0)
    # MM rate 60 %: past the 50 % warning; then 62 %, still a warning; then 62 % again.
    first = tracker.evaluate(af.report([af.account("Main", mm_rate=0.60)]), None, now_s=af.NOW)
    assert first is not None and [e.kind for e in first.events] == [EventKind.RAISED]
    second = tracker.evaluate(af.report([af.account("Main", mm_rate=0.62)]), None, now_s=af.NOW + 5)
    assert second is not None and second.events == ()  # no transition, but the banner's text changed
    assert "62" in second.active[0].message and "60" not in second.active[0].message
    assert tracker.evaluate(af.report([af.account("Main", mm_rate=0.62)]), None, now_s=af.NOW + 10) is None


def test_updates_that_arrive_while_the_history_file_opens_are_written_once_it_is_open(
        tmp_path, monkeypatch) -> None:
    opened = threading.Event()

    class SlowWriter(HistoryWriter):
        """Opening takes a while (an older file being migrated)."""

        def __init__(self, path, **kwargs) -> None:
            opened.wait(10)
            super().__init__(path, **kwargs)

    monkeypatch.setattr(history_feed, "HistoryWriter", SlowWriter)
    path = tmp_path / "history.sqlite3"

    async def scenario():
        out: dict[str, list] = {"updates": [], "alerts": [], "errors": [], "telegram": [], "refresh": []}
        session = LiveSession(emit_update=out["updates"].append, emit_alerts=out["alerts"].append,
                              emit_error=out["errors"].append, emit_telegram=out["telegram"].append,
                              request_refresh=out["refresh"].append, poll_interval_s=3600, streams=False,
                              history_path=path)
        await session.start(SPECS)  # returns at once: the file opens on a thread of its own
        session.rest_update(make_update(taken_at=1_000.0))
        session.rest_update(make_update(taken_at=1_005.0))
        assert session.history is None and out["updates"]  # the window got them meanwhile
        opened.set()
        for _ in range(200):
            if session.history is not None:
                break
            await asyncio.sleep(0.01)
        assert session.history is not None and session.history.flush(5)
        await session.aclose()
        return out

    out = asyncio.run(scenario())
    assert out["errors"] == []
    with HistoryReader(path) as reader:
        assert reader.equity_series(None, 0)[0].tolist() == [1_000.0, 1_005.0]  # both, in order
