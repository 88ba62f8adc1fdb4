"""StreamHub: public connections shared per (host, category), one private stream per account, and
ticker subscriptions that follow the positions a REST refresh finds after an "account changed"."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import DEMO, MAINNET, TESTNET
from desktop_app.bybit.http import HttpPool
from desktop_app.bybit.stream_hub import StreamHub
from desktop_app.bybit.ws_common import AccountChangedEvent, MarkPriceEvent, ReconnectedEvent, StreamConfig
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.environment import Environment, EnvKind
from desktop_app.domain.market import Category
from desktop_app.exchange_sim import SimAccount, Simulator
from tests.bybit.test_ws_streams import Events
from tests.sim_fixtures import SIM_SEED, SIM_START_MS

FAST = StreamConfig(ping_interval_s=0.1, dead_after_s=0.5, open_timeout_s=2.0, close_timeout_s=0.2,
                    reply_timeout_s=2.0, backoff_base_s=0.05, backoff_cap_s=0.2, auth_retry_s=30.0)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(seed=SIM_SEED, realtime=False, start_ms=SIM_START_MS) as simulator:
        yield simulator


def creds(account: SimAccount) -> Credentials:
    return Credentials(account.api_key, Secret(account.api_secret), KeyType(account.key_type))


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    async def bounded() -> Any:
        async with asyncio.timeout(30):
            return await coro_fn()

    return asyncio.run(bounded())


async def server_topics(sim: Simulator, expected: set[str]) -> set[str]:
    """The public linear topics on the server, once they equal `expected` (or after 5 s): a stream
    that is still connecting subscribes as soon as it is open."""
    assert sim.streams is not None
    for _ in range(250):
        topics = await asyncio.to_thread(sim.streams.topics, "/v5/public/linear")
        if topics == expected:
            break
        await asyncio.sleep(0.02)
    return topics


def test_public_streams_are_shared_per_host_and_category() -> None:
    async def go() -> None:
        envs = {"main": MAINNET, "demo": DEMO, "test": TESTNET}
        hub = StreamHub(envs, {}, Events(), config=FAST)  # not started: nothing connects
        await hub.set_symbols("main", "linear", ["BTCUSDT", "ETHUSDT"])
        await hub.set_symbols("demo", Category.LINEAR, ["ETHUSDT", "SOLUSDT"])
        await hub.set_symbols("test", "linear", ["BTCUSDT"])
        await hub.set_symbols("demo", "inverse", ["BTCUSD"])
        # Demo trading reads mainnet's public stream: one connection for both, with the union.
        mainnet_linear = hub.public_stream(MAINNET.public_ws_url, "linear")
        assert mainnet_linear is not None and mainnet_linear.url == "wss://stream.bybit.com/v5/public/linear"
        assert mainnet_linear.symbols == {"BTCUSDT", "ETHUSDT", "SOLUSDT"}
        testnet_linear = hub.public_stream(TESTNET.public_ws_url, "linear")
        assert testnet_linear is not None and testnet_linear.symbols == {"BTCUSDT"}
        inverse = hub.public_stream(MAINNET.public_ws_url, "inverse")
        assert inverse is not None and inverse.symbols == {"BTCUSD"}
        await hub.set_symbols("main", "linear", [])
        assert mainnet_linear.symbols == {"ETHUSDT", "SOLUSDT"}  # demo still holds them
        assert hub.accounts_on(MAINNET.public_ws_url) == ("main", "demo")
        with pytest.raises(ValueError):
            await hub.set_symbols("main", "spot", ["BTCUSDT"])  # no mark price on spot tickers
        await hub.remove_account("demo")
        assert mainnet_linear.symbols == set() and inverse.symbols == set()
        await hub.aclose()

    run(go)


def test_subscriptions_follow_positions_after_account_changes(sim: Simulator) -> None:
    assert sim.streams is not None
    streams = sim.streams
    env = Environment(EnvKind.CUSTOM, "Simulator", sim.base_url, f"{sim.ws_url}/v5/public",
                      f"{sim.ws_url}/v5/private")
    main, hedge = sim.account("Main"), sim.account("Hedge")

    async def go() -> None:
        events = Events()
        hub = StreamHub({"main": env, "hedge": env}, {"main": creds(main), "hedge": creds(hedge)}, events,
                        config=FAST, rng=random.Random(5),
                        now_ms_by_account={"main": sim.server_time_ms, "hedge": sim.server_time_ms})
        pool = HttpPool(timeout_s=5.0)
        clients = {"main": BybitClient(env, creds(main), pool), "hedge": BybitClient(env, creds(hedge), pool)}
        try:
            await hub.start()
            for account_id, client in clients.items():
                await hub.set_positions(account_id, await client.all_positions())
            linear = {"tickers.BTCUSDT", "tickers.ETHUSDT", "tickers.SOLUSDT", "tickers.XRPUSDT",
                      "tickers.DOGEUSDT", "tickers.LINKUSDT", "tickers.BTCPERP"}  # Main's ⊇ Hedge's
            assert await server_topics(sim, linear) == linear
            assert await asyncio.to_thread(streams.connection_count, "/v5/public") == 1  # shared, no inverse
            mark = await events.next(MarkPriceEvent, lambda e: e.symbol == "BTCUSDT")
            assert hub.accounts_on(mark.source) == ("main", "hedge")

            private = hub.private_stream("hedge")
            while private is None or not private.live:
                await asyncio.sleep(0.01)
                private = hub.private_stream("hedge")
            # Hedge opens AVAX: only Hedge is told to refresh; the refresh subscribes AVAXUSDT.
            await asyncio.to_thread(streams.trade, "Hedge", "AVAXUSDT", "Buy", "100")
            changed = await events.next(AccountChangedEvent, lambda e: e.topic == "execution")
            assert changed.account_id == "hedge"
            await hub.set_positions("hedge", await clients["hedge"].all_positions())
            assert await server_topics(sim, {*linear, "tickers.AVAXUSDT"}) == {*linear, "tickers.AVAXUSDT"}
            await events.next(MarkPriceEvent, lambda e: e.symbol == "AVAXUSDT")

            # Hedge closes its ETH long; Main still holds ETH, so the ticker stays. AVAX closed: dropped.
            await asyncio.to_thread(streams.trade, "Hedge", "ETHUSDT", "Sell", "15")
            await asyncio.to_thread(streams.trade, "Hedge", "AVAXUSDT", "Sell", "100")
            await events.next(AccountChangedEvent, lambda e: (e.account_id, e.topic) == ("hedge", "position"))
            await hub.set_positions("hedge", await clients["hedge"].all_positions())
            assert await server_topics(sim, linear) == linear

            # A dropped private stream comes back and says so: the caller re-fetches by REST.
            await asyncio.to_thread(streams.drop_connections, "/v5/private")
            back = {(await events.next(ReconnectedEvent, lambda e: e.account_id is not None)).account_id
                    for _ in range(2)}
            assert back == {"main", "hedge"}
        finally:
            await hub.aclose()
            await pool.aclose()
        # The server notices the closes a moment after the client finished them.
        for _ in range(100):
            if await asyncio.to_thread(streams.connection_count) == 0:
                break
            await asyncio.sleep(0.02)
        assert await asyncio.to_thread(streams.connection_count) == 0

    run(go)
