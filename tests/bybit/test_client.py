"""BybitClient endpoints over the MockTransport Bybit: pagination, fallbacks, parameters, secrecy."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
import pytest

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.environments import custom
from desktop_app.bybit.errors import BybitError, BybitParseError
from desktop_app.bybit.http import RetryPolicy
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.market import Category
from tests.bybit.fake_bybit import (
    BASE,
    SECRET,
    FakeBybit,
    FakeTime,
    envelope,
    make_client,
    make_pool,
    position_row,
)
from tests.bybit.parse_fixtures import example_json

CURSOR = "LTCUSDT%2C1699948800031%2C0"  # as Bybit sends it: already percent-encoded


def run(fake: FakeBybit, call: Callable[[BybitClient], Awaitable[object]], **pool_kwargs: object) -> object:
    async def go() -> object:
        pool = make_pool(fake, **pool_kwargs)
        try:
            return await call(make_client(pool))
        finally:
            await pool.aclose()

    return asyncio.run(go())


def position_pages(request: httpx.Request) -> httpx.Response:
    params = request.url.params
    category, coin = params["category"], params.get("settleCoin")
    if category == "linear" and coin == "USDT":
        if "cursor" not in params:
            return envelope({"category": "linear", "nextPageCursor": CURSOR,
                             "list": [position_row("BTCUSDT"), position_row("ETHUSDT", side="Sell")]})
        return envelope({"category": "linear", "nextPageCursor": "", "list": [position_row("LTCUSDT")]})
    if category == "linear" and coin == "USDC":
        return envelope({"category": "linear", "nextPageCursor": "", "list": [position_row("BTCPERP")]})
    if category == "inverse":
        rows = [position_row("BTCUSD", size="500")]
        return envelope({"category": "inverse", "nextPageCursor": "", "list": rows})
    return envelope({"category": "option", "nextPageCursor": "", "list": []})


def test_positions_follow_the_cursor_verbatim() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/position/list"] = position_pages
    positions = run(fake, lambda c: c.positions(Category.LINEAR, settle_coin="USDT"))
    assert [p.symbol for p in positions] == ["BTCUSDT", "ETHUSDT", "LTCUSDT"]  # type: ignore[attr-defined]
    sent = [r.url.raw_path for r in fake.calls("/v5/position/list")]
    assert sent == [
        b"/v5/position/list?category=linear&limit=200&settleCoin=USDT",
        # %2C stays %2C: not decoded to "," and not re-encoded to %252C.
        b"/v5/position/list?category=linear&cursor=LTCUSDT%2C1699948800031%2C0&limit=200&settleCoin=USDT",
    ]


def test_all_positions_queries_the_four_groups() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/position/list"] = position_pages
    positions = run(fake, lambda c: c.all_positions())
    symbols = sorted(p.symbol for p in positions)  # type: ignore[attr-defined]
    assert symbols == ["BTCPERP", "BTCUSD", "BTCUSDT", "ETHUSDT", "LTCUSDT"]
    queries = sorted(r.url.query for r in fake.calls("/v5/position/list"))
    assert queries == [
        b"category=inverse&limit=200",
        b"category=linear&cursor=LTCUSDT%2C1699948800031%2C0&limit=200&settleCoin=USDT",
        b"category=linear&limit=200&settleCoin=USDC",
        b"category=linear&limit=200&settleCoin=USDT",
        b"category=option&limit=200",
    ]
    by_symbol = {p.symbol: p for p in positions}  # type: ignore[attr-defined]
    assert by_symbol["BTCPERP"].settle_coin == "USDC"
    assert by_symbol["BTCUSDT"].settle_coin == "USDT"


def test_all_positions_fails_as_one_bybit_error() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/position/list"] = position_pages
    fake.script("/v5/position/list", envelope({}, ret_code=10005, ret_msg="Permission denied"))
    with pytest.raises(BybitError) as info:
        run(fake, lambda c: c.all_positions())
    assert info.value.ret_code == 10005


def test_a_repeated_cursor_stops_pagination() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/position/list"] = lambda _r: envelope(
        {"category": "inverse", "nextPageCursor": "same%3D1", "list": []})
    with pytest.raises(BybitParseError, match="same page cursor"):
        run(fake, lambda c: c.positions(Category.INVERSE))
    assert len(fake.calls("/v5/position/list")) == 2


WALLET_UNIFIED = {"list": [{"accountType": "UNIFIED", "totalEquity": "100", "accountMMRate": "0.02",
                            "coin": []}]}
WALLET_CONTRACT = {"list": [{"accountType": "CONTRACT", "totalEquity": "", "accountMMRate": "", "coin": []}]}


def wallet_route(unified: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.params["accountType"] == "UNIFIED":
            return unified
        return envelope(WALLET_CONTRACT)
    return route


def test_wallet_is_unified_when_bybit_accepts_it() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/account/wallet-balance"] = wallet_route(envelope(WALLET_UNIFIED))
    wallet = run(fake, lambda c: c.wallet())
    assert wallet.account_type == "UNIFIED" and wallet.mm_rate == Decimal("0.02")  # type: ignore[attr-defined]
    assert len(fake.calls("/v5/account/wallet-balance")) == 1


def test_wallet_falls_back_to_contract_on_10001() -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/account/wallet-balance"] = wallet_route(
        envelope({}, ret_code=10001, ret_msg="accountType only support CONTRACT."))
    wallet = run(fake, lambda c: c.wallet())
    assert wallet.account_type == "CONTRACT"  # type: ignore[attr-defined]
    assert [r.url.query for r in fake.calls("/v5/account/wallet-balance")] == [
        b"accountType=UNIFIED", b"accountType=CONTRACT"]


def test_wallet_asks_contract_first_once_bybit_accepted_it() -> None:
    # A classic account answers UNIFIED with 10001 on every poll: after the first fallback the client
    # asks CONTRACT straight away (one request, one round trip, instead of two in a row).
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/account/wallet-balance"] = wallet_route(
        envelope({}, ret_code=10001, ret_msg="accountType only support CONTRACT."))

    async def twice(client: BybitClient) -> object:
        await client.wallet()
        return await client.wallet()

    wallet = run(fake, twice)
    assert wallet.account_type == "CONTRACT"  # type: ignore[attr-defined]
    assert [r.url.query for r in fake.calls("/v5/account/wallet-balance")] == [
        b"accountType=UNIFIED", b"accountType=CONTRACT", b"accountType=CONTRACT"]


def test_wallet_goes_back_to_unified_after_an_upgrade() -> None:
    # The trader upgrades the classic account to UTA between two polls: CONTRACT now gets 10001, the
    # client asks UNIFIED, and keeps asking UNIFIED first from then on.
    fake = FakeBybit(FakeTime())
    upgraded = [False]

    def route(request: httpx.Request) -> httpx.Response:
        unified = request.url.params["accountType"] == "UNIFIED"
        if unified != upgraded[0]:
            return envelope({}, ret_code=10001, ret_msg="accountType only support UNIFIED.")
        return envelope(WALLET_UNIFIED if unified else WALLET_CONTRACT)

    fake.routes["/v5/account/wallet-balance"] = route

    async def across_the_upgrade(client: BybitClient) -> object:
        await client.wallet()  # UNIFIED (10001), CONTRACT
        upgraded[0] = True
        await client.wallet()  # CONTRACT (10001), UNIFIED
        return await client.wallet()  # UNIFIED

    wallet = run(fake, across_the_upgrade)
    assert wallet.account_type == "UNIFIED"  # type: ignore[attr-defined]
    assert [r.url.params["accountType"] for r in fake.calls("/v5/account/wallet-balance")] == [
        "UNIFIED", "CONTRACT", "CONTRACT", "UNIFIED", "UNIFIED"]


@pytest.mark.parametrize("code", [10003, 10005, 10010, 10016])
def test_wallet_does_not_fall_back_on_other_errors(code: int) -> None:
    fake = FakeBybit(FakeTime())
    fake.routes["/v5/account/wallet-balance"] = wallet_route(envelope({}, ret_code=code, ret_msg="no"))
    with pytest.raises(BybitError) as info:
        run(fake, lambda c: c.wallet(), retry=RetryPolicy(max_attempts=2))
    assert info.value.ret_code == code
    assert all(r.url.params["accountType"] == "UNIFIED" for r in fake.calls("/v5/account/wallet-balance"))


def test_klines_parameters_and_public_requests_are_unsigned() -> None:
    fake = FakeBybit(FakeTime())
    rows = [["1700000060000", "2", "3", "1", "2.5", "10", "25"],  # newest first, as Bybit sends
            ["1700000000000", "1", "2", "1", "2", "5", "10"]]
    result = {"symbol": "BTCUSDT", "category": "linear", "list": rows}
    fake.routes["/v5/market/kline"] = lambda _r: envelope(result)
    klines = run(fake, lambda c: c.klines(Category.LINEAR, "BTCUSDT", "1", start_ms=1_700_000_000_000,
                                          limit=2))
    assert [k.start_ms for k in klines] == [1_700_000_000_000, 1_700_000_060_000]  # type: ignore[attr-defined]
    (request,) = fake.calls("/v5/market/kline")
    assert request.url.query == b"category=linear&interval=1&limit=2&start=1700000000000&symbol=BTCUSDT"
    assert "X-BAPI-SIGN" not in request.headers and "X-BAPI-API-KEY" not in request.headers
    assert fake.calls("/v5/market/time") == []  # market data needs no clock sync


def test_risk_tiers_follow_cursors_and_sort_per_symbol() -> None:
    fake = FakeBybit(FakeTime())

    def tier(symbol: str, tier_id: int, value: str) -> dict[str, object]:
        return {"id": tier_id, "symbol": symbol, "riskLimitValue": value, "maintenanceMargin": "0.005",
                "initialMargin": "0.01", "isLowestRisk": 0, "maxLeverage": "100", "mmDeduction": ""}

    def tiers(request: httpx.Request) -> httpx.Response:
        if b"cursor=2%3Dabc" in request.url.query:
            return envelope({"category": "linear", "nextPageCursor": "", "list": [tier("ETHUSDT", 1, "900")]})
        return envelope({"category": "linear", "nextPageCursor": "2%3Dabc",
                         "list": [tier("BTCUSDT", 2, "4000000"), tier("BTCUSDT", 1, "2000000")]})

    fake.routes["/v5/market/risk-limit"] = tiers
    result = run(fake, lambda c: c.risk_tiers(Category.LINEAR))
    assert [(t.symbol, t.tier_id) for t in result] == [  # type: ignore[attr-defined]
        ("BTCUSDT", 1), ("BTCUSDT", 2), ("ETHUSDT", 1)]
    assert [r.url.raw_path for r in fake.calls("/v5/market/risk-limit")] == [
        b"/v5/market/risk-limit?category=linear", b"/v5/market/risk-limit?category=linear&cursor=2%3Dabc"]


def test_instruments_follow_cursors_until_empty() -> None:
    fake = FakeBybit(FakeTime())
    recorded = example_json("instruments_info_linear.json")["result"]  # type: ignore[index]
    cursors = {b"": "first%3DBTCUSDT%26last%3DBTCUSDT", b"first%3DBTCUSDT%26last%3DBTCUSDT": ""}

    def pages(request: httpx.Request) -> httpx.Response:
        query = request.url.query
        current = query.split(b"cursor=")[1].split(b"&")[0] if b"cursor=" in query else b""
        return envelope({**recorded, "nextPageCursor": cursors[current]})

    fake.routes["/v5/market/instruments-info"] = pages
    instruments = run(fake, lambda c: c.instruments(Category.LINEAR))
    assert len(instruments) == 2 * len(recorded["list"])  # type: ignore[arg-type]
    assert [r.url.query for r in fake.calls("/v5/market/instruments-info")] == [
        b"category=linear&limit=1000",
        b"category=linear&cursor=first%3DBTCUSDT%26last%3DBTCUSDT&limit=1000",
    ]


def test_private_call_without_credentials_is_refused_locally() -> None:
    fake = FakeBybit(FakeTime())

    async def go() -> None:
        pool = make_pool(fake)
        try:
            await BybitClient(custom(BASE), None, pool).account_info()
        finally:
            await pool.aclose()

    with pytest.raises(BybitError, match="no API key"):
        asyncio.run(go())
    assert fake.requests == []


def test_secret_never_appears_in_any_error() -> None:
    """Every error path, with Bybit echoing as much as it ever does; neither str nor repr holds the secret."""
    secret = "S3CR3T-" + SECRET
    answers: list[httpx.Response | Callable[[httpx.Request], httpx.Response]] = [
        envelope({}, ret_code=code, ret_msg=f"origin_string[{secret}]")
        for code in (10001, 10003, 10004, 10005, 10006, 10010, 10016, 33004, 12345)
    ] + [envelope(status=500), envelope(status=401), httpx.Response(200, content=secret.encode()),
         httpx.Response(403, content=secret.encode())]

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(secret, request=request)

    answers.append(timeout)
    seen = []
    for answer in answers:
        fake = FakeBybit(FakeTime())
        fake.script("/v5/account/info", *[answer] * 4)
        credentials = Credentials("CFEJUGQEQPPHGOHGHM", Secret(secret), KeyType.HMAC)

        async def go(credentials: Credentials = credentials, fake: FakeBybit = fake) -> None:
            pool = make_pool(fake, retry=RetryPolicy(max_attempts=2))
            try:
                await BybitClient(custom(BASE), credentials, pool).account_info()
            finally:
                await pool.aclose()

        with pytest.raises(BybitError) as info:
            asyncio.run(go())
        seen.append(info.value.ret_code)
        for text in (str(info.value), repr(info.value), str(info.value.args)):
            assert secret not in text and SECRET not in text
    # 500 and 401 both end as HTTP_STATUS (-102); the other paths each have their own code.
    assert seen == [10001, 10003, 10004, 10005, 10006, 10010, 10016, 33004, 12345,
                    -102, -102, -103, -403, -101]
