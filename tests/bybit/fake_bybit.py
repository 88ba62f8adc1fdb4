"""A deterministic in-process Bybit for client tests: an httpx.MockTransport handler plus fake time.

It verifies keys, timestamps and HMAC signatures the way SIGNING_VECTORS.md §8 describes, so a
client that signs the wrong bytes fails here exactly as it would against Bybit. Tests queue
scripted answers per path to inject faults.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from collections import defaultdict
from collections.abc import Callable

import httpx

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import custom
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.domain.credentials import Credentials, KeyType, Secret

KEY = "CFEJUGQEQPPHGOHGHM"
SECRET = "VDFZSSPUTKRJMXAVMJXBHEXIPZNZJIZUBVRQ"
BASE = "http://bybit.test"
START_MS = 1_700_000_000_000

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """True time advances only when the code under test sleeps. The local clock may be skewed."""

    def __init__(self, local_skew_ms: int = 0) -> None:
        self.true_ms = START_MS
        self.local_skew_ms = local_skew_ms
        self.sleeps: list[float] = []

    def local_now_ms(self) -> int:
        return self.true_ms + self.local_skew_ms

    def monotonic(self) -> float:
        return self.true_ms / 1000

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.true_ms += round(seconds * 1000)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.true_ms += round(seconds * 1000)


def envelope(result: object = None, *, ret_code: int = 0, ret_msg: str = "OK", status: int = 200,
             headers: dict[str, str] | None = None, time_ms: int | None = None) -> httpx.Response:
    body = {"retCode": ret_code, "retMsg": ret_msg, "result": {} if result is None else result,
            "retExtInfo": {}, "time": time_ms or START_MS}
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers or {})


class FakeBybit:
    def __init__(self, time: FakeTime, *, server_skew_ms: int = 0) -> None:
        self.time = time
        self.server_skew_ms = server_skew_ms  # server clock = true time + skew
        self.requests: list[httpx.Request] = []
        self.scripted: dict[str, list[httpx.Response | Handler]] = defaultdict(list)
        self.routes: dict[str, Handler] = {}

    def server_now_ms(self) -> int:
        return self.time.true_ms + self.server_skew_ms

    def script(self, path: str, *answers: httpx.Response | Handler) -> None:
        """Answer the next calls of `path` with these, in order, before the normal route."""
        self.scripted[path].extend(answers)

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if self.scripted[path]:
            answer = self.scripted[path].pop(0)
            return answer(request) if callable(answer) else answer
        if path == "/v5/market/time":
            now = self.server_now_ms()
            return envelope({"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, time_ms=now)
        if not path.startswith("/v5/market/"):
            refusal = self.verify(request)
            if refusal is not None:
                return refusal
        route = self.routes.get(path)
        return route(request) if route else envelope({}, ret_code=10017, ret_msg="route not found")

    def verify(self, request: httpx.Request) -> httpx.Response | None:
        """Bybit's checks, in Bybit's order: key, timestamp window, signature."""
        key = request.headers.get("X-BAPI-API-KEY")
        if key != KEY:
            return envelope({}, ret_code=10003, ret_msg="API key is invalid.")
        ts = int(request.headers["X-BAPI-TIMESTAMP"])
        rw = int(request.headers.get("X-BAPI-RECV-WINDOW", "5000"))
        now = self.server_now_ms()
        if not now - rw <= ts < now + 1000:
            return envelope({}, ret_code=10002, ret_msg=(
                "invalid request, please check your server timestamp or recv_window param. "
                f"req_timestamp[{ts}],server_timestamp[{now}],recv_window[{rw}]"))
        origin = f"{ts}{key}{rw}{request.url.query.decode()}"
        expected = hmac.new(SECRET.encode(), origin.encode(), hashlib.sha256).hexdigest()
        if request.headers.get("X-BAPI-SIGN") != expected:
            return envelope({}, ret_code=10004, ret_msg=f"error sign! origin_string[{origin}]")
        return None


def make_pool(fake: FakeBybit, **kwargs: object) -> HttpPool:
    retry = kwargs.pop("retry", RetryPolicy())
    return HttpPool(transport=httpx.MockTransport(fake.handler), rng=random.Random(7), retry=retry,
                    now_ms=fake.time.local_now_ms, monotonic=fake.time.monotonic, sleep=fake.time.sleep,
                    **kwargs)  # type: ignore[arg-type]


def make_client(pool: HttpPool, *, secret: str = SECRET, key: str = KEY) -> BybitClient:
    return BybitClient(custom(BASE), Credentials(key, Secret(secret), KeyType.HMAC), pool)


def position_row(symbol: str, size: str = "1", side: str = "Buy") -> dict[str, object]:
    """A linear position row with the fields of examples/position_list_linear.json."""
    return {
        "symbol": symbol, "leverage": "10", "avgPrice": "100", "liqPrice": "90", "riskLimitValue": "200000",
        "takeProfit": "", "positionValue": "100", "tpslMode": "Full", "riskId": 1, "trailingStop": "0",
        "unrealisedPnl": "0", "markPrice": "100", "cumRealisedPnl": "0", "positionMM": "0.5",
        "createdTime": "1672121182216", "positionIdx": 0, "positionIM": "10", "updatedTime": "1672279322668",
        "side": side, "bustPrice": "", "size": size, "positionStatus": "Normal", "stopLoss": "",
        "tradeMode": 0, "adlRankIndicator": 2,
    }
