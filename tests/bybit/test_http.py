"""HttpPool behaviour against a deterministic MockTransport Bybit: signing on the wire, clock,
retries, rate-limit headers, bans, timeouts and malformed bodies."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import httpx
import pytest

from desktop_app.bybit import http as http_module
from desktop_app.bybit.errors import (
    HTTP_STATUS,
    TIMEOUT,
    TRANSPORT_ERROR,
    BybitBanError,
    BybitError,
    BybitParseError,
)
from desktop_app.bybit.http import RetryPolicy
from desktop_app.domain.market import Category
from tests.bybit.fake_bybit import BASE, KEY, SECRET, FakeBybit, FakeTime, envelope, make_client, make_pool

ACCOUNT_INFO = {"marginMode": "REGULAR_MARGIN", "updatedTime": "1697078946000", "unifiedMarginStatus": 4,
                "isMasterTrader": False}


def setup(local_skew_ms: int = 0) -> tuple[FakeTime, FakeBybit]:
    time = FakeTime(local_skew_ms)
    fake = FakeBybit(time)
    fake.routes["/v5/account/info"] = lambda _r: envelope(ACCOUNT_INFO)
    return time, fake


async def account_info(fake: FakeBybit, **pool_kwargs: object) -> object:
    pool = make_pool(fake, **pool_kwargs)
    try:
        return await make_client(pool).account_info()
    finally:
        await pool.aclose()


def test_signed_request_sends_the_signed_bytes() -> None:
    _time, fake = setup()
    fake.routes["/v5/account/wallet-balance"] = lambda _r: envelope({"list": []})

    async def go() -> None:
        pool = make_pool(fake)
        params = {"accountType": "UNIFIED", "coin": "USDT,USDC"}
        await pool.request(BASE, "/v5/account/wallet-balance", params, signer=make_client(pool)._signer)
        await pool.aclose()

    asyncio.run(go())
    request = fake.calls("/v5/account/wallet-balance")[0]
    # The comma travels unencoded, exactly as signed (vector 5, not vector 6).
    assert request.url.raw_path == b"/v5/account/wallet-balance?accountType=UNIFIED&coin=USDT,USDC"
    ts = request.headers["X-BAPI-TIMESTAMP"]
    origin = f"{ts}{KEY}5000accountType=UNIFIED&coin=USDT,USDC"
    expected = hmac.new(SECRET.encode(), origin.encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-BAPI-SIGN"] == expected
    assert request.headers["X-BAPI-SIGN-TYPE"] == "2"
    assert request.headers["X-BAPI-RECV-WINDOW"] == "5000"


@pytest.mark.parametrize("skew_ms", [3000, -3000])
def test_local_clock_three_seconds_off_still_works(skew_ms: int) -> None:
    _time, fake = setup(local_skew_ms=skew_ms)
    info = asyncio.run(account_info(fake))
    assert info.unified_margin_status == 4  # type: ignore[attr-defined]
    request = fake.calls("/v5/account/info")[0]
    # Signed with server time (START_MS; fake time does not move without sleeps), not local time.
    assert int(request.headers["X-BAPI-TIMESTAMP"]) == 1_700_000_000_000
    assert len(fake.calls("/v5/market/time")) == 1


def test_concurrent_first_requests_share_one_clock_measurement() -> None:
    _time, fake = setup(local_skew_ms=3000)

    async def go() -> None:
        pool = make_pool(fake)
        client = make_client(pool)
        await asyncio.gather(*(client.account_info() for _ in range(10)))
        await pool.aclose()

    asyncio.run(go())
    assert len(fake.calls("/v5/market/time")) == 1
    assert len(fake.calls("/v5/account/info")) == 10


def test_10002_resyncs_once_and_retries() -> None:
    time, fake = setup()
    # The server's clock jumps 6 s ahead after our first measurement, so the first signed request
    # is 6 s behind: outside recv_window 5000 -> 10002. The re-synced retry signs with +6 s.
    def jump_then_verify(request: httpx.Request) -> httpx.Response:
        fake.server_skew_ms = 6000
        refusal = fake.verify(request)
        assert refusal is not None
        return refusal

    fake.script("/v5/account/info", jump_then_verify)
    info = asyncio.run(account_info(fake))
    assert info.unified_margin_status == 4  # type: ignore[attr-defined]
    assert len(fake.calls("/v5/market/time")) == 2  # first sync + the one re-sync
    retry = fake.calls("/v5/account/info")[1]
    assert int(retry.headers["X-BAPI-TIMESTAMP"]) == 1_700_000_006_000
    assert time.sleeps == []  # the re-sync is immediate, not a backoff


def test_10002_that_persists_is_reported_with_the_offset() -> None:
    _time, fake = setup()
    rejection = envelope({}, ret_code=10002, ret_msg=(
        "invalid request, please check your server timestamp or recv_window param. "
        "req_timestamp[1700000002500],server_timestamp[1700000000000],recv_window[5000]"))
    fake.script("/v5/account/info", rejection, rejection, rejection)
    with pytest.raises(BybitError) as info:
        asyncio.run(account_info(fake))
    assert info.value.ret_code == 10002
    # 1700000002500 - 1700000000000 = 2500 ms = +2.5 s
    assert "clock is off by +2.5 s" in str(info.value)
    assert "after re-sync" in str(info.value)
    assert len(fake.calls("/v5/account/info")) == 2  # exactly one re-sync and one retry
    assert len(fake.calls("/v5/market/time")) == 2


@pytest.mark.parametrize("failure", [
    envelope(status=500), envelope(status=502), envelope(status=429),
    envelope({}, ret_code=10000, ret_msg="timeout"), envelope({}, ret_code=10016, ret_msg="restarting"),
    envelope({}, ret_code=429, ret_msg="high load"), envelope({}, ret_code=10006, ret_msg="Too many visits!"),
])
def test_retryable_failures_are_retried(failure: httpx.Response) -> None:
    time, fake = setup()
    fake.script("/v5/account/info", failure, failure)
    info = asyncio.run(account_info(fake))
    assert info.unified_margin_status == 4  # type: ignore[attr-defined]
    assert len(fake.calls("/v5/account/info")) == 3
    assert len(time.sleeps) == 2


def test_backoff_grows_with_jitter_and_gives_up() -> None:
    time, fake = setup()
    fake.script("/v5/account/info", *[envelope(status=503)] * 4)
    with pytest.raises(BybitError) as info:
        asyncio.run(account_info(fake, retry=RetryPolicy(max_attempts=4, base_delay_s=0.2, max_delay_s=0.5)))
    assert info.value.ret_code == HTTP_STATUS and info.value.retryable
    assert len(fake.calls("/v5/account/info")) == 4
    # Delay n = min(0.5, 0.2 * 2**(n-1)) * jitter in [0.5, 1): [0.1, 0.2), [0.2, 0.4), [0.25, 0.5).
    low_high = [(0.1, 0.2), (0.2, 0.4), (0.25, 0.5)]
    assert len(time.sleeps) == 3
    for slept, (low, high) in zip(time.sleeps, low_high, strict=True):
        assert low <= slept < high


@pytest.mark.parametrize(("code", "words"), [
    (10003, "API key is invalid"), (10004, "signature rejected"), (10005, "permission denied"),
    (10010, "whitelist"), (33004, "API key expired"), (10001, "parameters"),
])
def test_non_retryable_codes_fail_at_once(code: int, words: str) -> None:
    time, fake = setup()
    echo = f"error sign! origin_string[{KEY}...]"
    fake.script("/v5/account/info", envelope({}, ret_code=code, ret_msg=echo))
    with pytest.raises(BybitError) as info:
        asyncio.run(account_info(fake))
    assert info.value.ret_code == code and not info.value.retryable
    assert words in str(info.value)
    assert KEY not in str(info.value)
    assert len(fake.calls("/v5/account/info")) == 1
    assert time.sleeps == []


def test_wrong_secret_is_10004_from_the_verifier() -> None:
    _time, fake = setup()

    async def go() -> None:
        pool = make_pool(fake)
        await make_client(pool, secret="WRONGSECRETWRONGSECRET").account_info()

    with pytest.raises(BybitError) as info:
        asyncio.run(go())
    assert info.value.ret_code == 10004
    assert "signature rejected: the API secret does not match the key" in str(info.value)


def test_10006_waits_for_the_reset_timestamp() -> None:
    time, fake = setup()
    # Reset 700 ms after the server's "now" (START_MS) -> wait 0.7 s, not a blind backoff.
    headers = {"x-bapi-limit-status": "0", "X-Bapi-Limit-Reset-Timestamp": str(1_700_000_000_700)}
    fake.script("/v5/account/info", envelope({}, ret_code=10006, ret_msg="Too many visits!", headers=headers))
    asyncio.run(account_info(fake))
    assert time.sleeps[0] == pytest.approx(0.7)
    assert sum(time.sleeps) == pytest.approx(0.7)  # the limiter's block coincides with the retry wait
    assert len(fake.calls("/v5/account/info")) == 2


def test_10006_wait_is_capped() -> None:
    time, fake = setup()
    headers = {"X-Bapi-Limit-Status": "0", "X-Bapi-Limit-Reset-Timestamp": str(1_700_000_060_000)}  # +60 s
    fake.script("/v5/account/info", envelope({}, ret_code=10006, headers=headers))
    asyncio.run(account_info(fake, retry=RetryPolicy(max_reset_wait_s=1.5)))
    assert time.sleeps[0] == pytest.approx(1.5)


def test_limit_status_zero_delays_the_next_call_to_that_endpoint() -> None:
    time, fake = setup()
    headers = {"X-Bapi-Limit-Status": "0", "X-Bapi-Limit-Reset-Timestamp": str(1_700_000_000_400)}
    fake.script("/v5/account/info", envelope(ACCOUNT_INFO, headers=headers))

    async def go() -> None:
        pool = make_pool(fake)
        client = make_client(pool)
        await client.account_info()
        assert time.sleeps == []
        await client.account_info()  # must wait 400 ms for the reset first
        await pool.aclose()

    asyncio.run(go())
    assert time.sleeps == [pytest.approx(0.4)]
    assert len(fake.calls("/v5/account/info")) == 2


def test_403_bans_the_host() -> None:
    time, fake = setup()
    fake.script("/v5/account/info", httpx.Response(403, content=b"access too frequent"))

    async def go() -> None:
        pool = make_pool(fake, ban_s=600.0)
        client = make_client(pool)
        with pytest.raises(BybitBanError) as first:
            await client.account_info()
        calls = len(fake.requests)
        with pytest.raises(BybitBanError) as second:
            await client.tickers(Category.LINEAR)
        assert len(fake.requests) == calls  # nothing was sent to the banned host
        # 600 s ban from local time START_MS -> until START_MS + 600 000 ms.
        assert first.value.until_ms == second.value.until_ms == 1_700_000_600_000
        assert "rate-limited or banned" in str(second.value) and "until" in str(second.value)
        time.advance(600.0)
        await client.account_info()  # the ban is over
        await pool.aclose()

    asyncio.run(go())
    assert len(fake.calls("/v5/market/time")) == 1


def test_malformed_bodies_are_parse_errors_and_not_retried() -> None:
    for body in (b"<html>502 Bad Gateway</html>", b'{"retMsg": "OK"}', b'{"retCode": 0, "result": ', b"[]"):
        _time, fake = setup()
        fake.script("/v5/account/info", httpx.Response(200, content=body))
        with pytest.raises(BybitParseError) as info:
            asyncio.run(account_info(fake))
        assert info.value.endpoint == "/v5/account/info"
        assert len(fake.calls("/v5/account/info")) == 1


def test_timeouts_become_bybit_errors_after_retries() -> None:
    _time, fake = setup()

    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    fake.script("/v5/account/info", hang, hang, hang)
    with pytest.raises(BybitError) as info:
        asyncio.run(account_info(fake, retry=RetryPolicy(max_attempts=3), timeout_s=2.5))
    assert info.value.ret_code == TIMEOUT and info.value.retryable
    assert str(info.value) == "/v5/account/info: Bybit did not answer within 2.5 s"
    assert len(fake.calls("/v5/account/info")) == 3


def test_connection_errors_are_retried_then_reported() -> None:
    _time, fake = setup()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fake.script("/v5/account/info", refuse)
    asyncio.run(account_info(fake))
    assert len(fake.calls("/v5/account/info")) == 2

    _time, fake = setup()
    fake.script("/v5/account/info", refuse, refuse, refuse, refuse)
    with pytest.raises(BybitError) as info:
        asyncio.run(account_info(fake))
    assert info.value.ret_code == TRANSPORT_ERROR and "bybit.test" in str(info.value)


def test_one_async_client_per_base_url() -> None:
    _time, fake = setup()

    async def go() -> None:
        pool = make_pool(fake)
        assert pool.client_for(BASE) is pool.client_for(BASE)
        assert pool.client_for(BASE) is not pool.client_for("http://other.test")
        await pool.aclose()

    asyncio.run(go())


def test_parsed_urls_are_reused_and_bounded() -> None:
    # A poll asks the same URLs each time, so each is parsed once; URLs with ever-new cursors must not
    # grow the cache without bound, and a cached URL must still carry the exact signed bytes.
    _time, fake = setup()
    fake.routes["/v5/market/tickers"] = lambda _r: envelope({"category": "linear", "list": []})

    async def go() -> tuple[int, int]:
        pool = make_pool(fake)
        try:
            for _ in range(2):
                await pool.request(BASE, "/v5/market/tickers", {"category": "linear", "cursor": "a%2C1"})
            first_size = len(pool._urls)
            for n in range(http_module._URL_CACHE_SIZE + 5):
                await pool.request(BASE, "/v5/market/tickers", {"category": "linear", "cursor": f"c{n}"})
            return first_size, len(pool._urls)
        finally:
            await pool.aclose()

    first_size, last_size = asyncio.run(go())
    assert first_size == 1
    assert last_size <= http_module._URL_CACHE_SIZE
    first, second = fake.calls("/v5/market/tickers")[:2]
    assert first.url.raw_path == second.url.raw_path == b"/v5/market/tickers?category=linear&cursor=a%2C1"
