"""Every request ends within its total deadline, whatever a server on loopback does: one that trickles
a byte at a time (httpx's per-read timeout never fires), one that holds the request and closes, one
that sends 50 MB. Short deadlines keep each case well under two seconds."""

from __future__ import annotations

import asyncio
import time

import pytest

from desktop_app.bybit.errors import BODY_TOO_LARGE, TIMEOUT, BybitError
from desktop_app.bybit.http import HttpPool, RetryPolicy
from desktop_app.bybit.parse import parse_server_time_ms
from desktop_app.bybit.ratelimit import SlidingWindowLimiter
from tests.misbehaving_server import MisbehavingServer

FAST_RETRY = RetryPolicy(base_delay_s=0.01, max_delay_s=0.02)


def _pool(**kwargs: object) -> HttpPool:
    return HttpPool(ip_limiter=SlidingWindowLimiter(600, 5.0), retry=FAST_RETRY, **kwargs)  # type: ignore[arg-type]


def _time_request(server: MisbehavingServer, **pool_kwargs: object) -> tuple[BybitError | None, float]:
    async def go() -> BybitError | None:
        pool = _pool(**pool_kwargs)
        try:
            await pool.request(server.base_url, "/v5/market/time")
        except BybitError as exc:
            return exc
        finally:
            await pool.aclose()
        return None

    started = time.monotonic()
    error = asyncio.run(go())
    return error, time.monotonic() - started


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    with MisbehavingServer("trickle", trickle_interval_s=0.05) as server:
        # A byte every 50 ms: a per-read timeout of 10 s never fires; the 0.6 s deadline does.
        error, elapsed = _time_request(server, deadline_s=0.6)
        assert server.bytes_sent > 3  # it was trickling when the client gave up
    assert error is not None and error.ret_code == TIMEOUT
    assert str(error) == ("/v5/market/time: no complete answer within 0.6 s; the server is too slow or "
                          "stalled")
    assert 0.55 <= elapsed < 1.5


def test_hold_and_close_is_retried_within_the_deadline_then_reported() -> None:
    with MisbehavingServer("hold_close", hold_s=0.3) as server:
        error, elapsed = _time_request(server, deadline_s=0.8)
        tries = server.requests
    assert error is not None and error.ret_code == TIMEOUT
    # Each attempt is held 0.3 s and dropped; the deadline names what the attempts before it saw.
    assert "no complete answer within 0.8 s" in str(error)
    assert "(before that: could not reach 127.0.0.1:" in str(error)
    assert tries >= 2
    assert elapsed < 1.5


@pytest.mark.parametrize("behaviour", ["huge", "huge_chunked"])
def test_a_50_mb_body_is_refused_early_without_holding_it(behaviour: str) -> None:
    with MisbehavingServer(behaviour, huge_bytes=50 * 1024 * 1024) as server:
        error, elapsed = _time_request(server, deadline_s=5.0, max_body_bytes=1024 * 1024)
        sent = server.bytes_sent
    assert error is not None and error.ret_code == BODY_TOO_LARGE and not error.retryable
    assert "larger than 1 MB; refused" in str(error)
    assert elapsed < 2.0
    if behaviour == "huge":
        assert "announced" in str(error)  # Content-Length said so: nothing was read
    # The client hung up long before the end: a client that read it all would have taken all 50 MB.
    assert sent < 10 * 1024 * 1024


def test_a_healthy_answer_within_the_cap_and_the_deadline_is_read() -> None:
    with MisbehavingServer("ok") as server:
        async def go() -> int:
            pool = _pool(deadline_s=1.0, max_body_bytes=4096)
            try:
                envelope = await pool.request(server.base_url, "/v5/market/time")
                return parse_server_time_ms(envelope.result)
            finally:
                await pool.aclose()

        assert asyncio.run(go()) == 1_700_000_000_000


@pytest.mark.parametrize("deadline_s", [0.0, -1.0, float("nan"), float("inf")])
def test_the_deadline_must_be_a_positive_number(deadline_s: float) -> None:
    with pytest.raises(ValueError, match="deadline_s"):
        HttpPool(deadline_s=deadline_s)
