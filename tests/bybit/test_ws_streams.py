"""The stream clients against the simulator's real loopback WebSocket server: tickers and marks,
subscription diffs, private auth (HMAC and RSA), account-changed events, drops, half-open
connections, delayed messages, reconnects and the "reconnected" re-fetch trigger."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from desktop_app.bybit.ws_common import (
    WS_AUTH_FAILED,
    WS_CLOSED,
    WS_DEAD,
    WS_SUBSCRIBE_FAILED,
    AccountChangedEvent,
    MarkPriceEvent,
    ReconnectedEvent,
    StreamConfig,
    StreamErrorEvent,
    StreamEvent,
)
from desktop_app.bybit.ws_private import PrivateAccountStream
from desktop_app.bybit.ws_public import PublicTickerStream
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.environment import Environment, EnvKind
from desktop_app.domain.market import Category
from desktop_app.exchange_sim import SimAccount, Simulator
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

E = TypeVar("E")
# Pings every 0.1 s, dead after 0.5 s of silence, reconnects within 0.05–0.2 s.
FAST = StreamConfig(ping_interval_s=0.1, dead_after_s=0.5, open_timeout_s=2.0, close_timeout_s=0.2,
                    reply_timeout_s=2.0, backoff_base_s=0.05, backoff_cap_s=0.2, auth_retry_s=30.0)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS) as simulator:
        yield simulator


def sim_env(sim: Simulator) -> Environment:
    return Environment(EnvKind.CUSTOM, "Simulator", sim.base_url, f"{sim.ws_url}/v5/public",
                       f"{sim.ws_url}/v5/private")


def creds(account: SimAccount, secret: str | None = None) -> Credentials:
    return Credentials(account.api_key, Secret(secret or account.api_secret), KeyType(account.key_type))


class Events:
    """Collects events; `next` waits for the first one of a kind that matches."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[StreamEvent] = asyncio.Queue()
        self.seen: list[StreamEvent] = []

    def __call__(self, event: StreamEvent) -> None:
        self.queue.put_nowait(event)

    async def next(self, kind: type[E], where: Callable[[E], bool] = lambda e: True,
                   timeout_s: float = 5.0) -> E:
        async def find() -> E:
            while True:
                event = await self.queue.get()
                self.seen.append(event)
                if isinstance(event, kind) and where(event):
                    return event

        return await asyncio.wait_for(find(), timeout_s)

    def drain(self) -> list[StreamEvent]:
        while not self.queue.empty():
            self.seen.append(self.queue.get_nowait())
        return self.seen


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    async def bounded() -> Any:
        async with asyncio.timeout(30):  # unlike wait_for on 3.11, never loses the cancellation
            return await coro_fn()

    return asyncio.run(bounded())


def public(sim: Simulator, events: Events, category: Category = Category.LINEAR) -> PublicTickerStream:
    return PublicTickerStream(sim_env(sim).public_ws_url, category, events, FAST, rng=random.Random(1))


def test_marks_follow_the_simulator_and_set_symbols_sends_only_the_difference(sim: Simulator) -> None:
    async def go() -> None:
        events = Events()
        stream = public(sim, events)
        stream.start()
        await stream.set_symbols(["BTCUSDT", "ethusdt"])
        for symbol in ("BTCUSDT", "ETHUSDT"):
            mark = await events.next(MarkPriceEvent, lambda e, s=symbol: e.symbol == s)
            assert mark.mark_price == sim.mark_price(symbol) and mark.category is Category.LINEAR
            assert mark.source == sim_env(sim).public_ws_url
        sim.step(60)
        moved = await events.next(MarkPriceEvent, lambda e: e.symbol == "BTCUSDT")
        assert moved.mark_price == sim.mark_price("BTCUSDT") and moved.ts_ms == SIM_START_MS + 60_000

        await stream.set_symbols(["ETHUSDT", "SOLUSDT"])  # drop BTC, add SOL
        await events.next(MarkPriceEvent, lambda e: e.symbol == "SOLUSDT")
        assert sim.streams is not None
        assert await asyncio.to_thread(sim.streams.topics, "/v5/public/linear") == {"tickers.ETHUSDT",
                                                                                    "tickers.SOLUSDT"}
        assert stream.subscribed == {"tickers.ETHUSDT", "tickers.SOLUSDT"}
        after_unsubscribe = len(events.drain())
        sim.step(60)
        two_minutes_ms = SIM_START_MS + 120_000
        await events.next(MarkPriceEvent, lambda e: e.symbol == "ETHUSDT" and e.ts_ms == two_minutes_ms)
        await events.next(MarkPriceEvent, lambda e: e.symbol == "SOLUSDT" and e.ts_ms == two_minutes_ms)
        late = [e for e in events.drain()[after_unsubscribe:]
                if isinstance(e, MarkPriceEvent) and e.symbol == "BTCUSDT"]
        assert late == [] and stream.book.get("tickers.BTCUSDT") is None
        await stream.aclose()

    run(go)


def test_inverse_stream_and_an_unknown_symbol(sim: Simulator) -> None:
    async def go() -> None:
        events = Events()
        stream = public(sim, events, Category.INVERSE)
        stream.start()
        await stream.set_symbols(["BTCUSD"])
        mark = await events.next(MarkPriceEvent)
        assert (mark.symbol, mark.category, mark.mark_price) == ("BTCUSD", Category.INVERSE,
                                                                 sim.mark_price("BTCUSD"))
        await stream.set_symbols(["BTCUSD", "NOPEUSD"])
        refused = await events.next(StreamErrorEvent)
        assert refused.error.ret_code == WS_SUBSCRIBE_FAILED and refused.retry_in_s is None
        assert "tickers.NOPEUSD" in refused.error.message
        assert stream.symbols == {"BTCUSD"} and stream.live  # not retried, the stream stays up
        await stream.aclose()

    run(go)


def test_a_dropped_connection_reconnects_resubscribes_and_says_so(sim: Simulator) -> None:
    assert sim.streams is not None
    streams = sim.streams

    async def go() -> None:
        events = Events()
        stream = public(sim, events)
        stream.start()
        await stream.set_symbols(["BTCUSDT", "XRPUSDT"])
        await events.next(MarkPriceEvent, lambda e: e.symbol == "XRPUSDT")
        assert await asyncio.to_thread(streams.drop_connections) == 1
        lost = await events.next(StreamErrorEvent)
        # First backoff: ceiling 0.05 s, so between 0.025 and 0.05 s.
        assert lost.error.ret_code == WS_CLOSED and lost.retry_in_s is not None
        assert 0.025 <= lost.retry_in_s <= 0.05
        back = await events.next(ReconnectedEvent)
        assert (back.url, back.account_id, back.reconnects) == (stream.url, None, 1)
        # Fresh snapshots after the resubscribe carry the marks again.
        await events.next(MarkPriceEvent, lambda e: e.symbol == "BTCUSDT")
        await events.next(MarkPriceEvent, lambda e: e.symbol == "XRPUSDT")
        assert await asyncio.to_thread(streams.topics) == {"tickers.BTCUSDT", "tickers.XRPUSDT"}
        await stream.aclose()

    run(go)


def test_a_half_open_connection_is_detected_and_replaced(sim: Simulator) -> None:
    assert sim.streams is not None
    streams = sim.streams

    async def go() -> None:
        events = Events()
        stream = public(sim, events)
        stream.start()
        await stream.set_symbols(["BTCUSDT"])
        await events.next(MarkPriceEvent)
        assert await asyncio.to_thread(streams.silence_connections) == 1
        dead = await events.next(StreamErrorEvent)
        assert dead.error.ret_code == WS_DEAD and "silent" in dead.error.message
        assert (await events.next(ReconnectedEvent)).reconnects == 1
        await events.next(MarkPriceEvent)
        assert await asyncio.to_thread(streams.connection_count) >= 1
        await stream.aclose()

    run(go)


def test_delays_shorter_than_the_dead_timeout_keep_the_connection(sim: Simulator) -> None:
    assert sim.streams is not None
    sim.streams.faults.delay_ms = 250  # every message, pongs included, half the 0.5 s timeout late

    async def go() -> None:
        events = Events()
        stream = public(sim, events)
        stream.start()
        await stream.set_symbols(["BTCUSDT"])
        await events.next(MarkPriceEvent)
        for minute in range(1, 6):
            sim.step(60)
            await events.next(MarkPriceEvent, lambda e, m=minute: e.ts_ms == SIM_START_MS + m * 60_000)
        assert not [e for e in events.drain() if isinstance(e, StreamErrorEvent | ReconnectedEvent)]
        assert stream.reconnects == 0
        await stream.aclose()

    run(go)


@pytest.mark.parametrize("name", ["Main", "Portfolio"])  # HMAC key, RSA key
def test_private_auth_and_account_changed_events(sim: Simulator, name: str) -> None:
    account = sim.account(name)
    assert sim.streams is not None
    streams = sim.streams

    async def go() -> None:
        events = Events()
        stream = PrivateAccountStream("acc-1", sim_env(sim).private_ws_url, creds(account), events, FAST,
                                      now_ms=sim.server_time_ms)
        stream.start()
        while not stream.live:
            await asyncio.sleep(0.01)
        assert await asyncio.to_thread(streams.topics, "/v5/private") == {"position", "execution", "order",
                                                                         "wallet"}
        await asyncio.to_thread(streams.trade, name, "ADAUSDT", "Buy", "1000")
        execution = await events.next(AccountChangedEvent, lambda e: e.topic == "execution")
        position = await events.next(AccountChangedEvent, lambda e: e.topic == "position")
        wallet = await events.next(AccountChangedEvent, lambda e: e.topic == "wallet")
        assert {execution.account_id, position.account_id, wallet.account_id} == {"acc-1"}
        (ada,) = position.positions
        assert (ada.symbol, ada.side.value, ada.size, ada.entry_price) == (
            "ADAUSDT", "long", Decimal("1000"), sim.mark_price("ADAUSDT"))
        # The `order` message changes nothing by itself: no event for it.
        assert not [e for e in events.drain() if isinstance(e, AccountChangedEvent) and e.topic == "order"]
        await stream.aclose()

    run(go)


@pytest.mark.parametrize("problem", ["wrong secret", "clock one minute slow"])
def test_refused_auth_is_a_clear_error_and_not_retried_soon(sim: Simulator, problem: str) -> None:
    main = sim.account("Main")

    async def go() -> None:
        events = Events()
        secret = "not-the-secret" if problem == "wrong secret" else None
        # A clock 60 s slow makes `expires` (now + 10 s) lie in the exchange's past.
        offset_ms = -60_000 if problem != "wrong secret" else 0
        stream = PrivateAccountStream("acc-2", sim_env(sim).private_ws_url, creds(main, secret), events, FAST,
                                      now_ms=lambda: sim.server_time_ms() + offset_ms, rng=random.Random(3))
        stream.start()
        refused = await events.next(StreamErrorEvent)
        assert refused.error.ret_code == WS_AUTH_FAILED and refused.account_id == "acc-2"
        assert "Params Error" in str(refused.error) and "not-the-secret" not in str(refused.error)
        # Retried only after auth_retry_s (30 s) with jitter: at least 15 s, never a tight loop.
        assert refused.retry_in_s is not None and refused.retry_in_s >= 15.0
        assert not stream.live
        await stream.aclose()

    run(go)


def test_private_stream_reconnects_reauthenticates_and_keeps_delivering(sim: Simulator) -> None:
    main = sim.account("Main")
    assert sim.streams is not None
    streams = sim.streams

    async def go() -> None:
        events = Events()
        stream = PrivateAccountStream("main", sim_env(sim).private_ws_url, creds(main), events, FAST,
                                      now_ms=sim.server_time_ms)
        stream.start()
        while not stream.live:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(streams.drop_connections, "/v5/private")
        back = await events.next(ReconnectedEvent)
        assert (back.account_id, back.reconnects) == ("main", 1) and stream.live
        await asyncio.to_thread(streams.trade, "Main", "LINKUSDT", "Buy", "1000")  # closes the LINK short
        closed = await events.next(AccountChangedEvent, lambda e: e.topic == "position")
        assert closed.positions == ()  # an empty row: the position is gone
        # Half-open private connection: detected, re-authenticated, announced.
        await asyncio.to_thread(streams.silence_connections, "/v5/private")
        assert (await events.next(StreamErrorEvent)).error.ret_code == WS_DEAD
        assert (await events.next(ReconnectedEvent)).reconnects == 2
        await stream.aclose()

    run(go)


def test_an_unreachable_host_is_retried_with_seeded_exponential_backoff() -> None:
    with socket.socket() as probe:  # a free port with nothing listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def go() -> list[float]:
        events = Events()
        config = StreamConfig(ping_interval_s=0.1, dead_after_s=0.5, backoff_base_s=0.01, backoff_cap_s=0.04)
        stream = PublicTickerStream(f"ws://127.0.0.1:{port}/v5/public", "linear", events, config,
                                    rng=random.Random(99))
        stream.start()
        delays = []
        for _ in range(4):
            failed = await events.next(StreamErrorEvent)
            assert failed.error.ret_code == WS_CLOSED and failed.retry_in_s is not None
            delays.append(failed.retry_in_s)
        await stream.aclose()
        return delays

    draws = random.Random(99)
    # Ceilings 0.01, 0.02, 0.04, 0.04 (capped); each delay = ceiling/2 + u × ceiling/2.
    expected = [c / 2 + draws.random() * c / 2 for c in (0.01, 0.02, 0.04, 0.04)]
    assert run(go) == pytest.approx(expected)
