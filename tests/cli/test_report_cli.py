"""`riskdesk-cli report` end to end against the simulator, in process: the documented JSON keys, exit
codes 0 / 2 / 3, one-line reasons for bad accounts files, and no secret in any output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.exchange_sim import Simulator
from tests.cli.conftest import accounts_document

ACCOUNT_KEYS = {"name", "ok", "error", "margin_mode", "equity_usd", "available_usd", "im_usd", "mm_usd",
                "im_rate", "mm_rate", "unrealised_pnl_usd"}
POSITION_KEYS = {"account", "category", "symbol", "side", "size", "entry_price", "mark_price", "value_usd",
                 "leverage", "liq_price", "liq_distance", "unrealised_pnl_usd", "im_usd", "mm_usd"}
EXPOSURE_KEYS = {"coin", "long_usd", "short_usd", "net_usd", "gross_usd"}
HEDGE_KEYS = {"coin", "long_accounts", "short_accounts", "hedged_usd"}
TOTALS_KEYS = {"equity_usd", "unrealised_pnl_usd", "gross_exposure_usd", "net_exposure_usd"}
VAR_KEYS = {"confidence", "horizon_days", "var_usd", "es_usd", "historical_var_usd"}
FIRST_LIQUIDATION_KEYS = {"coin", "shock", "account"}


def report_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["report", "--json", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_report_json_has_exactly_the_documented_keys(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, err = report_json(capsys, "--accounts", str(accounts_file))
    assert code == 0 and err == ""
    assert set(doc) == {"accounts", "positions", "exposure", "hedges", "totals", "var", "first_liquidation"}
    assert [a["name"] for a in doc["accounts"]] == ["Main", "Isolated", "Portfolio", "Classic", "Hedge"]
    assert all(set(a) == ACCOUNT_KEYS for a in doc["accounts"])
    assert all(a["ok"] is True and a["error"] is None for a in doc["accounts"])
    # 8 + 4 + 4 + 2 + 2 positions in the demo accounts.
    assert len(doc["positions"]) == 20 and all(set(p) == POSITION_KEYS for p in doc["positions"])
    assert doc["exposure"] and all(set(e) == EXPOSURE_KEYS for e in doc["exposure"])
    assert doc["hedges"] and all(set(h) == HEDGE_KEYS for h in doc["hedges"])
    assert set(doc["totals"]) == TOTALS_KEYS
    assert [v["confidence"] for v in doc["var"]] == [0.95, 0.99]
    assert all(set(v) == VAR_KEYS for v in doc["var"])
    first = doc["first_liquidation"]
    assert first is None or set(first) == FIRST_LIQUIDATION_KEYS

    # Figures: totals are the sum of the accounts; Hedge's equity by hand from the simulator's marks:
    # 22,000 USDT + 2.5 × (BTC − 64,800) + 15 × (ETH − 3,380).
    assert doc["totals"]["equity_usd"] == pytest.approx(sum(a["equity_usd"] for a in doc["accounts"]))
    btc, eth = float(sim.mark_price("BTCUSDT")), float(sim.mark_price("ETHUSDT"))
    hedge = {a["name"]: a for a in doc["accounts"]}["Hedge"]
    assert hedge["equity_usd"] == pytest.approx(22_000 + 2.5 * (btc - 64_800) + 15 * (eth - 3_380), abs=0.01)
    sol = {e["coin"]: e for e in doc["exposure"]}["SOL"]
    # SOL: Main short 300, Isolated long 200, Portfolio long 1,000 — all at the SOL mark.
    sol_mark = float(sim.mark_price("SOLUSDT"))
    assert sol["net_usd"] == pytest.approx((200 + 1_000 - 300) * sol_mark)
    assert sol["gross_usd"] == pytest.approx((200 + 1_000 + 300) * sol_mark)


def test_one_failing_account_exits_3_and_still_reports(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.faults.fail(sim.account("Isolated").uid)
    code, doc, _ = report_json(capsys, "--accounts", str(accounts_file))
    assert code == 3
    accounts = {a["name"]: a for a in doc["accounts"]}
    assert accounts["Isolated"]["ok"] is False and accounts["Isolated"]["error"].startswith("[10016] ")
    assert accounts["Isolated"]["equity_usd"] is None   # never a zero
    assert all(accounts[n]["ok"] for n in ("Main", "Portfolio", "Classic", "Hedge"))
    assert {p["account"] for p in doc["positions"]} == {"Main", "Portfolio", "Classic", "Hedge"}


def test_readable_report_prints(accounts_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--accounts", str(accounts_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Total equity ")
    assert "1-day VaR 95%" in out and "First liquidation:" in out
    for name in ("Main", "Isolated", "Portfolio", "Classic", "Hedge"):
        assert f"\n{name} " in out


def test_readable_report_shows_a_failed_account(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.faults.fail(sim.account("Classic").uid)
    assert main(["report", "--accounts", str(accounts_file)]) == 3
    assert "FAILED: [10016]" in capsys.readouterr().out


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(text, encoding="utf-8")
    return path


SECRET = "S3CRETs3cretS3CRETs3cretS3CRET"


def entry(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"name": "Main", "base_url": "http://127.0.0.1:9", "api_key": "KEYKEYKEY123",
                               "api_secret": SECRET}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(("content", "reason"), [
    (None, "cannot read accounts file"),
    ('{"accounts": [{"name": "Main", "api_secret": "' + SECRET + '", ', "is not valid JSON"),
    (json.dumps({"accounts": [entry(api_secret=None)]}),
     "accounts[0]: 'api_secret' must be a non-empty string"),
    (json.dumps({"accounts": [entry(), entry(name="B", base_url=None)]}),
     "accounts[1]: 'base_url' must be a non-empty string"),
    (json.dumps({"accounts": [entry(name="")]}), "'name' must be a non-empty string"),
    (json.dumps({"accounts": [entry(base_url="ftp://example.invalid")]}), "'base_url' is not an http(s) URL"),
    (json.dumps({"accounts": [entry(base_url="not a url")]}), "'base_url' is not an http(s) URL"),
    (json.dumps({"accounts": [entry(key_type="dsa")]}), "'key_type' must be 'hmac' or 'rsa'"),
    (json.dumps({"accounts": [entry(), entry()]}), "duplicate name 'Main'"),
    (json.dumps({"accounts": []}), "'accounts' must be a non-empty list"),
    (json.dumps([entry()]), "'accounts' must be a non-empty list"),
    (json.dumps({"accounts": [SECRET]}), "accounts[0] is not an object"),
])
def test_bad_accounts_file_exits_2_with_one_line_and_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, reason: str
) -> None:
    path = tmp_path / "missing.json" if content is None else write(tmp_path, content)
    assert main(["report", "--json", "--accounts", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("riskdesk-cli: error: ")
    assert reason in err
    assert SECRET not in err and "KEYKEYKEY123" not in err


def test_a_wrong_secret_is_an_account_failure_without_the_secret(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = accounts_document(sim)
    document["accounts"][0]["api_secret"] = SECRET  # type: ignore[index]
    code, doc, err = report_json(capsys, "--accounts", str(write(tmp_path, json.dumps(document))))
    assert code == 3
    main_account = doc["accounts"][0]
    assert main_account["ok"] is False and main_account["error"].startswith("[10004] ")
    assert SECRET not in json.dumps(doc) and SECRET not in err


def test_an_unreadable_rsa_key_fails_only_that_account(
    sim: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = accounts_document(sim)
    document["accounts"][2]["api_secret"] = SECRET  # type: ignore[index]   # Portfolio signs with RSA
    code, doc, err = report_json(capsys, "--accounts", str(write(tmp_path, json.dumps(document))))
    assert code == 3
    assert [a["ok"] for a in doc["accounts"]] == [True, True, False, True, True]
    assert "RSA private key" in doc["accounts"][2]["error"]
    assert SECRET not in json.dumps(doc) and SECRET not in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "report" in capsys.readouterr().out


def test_copytrade_is_reachable(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.copytrade import PRESETS

    preset = sorted(PRESETS)[0]
    assert main(["copytrade", "--preset", preset, "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), dict)
