"""The simulator's streams share its REST port, as Bybit serves both from one host: every public
category and the private stream upgrade on the REST port, REST keeps working on it, and a client
given only the base URL (a custom environment) finds live streams."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from desktop_app.bybit.environments import custom
from desktop_app.bybit.stream_hub import StreamHub
from desktop_app.bybit.ws_common import MarkPriceEvent, StreamConfig, StreamErrorEvent
from desktop_app.exchange_sim import Simulator
from tests.sim_fixtures import spec_of


def run(coro: Any) -> Any:
    async def bounded() -> Any:
        async with asyncio.timeout(20):
            return await coro

    return asyncio.run(bounded())


@pytest.mark.parametrize("category", ["spot", "linear", "inverse", "option"])
def test_every_public_category_upgrades_on_the_rest_port(sim: Simulator, category: str) -> None:
    async def go() -> dict[str, Any]:
        assert sim.ws_url == f"ws://127.0.0.1:{sim.port}"
        async with connect(f"ws://127.0.0.1:{sim.port}/v5/public/{category}") as ws:
            await ws.send(json.dumps({"req_id": "1", "op": "subscribe", "args": ["tickers.BTCUSDT"]}))
            return json.loads(await asyncio.wait_for(ws.recv(), 2))  # type: ignore[no-any-return]

    ack = run(go())
    # BTCUSDT is a linear contract: the other categories answer as Bybit does for a symbol they lack.
    assert ack["success"] is (category == "linear")
    if category != "linear":
        assert ack["ret_msg"] == "Invalid symbol :[tickers.BTCUSDT]"


def test_rest_and_streams_share_the_port(sim: Simulator) -> None:
    async def go() -> tuple[int, str, int]:
        async with connect(f"ws://127.0.0.1:{sim.port}/v5/private") as ws:
            await ws.send(json.dumps({"op": "ping", "req_id": "p"}))
            pong = json.loads(await asyncio.wait_for(ws.recv(), 2))
            async with httpx.AsyncClient() as client:  # REST on the same port while the stream is open
                rest = await client.get(f"{sim.base_url}/v5/market/time")
        with pytest.raises(InvalidStatus) as unknown:
            await connect(f"ws://127.0.0.1:{sim.port}/v5/public/futures")
        return rest.status_code, pong["op"], unknown.value.response.status_code

    assert run(go()) == (200, "pong", 404)


def test_a_client_given_only_the_base_url_gets_live_marks(sim: Simulator) -> None:
    spec = spec_of(sim, sim.account("Main"))
    assert spec.environment == custom(sim.base_url)  # streams derived from the REST URL, nothing else
    events: list[object] = []

    async def go() -> bool:
        hub = StreamHub({}, {}, events.append, config=StreamConfig(close_timeout_s=0.25))
        await hub.start()
        try:
            await hub.add_account(spec.account_id, spec.environment, spec.credentials)
            await hub.set_symbols(spec.account_id, "linear", ["BTCUSDT"])
            await asyncio.to_thread(sim.step, 5.0)  # the frozen price clock moves: a new mark is pushed
            assert sim.streams is not None
            for _ in range(100):
                marked = any(isinstance(e, MarkPriceEvent) and e.symbol == "BTCUSDT" for e in events)
                # Private topics are subscribed only after the key authenticated.
                if marked and await asyncio.to_thread(sim.streams.topics, "/v5/private"):
                    return True
                await asyncio.sleep(0.05)
            return False
        finally:
            await hub.aclose()

    assert run(go()), "no streamed mark, or the private stream never subscribed"
    assert not [e for e in events if isinstance(e, StreamErrorEvent)]
    assert sim.streams is not None
    # The client has closed; the server ends its side of the connection a moment later: wait for that.
    assert closed_within(sim, "/v5/private", 5.0), "the private stream stayed open after the hub closed"


def closed_within(sim: Simulator, path: str, deadline_s: float) -> bool:
    assert sim.streams is not None
    end = time.monotonic() + deadline_s
    while sim.streams.connection_count(path) != 0:
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True
