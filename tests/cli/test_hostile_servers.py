"""`riskdesk-cli report` against servers that misbehave, next to the simulator's healthy accounts: one
that trickles its answer, one that floods, one that sends absurd figures. The command ends soon
after the deadline with exit 3, the bad account failed with the reason, the others exactly as they
are without it, and no output anywhere holds NaN, infinity or an astronomical figure."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.exchange_sim import Simulator
from tests.cli.conftest import accounts_document
from tests.misbehaving_server import MisbehavingServer

NOW_MS = int(time.time() * 1000)


def envelope(result: object) -> bytes:
    return json.dumps({"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {},
                       "time": NOW_MS}).encode()


def wallet_row(equity: str, usd_value: str) -> dict[str, object]:
    return {"accountType": "UNIFIED", "totalEquity": equity, "totalWalletBalance": "10000",
            "totalMarginBalance": "10000", "totalAvailableBalance": "9000", "totalPerpUPL": "0",
            "totalInitialMargin": "1000", "totalMaintenanceMargin": "100", "accountIMRate": "0.1",
            "accountMMRate": "0.01",
            "coin": [{"coin": "USDT", "equity": usd_value, "usdValue": usd_value, "walletBalance": usd_value,
                      "unrealisedPnl": "0", "totalPositionIM": "1000", "totalPositionMM": "100"}]}


def position_row(size: str) -> dict[str, object]:
    return {"positionIdx": 0, "riskId": 1, "riskLimitValue": "2000000", "symbol": "BTCUSDT", "side": "Buy",
            "size": size, "avgPrice": "68000", "positionValue": "6800", "autoAddMargin": 0,
            "positionStatus": "Normal", "leverage": "10", "markPrice": "68000", "liqPrice": "61000",
            "positionIM": "680", "positionMM": "34", "unrealisedPnl": "0", "cumRealisedPnl": "0",
            "updatedTime": str(NOW_MS)}


def routes(*, equity: str = "10000", usd_value: str = "10000", size: str | None = None) -> dict[str, bytes]:
    positions = [position_row(size)] if size is not None else []
    return {
        "/v5/market/time": envelope({"timeSecond": str(NOW_MS // 1000), "timeNano": str(NOW_MS * 10**6)}),
        "/v5/account/info": envelope({"unifiedMarginStatus": 5, "marginMode": "REGULAR_MARGIN",
                                      "isMasterTrader": False, "updatedTime": str(NOW_MS)}),
        "/v5/account/wallet-balance": envelope({"list": [wallet_row(equity, usd_value)]}),
        "/v5/position/list": envelope({"list": positions, "nextPageCursor": "", "category": "linear"}),
    }


def accounts_file(tmp_path: Path, sim: Simulator, extra_url: str | None) -> Path:
    document = accounts_document(sim)
    document["accounts"] = document["accounts"][:2]  # type: ignore[index]  # Main and Isolated
    if extra_url is not None:
        document["accounts"].append({"name": "Proxy", "base_url": extra_url,  # type: ignore[union-attr]
                                     "api_key": "PROXYKEY1234", "api_secret": "proxy-secret"})
    path = tmp_path / ("accounts.json" if extra_url else "healthy.json")
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def report(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    code = main(["report", "--json", "--accounts", str(path), *argv])
    elapsed = time.monotonic() - started
    return code, json.loads(capsys.readouterr().out), elapsed


def numbers(value: object) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return []


def assert_others_unchanged(doc: dict[str, Any], healthy: dict[str, Any]) -> None:
    others = [a for a in doc["accounts"] if a["name"] != "Proxy"]
    assert others == healthy["accounts"]
    assert [p for p in doc["positions"] if p["account"] != "Proxy"] == healthy["positions"]
    assert doc["totals"] == healthy["totals"]  # the failed account adds nothing
    assert all(math.isfinite(n) and abs(n) < 1e15 for n in numbers(doc))


def test_a_trickling_account_fails_at_the_deadline_and_the_others_are_correct(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, healthy, _ = report(capsys, accounts_file(tmp_path, sim, None))
    assert code == 0
    with MisbehavingServer("trickle", trickle_interval_s=0.05) as server:
        code, doc, elapsed = report(capsys, accounts_file(tmp_path, sim, server.base_url), "--deadline", "1")
    assert code == 3
    assert elapsed < 3.0  # the deadline plus the healthy accounts' own work, never the trickle's pace
    proxy = {a["name"]: a for a in doc["accounts"]}["Proxy"]
    assert proxy["ok"] is False and proxy["equity_usd"] is None
    assert proxy["error"] == "no complete answer within 1 s; the server is too slow or stalled"
    assert_others_unchanged(doc, healthy)


@pytest.mark.parametrize(("server_routes", "reason"), [
    (routes(equity="1e30", usd_value="1e30"),
     "wallet balance: field 'totalEquity' is implausible: 1.000E+30 (more than 1,000,000,000,000 USD)"),
    (routes(equity="-0"), "wallet balance: field 'totalEquity' (0) is not the sum of the coins' usdValue "
                          "(10,000)"),
    (routes(size="1e30"), "position BTCUSDT: field 'size' is implausible: 1.000E+30"),
])
def test_an_account_with_absurd_figures_fails_with_the_field_named(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], server_routes: dict[str, bytes],
    reason: str
) -> None:
    _, healthy, _ = report(capsys, accounts_file(tmp_path, sim, None))
    with MisbehavingServer("routes", routes=server_routes) as server:
        code, doc, _ = report(capsys, accounts_file(tmp_path, sim, server.base_url))
    assert code == 3
    proxy = {a["name"]: a for a in doc["accounts"]}["Proxy"]
    assert proxy["ok"] is False and proxy["equity_usd"] is None
    assert proxy["error"].startswith(reason)
    assert_others_unchanged(doc, healthy)
    first = doc["first_liquidation"]
    assert first == healthy["first_liquidation"]  # no "BTC −0.0% → Proxy liquidated"


def test_the_same_server_with_sane_figures_is_accepted(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The control for the cases above: only the absurd field made the difference.
    with MisbehavingServer("routes", routes=routes(size="0.1")) as server:
        code, doc, _ = report(capsys, accounts_file(tmp_path, sim, server.base_url))
    assert code == 0
    proxy = {a["name"]: a for a in doc["accounts"]}["Proxy"]
    assert proxy["ok"] is True and proxy["equity_usd"] == 10_000.0


def test_a_flooding_account_is_refused_with_a_clear_reason(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with MisbehavingServer("huge_chunked", huge_bytes=50 * 1024 * 1024) as server:
        code, doc, elapsed = report(capsys, accounts_file(tmp_path, sim, server.base_url))
    assert code == 3 and elapsed < 5.0
    proxy = {a["name"]: a for a in doc["accounts"]}["Proxy"]
    assert "an answer larger than 8 MB; refused" in proxy["error"]


@pytest.mark.parametrize("deadline", ["0", "-1", "nan", "inf", "601", "soon"])
def test_a_bad_deadline_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], deadline: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["report", "--accounts", str(tmp_path / "none.json"), "--deadline", deadline])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--deadline" in err
