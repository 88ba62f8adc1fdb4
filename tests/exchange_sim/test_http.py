"""HTTP-level behaviour with plain httpx, signing requests by hand (SIGNING_VECTORS.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from decimal import Decimal as D

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from desktop_app.exchange_sim import SimAccount, Simulator
from desktop_app.exchange_sim.auth import UidLimiter, verify_signature
from tests.sim_fixtures import SIM_START_MS


def signed_get(sim: Simulator, account: SimAccount, path: str, query: str = "", *,
               ts_offset_ms: int = 0, recv_window: str = "5000", tamper: bool = False) -> httpx.Response:
    ts = str(sim.server_time_ms() + ts_offset_ms)
    origin = (ts + account.api_key + recv_window + query).encode()
    if account.key_type == "rsa":
        key = serialization.load_pem_private_key(account.api_secret.encode(), password=None)
        sign = base64.b64encode(key.sign(origin, padding.PKCS1v15(), hashes.SHA256())).decode()  # type: ignore[union-attr, call-arg]
    else:
        sign = hmac.new(account.api_secret.encode(), origin, hashlib.sha256).hexdigest()
    if tamper:
        sign = sign[:-2] + ("AA" if sign[-2:] != "AA" else "BB")
    headers = {"X-BAPI-API-KEY": account.api_key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": recv_window,
               "X-BAPI-SIGN": sign}
    # The full URL is passed so httpx sends the query bytes exactly as signed.
    return httpx.get(f"{sim.base_url}{path}{'?' + query if query else ''}", headers=headers, timeout=5)


def _list(response: httpx.Response) -> list[dict[str, object]]:
    return response.json()["result"]["list"]  # type: ignore[no-any-return]


def test_server_verifies_the_published_vector() -> None:
    # SIGNING_VECTORS.md §7 vector 1 (pybit's dummy key and secret).
    account = SimAccount("v", 1, "CFEJUGQEQPPHGOHGHM", "VDFZSSPUTKRJMXAVMJXBHEXIPZNZJIZUBVRQ")
    origin = "1700000000000CFEJUGQEQPPHGOHGHM5000category=linear&settleCoin=USDT"
    vector_1 = "e164f83036eb98b2c16b42aa7d2c65c2190ed9e6d2e47d723f1cb68eef98108a"
    vector_2 = "e72947a18feb965966c60ce7e396f7999ff55b9289602b4c33beb708ba464fc7"   # other key order
    assert verify_signature(account, origin, vector_1)
    assert not verify_signature(account, origin, vector_2)


def test_envelope_shape_and_server_time(sim: Simulator) -> None:
    body = httpx.get(f"{sim.base_url}/v5/market/time").json()
    assert set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    assert body["retCode"] == 0 and isinstance(body["time"], int)
    assert body["result"]["timeSecond"] == str(int(body["result"]["timeNano"]) // 10**9)


def test_unknown_path_is_404_and_nodelay_is_set(sim: Simulator) -> None:
    with httpx.Client(base_url=sim.base_url) as client:
        assert client.get("/v5/nope").status_code == 404
        assert client.get("/v5/market/time").status_code == 200   # same keep-alive connection
    assert sim.stats.connections == 1
    assert sim.stats.nodelay_connections == sim.stats.connections


def test_position_pages_with_opaque_cursors(sim: Simulator) -> None:
    main = sim.account("Main")
    first = signed_get(sim, main, "/v5/position/list", "category=linear&settleCoin=USDT").json()["result"]
    assert len(first["list"]) == 3          # page size capped at 3 in tests (7 USDT positions)
    cursor = first["nextPageCursor"]
    assert "%2C" in cursor and "," not in cursor
    second = signed_get(sim, main, "/v5/position/list", f"category=linear&settleCoin=USDT&cursor={cursor}")
    twice = signed_get(sim, main, "/v5/position/list",
                       f"category=linear&settleCoin=USDT&cursor={cursor.replace('%', '%25')}")
    assert second.json()["result"]["list"] == twice.json()["result"]["list"]
    rows, page = list(first["list"]), second.json()["result"]
    while True:
        rows += page["list"]
        if page["nextPageCursor"] == "":
            break
        page = signed_get(sim, main, "/v5/position/list",
                          f"category=linear&settleCoin=USDT&cursor={page['nextPageCursor']}").json()["result"]
    keys = [(r["symbol"], r["positionIdx"]) for r in rows]
    expected = sorted((p.symbol, p.position_idx) for p in main.positions if p.symbol.endswith("USDT"))
    assert keys == expected
    assert {r["side"] for r in rows if r["symbol"] == "BTCUSDT"} == {"Buy", "Sell"}   # hedge-mode legs


def test_linear_positions_need_symbol_or_settle_coin(sim: Simulator) -> None:
    body = signed_get(sim, sim.account("Main"), "/v5/position/list", "category=linear").json()
    assert (body["retCode"], body["retMsg"], body["result"]) == (10001, "Missing symbol or settleCoin", {})


def test_symbol_query_without_position_returns_an_empty_row(sim: Simulator) -> None:
    rows = signed_get(sim, sim.account("Hedge"), "/v5/position/list",
                      "category=linear&symbol=SOLUSDT").json()["result"]["list"]
    assert len(rows) == 1 and rows[0]["side"] == "" and rows[0]["size"] == "0"


def test_isolated_position_reports_its_liquidation_price(sim: Simulator) -> None:
    rows = signed_get(sim, sim.account("Isolated"), "/v5/position/list",
                      "category=linear&symbol=BTCUSDT").json()["result"]["list"]
    # Long 0.5 @ 64,000, 5x: IM 6,400, MM 32,000 × 0.005 = 160; LP = 64,000 − 6,240/0.5 = 51,520
    assert (rows[0]["liqPrice"], rows[0]["positionIM"], rows[0]["positionMM"]) == ("51520.00", "6400", "160")


def test_cross_wallet_rates_match_the_position_rows(sim: Simulator) -> None:
    hedge = sim.account("Hedge")
    rows = _list(signed_get(sim, hedge, "/v5/position/list", "category=linear&settleCoin=USDT"))
    wallet = _list(signed_get(sim, hedge, "/v5/account/wallet-balance", "accountType=UNIFIED"))[0]
    # Both positions are in tier 1 (MMR 0.5%, no deduction): MM = Σ size × mark × 0.005 at mark;
    # margin balance = wallet 22,000 + Σ (mark − entry) × size; accountMMRate = MM / margin balance.
    mm = sum(D(r["size"]) * D(r["markPrice"]) * D("0.005") for r in rows)
    upl = sum((D(r["markPrice"]) - D(r["avgPrice"])) * D(r["size"]) for r in rows)
    assert D(wallet["totalMaintenanceMargin"]) == mm
    assert D(wallet["totalMarginBalance"]) == D(22_000) + upl
    assert wallet["accountMMRate"] == str((mm / (D(22_000) + upl)).quantize(D("0.0001")))
    im = sum(D(r["size"]) * D(r["markPrice"]) / 25 for r in rows)
    assert D(wallet["totalAvailableBalance"]) == D(22_000) + upl - im


def test_wallet_account_types(sim: Simulator) -> None:
    bad = signed_get(sim, sim.account("Main"), "/v5/account/wallet-balance", "accountType=CONTRACT").json()
    assert (bad["retCode"], bad["retMsg"]) == (10001, "accountType only support UNIFIED.")
    classic = sim.account("Classic")
    unified = signed_get(sim, classic, "/v5/account/wallet-balance", "accountType=UNIFIED")
    assert unified.json()["retCode"] == 10001
    contract = signed_get(sim, classic, "/v5/account/wallet-balance", "accountType=CONTRACT").json()
    wallet = contract["result"]["list"][0]
    assert (wallet["accountType"], wallet["accountMMRate"], wallet["totalEquity"]) == ("CONTRACT", "", "")
    assert {c["coin"] for c in wallet["coin"]} == {"BTC", "USDT"}
    inverse = signed_get(sim, classic, "/v5/position/list", "category=inverse").json()["result"]["list"]
    assert [r["symbol"] for r in inverse] == ["BTCUSD"]


def test_portfolio_margin_rows_and_rsa_key(sim: Simulator) -> None:
    pm = sim.account("Portfolio")
    assert pm.key_type == "rsa"
    rows = _list(signed_get(sim, pm, "/v5/position/list", "category=linear&settleCoin=USDT"))
    assert rows
    assert all(r["liqPrice"] == r["leverage"] == r["positionIM"] == r["positionMM"] == "" for r in rows)
    assert signed_get(sim, pm, "/v5/account/info", tamper=True).json()["retCode"] == 10004


def test_account_info_and_key_permissions(sim: Simulator) -> None:
    info = signed_get(sim, sim.account("Isolated"), "/v5/account/info").json()
    assert "time" not in info and info["result"]["marginMode"] == "ISOLATED_MARGIN"
    key = signed_get(sim, sim.account("Hedge"), "/v5/user/query-api").json()
    assert key["retMsg"] == "" and key["result"]["readOnly"] == 0
    assert "Withdraw" in key["result"]["permissions"]["Wallet"]
    main_key = signed_get(sim, sim.account("Main"), "/v5/user/query-api").json()["result"]
    assert main_key["readOnly"] == 1 and main_key["ips"] == ["*"] and main_key["deadlineDay"] > 0


def test_auth_errors(sim: Simulator) -> None:
    main = sim.account("Main")
    stranger = SimAccount("x", 9, "NOTAKEY", "secret")
    unknown = signed_get(sim, stranger, "/v5/account/info").json()
    assert (unknown["retCode"], unknown["retMsg"], unknown["result"]) == (10003, "API key is invalid.", {})
    stale = signed_get(sim, main, "/v5/account/info", ts_offset_ms=-6000).json()
    assert stale["retCode"] == 10002
    assert "req_timestamp[" in stale["retMsg"] and "recv_window[5000]" in stale["retMsg"]
    # 1 s ahead fails whatever the recv_window (server − rw <= ts < server + 1000)
    ahead = signed_get(sim, main, "/v5/account/info", ts_offset_ms=1500, recv_window="60000").json()
    assert ahead["retCode"] == 10002
    bad = signed_get(sim, main, "/v5/position/list", "category=linear&settleCoin=USDT", tamper=True).json()
    assert bad["retCode"] == 10004
    assert bad["retMsg"].startswith("error sign! origin_string[") and bad["retMsg"].endswith(
        main.api_key + "5000category=linear&settleCoin=USDT]")


def test_ip_whitelist_rejects_other_ips() -> None:
    bound = SimAccount("bound", 5, "BOUNDKEY", "boundsecret", ip_whitelist=("10.1.2.3",))
    with Simulator(seed=1, realtime=False, start_ms=SIM_START_MS, accounts=[bound]) as sim:
        body = signed_get(sim, bound, "/v5/account/info").json()
        assert body["retCode"] == 10010


def test_private_responses_carry_limit_headers_and_the_limiter_rolls() -> None:
    limiter = UidLimiter()
    statuses = [limiter.hit(1, "/x", 5, 1_000 + i) for i in range(6)]
    assert [s.remaining for s in statuses[:5]] == [4, 3, 2, 1, 0] and not statuses[5].allowed
    assert statuses[5].reset_ms == 2_000             # the first hit (t=1000) leaves the window at 2000
    assert limiter.hit(1, "/x", 5, 2_000).allowed     # rolling: one slot free again at t=2000
    assert limiter.hit(2, "/x", 5, 1_003).allowed     # other UIDs are independent


def test_limit_headers_and_injected_10006(sim: Simulator) -> None:
    main = sim.account("Main")
    ok = signed_get(sim, main, "/v5/account/fee-rate", "category=linear&symbol=BTCUSDT")
    assert ok.headers["X-Bapi-Limit"] == "5" and ok.headers["X-Bapi-Limit-Status"] == "4"
    assert _list(ok) == [{"symbol": "BTCUSDT", "takerFeeRate": "0.00055", "makerFeeRate": "0.0002"}]
    sim.faults.error_rate_10006 = 1.0
    limited = signed_get(sim, main, "/v5/account/info")
    assert limited.json()["retCode"] == 10006 and limited.json()["retMsg"] == "Too many visits!"
    assert limited.headers["X-Bapi-Limit-Status"] == "0"


def test_ip_limit_answers_403_and_bans() -> None:
    with Simulator(seed=1, realtime=False, start_ms=SIM_START_MS, ip_limit=5, ip_ban_s=60) as sim:
        with httpx.Client(base_url=sim.base_url) as client:
            codes = [client.get("/v5/market/time").status_code for _ in range(7)]
        assert codes == [200] * 5 + [403, 403]


def test_klines_newest_first_with_default_limit(sim: Simulator) -> None:
    body = httpx.get(f"{sim.base_url}/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1").json()
    rows = body["result"]["list"]
    assert len(rows) == 200 and all(len(r) == 7 and all(isinstance(v, str) for v in r) for r in rows)
    starts = [int(r[0]) for r in rows]
    assert starts == sorted(starts, reverse=True) and starts[0] == SIM_START_MS
    mark = httpx.get(f"{sim.base_url}/v5/market/mark-price-kline?symbol=ETHUSDT&interval=D&limit=3").json()
    assert [len(r) for r in mark["result"]["list"]] == [5, 5, 5]


def test_tickers_follow_the_mark(sim: Simulator) -> None:
    sim.step(3600)
    row = _list(httpx.get(f"{sim.base_url}/v5/market/tickers?category=linear&symbol=BTCUSDT"))[0]
    assert D(row["markPrice"]) == sim.mark_price("BTCUSDT")


def test_risk_limit_and_instruments_paginate(sim: Simulator) -> None:
    symbols: list[str] = []
    cursor = ""
    for _ in range(10):
        page = httpx.get(f"{sim.base_url}/v5/market/instruments-info?category=linear"
                         f"{'&cursor=' + cursor if cursor else ''}").json()["result"]
        symbols += [i["symbol"] for i in page["list"]]
        cursor = page["nextPageCursor"]
        if not cursor:
            break
    assert len(symbols) == 10 and symbols == sorted(symbols)
    tiers = httpx.get(f"{sim.base_url}/v5/market/risk-limit?category=linear&symbol=BTCUSDT").json()["result"]
    assert [t["mmDeduction"] for t in tiers["list"]] == ["", "10000", "30000", "60000", "100000"]


def test_faults(sim: Simulator) -> None:
    main, hedge = sim.account("Main"), sim.account("Hedge")
    sim.faults.fail(hedge.uid)
    assert signed_get(sim, hedge, "/v5/account/info").json()["retCode"] == 10016
    assert signed_get(sim, main, "/v5/account/info").json()["retCode"] == 0    # one account failing only
    sim.faults.reset()
    sim.faults.error_rate_5xx = 1.0
    assert httpx.get(f"{sim.base_url}/v5/market/time").status_code in (502, 503, 504)
    sim.faults.reset()
    sim.faults.malformed_rate = 1.0
    with pytest.raises(json.JSONDecodeError):
        json.loads(httpx.get(f"{sim.base_url}/v5/market/time").content)
    sim.faults.reset()
    sim.faults.timeout_rate, sim.faults.timeout_mode = 1.0, "close"
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{sim.base_url}/v5/market/time")
    sim.faults.timeout_mode, sim.faults.timeout_hold_s = "hold", 5.0
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{sim.base_url}/v5/market/time", timeout=0.2)
    sim.faults.reset()
    sim.faults.clock_skew_ms = -20_000
    # Signed with the local clock, 20 s ahead of the skewed server clock -> 10002.
    ts_local = signed_get(sim, main, "/v5/account/info", ts_offset_ms=20_000).json()
    assert ts_local["retCode"] == 10002
    server_s = int(httpx.get(f"{sim.base_url}/v5/market/time").json()["result"]["timeSecond"])
    assert server_s < time.time() - 15        # the published time carries the −20 s skew
