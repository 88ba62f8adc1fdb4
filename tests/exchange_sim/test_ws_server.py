"""The simulator's streams over a real loopback WebSocket, compared with Bybit's recorded messages
(REFERENCE §7 and examples/ws_*.json). The price clock is frozen: tickers move only on sim.step()."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from desktop_app.exchange_sim import SimAccount, Simulator
from desktop_app.exchange_sim.accounts import rsa_key_pair
from tests.bybit.parse_fixtures import EXAMPLES_DIR

SIGN = "GET/realtime"


def example(name: str) -> dict[str, Any]:
    return json.loads(Path(EXAMPLES_DIR, name).read_text())  # type: ignore[no-any-return]


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    async def bounded() -> Any:
        async with asyncio.timeout(20):  # unlike wait_for on 3.11, never loses the cancellation
            return await coro_fn()

    return asyncio.run(bounded())


async def recv(ws: ClientConnection, timeout_s: float = 2.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout_s))  # type: ignore[no-any-return]


async def send(ws: ClientConnection, payload: dict[str, Any]) -> None:
    await ws.send(json.dumps(payload))


def hmac_auth(sim: Simulator, account: SimAccount, *, expires_in_ms: int = 10_000,
              secret: str | None = None) -> dict[str, Any]:
    expires = sim.server_time_ms() + expires_in_ms
    signature = hmac.new((secret or account.api_secret).encode(), f"{SIGN}{expires}".encode(),
                         hashlib.sha256).hexdigest()
    return {"op": "auth", "args": [account.api_key, expires, signature]}


async def subscribed_public(sim: Simulator, category: str,
                            topic: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(f"{sim.ws_url}/v5/public/{category}")
    await send(ws, {"req_id": "s1", "op": "subscribe", "args": [topic]})
    ack = await recv(ws)
    assert ack["success"] is True and ack["req_id"] == "s1"
    return ws, await recv(ws)


def test_ticker_snapshot_has_bybits_envelope_and_fields(sim: Simulator) -> None:
    async def go() -> None:
        ws, snapshot = await subscribed_public(sim, "linear", "tickers.BTCUSDT")
        recorded = example("ws_tickers_snapshot.json")
        assert list(snapshot) == list(recorded)  # topic, type, data, cs, ts
        assert snapshot["type"] == "snapshot" and snapshot["topic"] == "tickers.BTCUSDT"
        assert isinstance(snapshot["data"], dict)  # an object, not an array (REFERENCE §9.3)
        assert set(snapshot["data"]) == set(recorded["data"])
        assert all(isinstance(v, str) for v in snapshot["data"].values())
        # The same number REST reports, from the same price engine.
        rest = httpx.get(f"{sim.base_url}/v5/market/tickers?category=linear&symbol=BTCUSDT").json()
        assert snapshot["data"]["markPrice"] == rest["result"]["list"][0]["markPrice"]
        assert snapshot["data"]["markPrice"] == str(sim.mark_price("BTCUSDT"))
        await ws.close()

    run(go)


def test_deltas_carry_only_changed_keys_and_cs_increases(sim: Simulator) -> None:
    async def go() -> None:
        ws, snapshot = await subscribed_public(sim, "linear", "tickers.ETHUSDT")
        merged = dict(snapshot["data"])
        last_cs = snapshot["cs"]
        for _ in range(3):
            sim.step(30)
            delta = await recv(ws)
            assert delta["type"] == "delta" and isinstance(delta["data"], dict)
            assert delta["cs"] > last_cs
            last_cs = delta["cs"]
            changed = {k: v for k, v in delta["data"].items() if k != "symbol"}
            assert changed and all(merged[k] != v for k, v in changed.items())
            merged.update(delta["data"])
        assert merged["markPrice"] == str(sim.mark_price("ETHUSDT"))
        assert delta["ts"] == snapshot["ts"] + 90_000  # three steps of 30 s on the price clock
        await ws.close()

    run(go)


def test_no_delta_while_prices_stand_still(sim: Simulator) -> None:
    async def go() -> None:
        ws, _ = await subscribed_public(sim, "linear", "tickers.BTCUSDT")
        await asyncio.sleep(3 * 0.1)  # three ticker rounds with a frozen price clock
        await send(ws, {"req_id": "p1", "op": "ping"})
        # The pong is the next message: no delta was sent for an unchanged ticker.
        assert (await recv(ws))["ret_msg"] == "pong"
        await ws.close()

    run(go)


def test_public_pong_and_acks_match_recorded_shapes(sim: Simulator) -> None:
    async def go() -> None:
        async with connect(f"{sim.ws_url}/v5/public/inverse") as ws:
            await send(ws, {"req_id": "x7", "op": "ping"})
            pong = await recv(ws)
            assert set(pong) == set(example("ws_pong_public_linear.json"))
            assert (pong["op"], pong["ret_msg"], pong["req_id"]) == ("ping", "pong", "x7")
            assert pong["success"] is True
            await send(ws, {"op": "subscribe", "args": ["tickers.BTCUSD"]})
            ack = await recv(ws)
            assert ack == {**example("ws_subscribe_response_linear.json"), "conn_id": pong["conn_id"]}
            assert (await recv(ws))["data"]["symbol"] == "BTCUSD"
            # A linear symbol on the inverse stream, an unknown one, and a repeat are refused.
            for topic in ("tickers.BTCUSDT", "tickers.NOPEUSDT", "tickers.BTCUSD"):
                await send(ws, {"req_id": "r", "op": "subscribe", "args": [topic]})
                refused = await recv(ws)
                assert refused["success"] is False and refused["op"] == "subscribe" and refused["ret_msg"]

    run(go)


def test_private_auth_success_failure_and_needs_auth_first(sim: Simulator) -> None:
    main = sim.account("Main")

    async def go() -> None:
        async with connect(f"{sim.ws_url}/v5/private") as ws:
            await send(ws, {"op": "subscribe", "args": ["position"]})
            early = await recv(ws)
            assert early["success"] is False and early["ret_msg"] == "error:topic:position needs auth first"
            for bad in (hmac_auth(sim, main, secret="wrong"), hmac_auth(sim, main, expires_in_ms=-1000),
                        {"op": "auth", "args": ["UNKNOWNKEY", sim.server_time_ms() + 10_000, "00"]}):
                await send(ws, bad)
                failed = await recv(ws)
                assert set(failed) == set(example("ws_auth_failed.json"))
                assert (failed["success"], failed["ret_msg"], failed["op"]) == (False, "Params Error", "auth")
            await send(ws, {**hmac_auth(sim, main), "req_id": "a1"})
            ok = await recv(ws)
            assert set(ok) == set(example("ws_auth_response.json")) | {"req_id"}
            assert ok["success"] is True and ok["req_id"] == "a1"
            await send(ws, {"op": "subscribe", "args": ["position", "execution", "order", "wallet"]})
            recorded_ack = example("ws_subscribe_response_private.json")
            assert await recv(ws) == {**recorded_ack, "conn_id": ok["conn_id"]}
            await send(ws, {"req_id": "test", "op": "ping"})
            pong = await recv(ws)
            assert set(pong) == set(example("ws_pong_private.json"))
            assert pong["op"] == "pong" and pong["req_id"] == "test" and int(pong["args"][0]) > 0

    run(go)


def test_private_auth_with_an_rsa_key(sim: Simulator) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    portfolio = sim.account("Portfolio")
    assert portfolio.key_type == "rsa" and portfolio.api_secret == rsa_key_pair(7)[0]
    key = serialization.load_pem_private_key(portfolio.api_secret.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)

    async def go() -> None:
        import base64

        async with connect(f"{sim.ws_url}/v5/private") as ws:
            expires = sim.server_time_ms() + 10_000
            signature = base64.b64encode(key.sign(f"{SIGN}{expires}".encode(), padding.PKCS1v15(),
                                                  hashes.SHA256())).decode()
            await send(ws, {"op": "auth", "args": [portfolio.api_key, expires, signature]})
            assert (await recv(ws))["success"] is True

    run(go)


def test_a_trade_pushes_order_execution_position_wallet_in_bybits_shapes(sim: Simulator) -> None:
    main = sim.account("Main")
    assert sim.streams is not None

    async def go() -> list[dict[str, Any]]:
        async with connect(f"{sim.ws_url}/v5/private") as ws:
            await send(ws, hmac_auth(sim, main))
            await recv(ws)
            await send(ws, {"op": "subscribe", "args": ["position.linear", "execution", "wallet"]})
            await recv(ws)
            assert sim.streams is not None
            await asyncio.to_thread(sim.streams.trade, "Main", "ADAUSDT", "Buy", "1000")
            return [await recv(ws) for _ in range(3)]

    execution, position, wallet = run(go)
    assert [m["topic"] for m in (execution, position, wallet)] == ["execution", "position.linear", "wallet"]
    for message in (execution, position, wallet):
        assert list(message) == ["id", "topic", "creationTime", "data"] and isinstance(message["data"], list)
    assert set(execution["data"][0]) == set(example("ws_execution.json")["data"][0])
    row = position["data"][0]
    assert set(example("ws_position.json")["data"][0]) <= set(row) and "avgPrice" not in row
    mark = sim.mark_price("ADAUSDT")
    # Opened at the mark: 1000 ADA long, entry = mark, fee = 1000 × mark × 0.00055 taker rate.
    assert (row["symbol"], row["side"], row["size"], row["category"]) == ("ADAUSDT", "Buy", "1000", "linear")
    assert execution["data"][0]["execFee"] == f"{1000 * mark * D('0.00055'):f}".rstrip("0").rstrip(".")
    assert wallet["data"][0]["accountType"] == "UNIFIED"
    # REST sees the new position at once.
    assert any(p.symbol == "ADAUSDT" for p in sim.account("Main").positions)


def test_drop_silence_delay_refuse_and_unknown_path(sim: Simulator) -> None:
    streams = sim.streams
    assert streams is not None

    async def go() -> None:
        ws, _ = await subscribed_public(sim, "linear", "tickers.BTCUSDT")
        assert await asyncio.to_thread(streams.drop_connections, "/v5/public") == 1
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        assert closed.value.rcvd is None  # no close frame: the TCP connection just vanished

        ws, _ = await subscribed_public(sim, "linear", "tickers.BTCUSDT")
        assert await asyncio.to_thread(streams.silence_connections, "/v5/public") == 1
        await send(ws, {"op": "ping"})
        with pytest.raises(TimeoutError):
            await recv(ws, timeout_s=0.3)  # half-open: no pong, no close
        assert ws.state.name == "OPEN"
        await ws.close()

        streams.faults.delay_ms = 200
        async with connect(f"{sim.ws_url}/v5/public/linear") as ws2:
            await send(ws2, {"op": "ping"})
            with pytest.raises(TimeoutError):
                await recv(ws2, timeout_s=0.05)
            assert (await recv(ws2))["ret_msg"] == "pong"
        streams.faults.delay_ms = 0

        streams.faults.refuse_new = True
        with pytest.raises(InvalidStatus) as refused:
            await connect(f"{sim.ws_url}/v5/private")
        assert refused.value.response.status_code == 503
        streams.faults.refuse_new = False
        with pytest.raises(InvalidStatus) as missing:
            await connect(f"{sim.ws_url}/v5/public/futures")
        assert missing.value.response.status_code == 404

    run(go)


def test_idle_connections_are_closed(sim: Simulator) -> None:
    assert sim.streams is not None
    sim.streams.idle_timeout_s = 0.2

    async def go() -> None:
        async with connect(f"{sim.ws_url}/v5/public/linear") as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await recv(ws, timeout_s=2.0)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000

    run(go)

