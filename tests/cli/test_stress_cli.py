"""`riskdesk-cli stress` end to end against the simulator, and `simulate` reached through the CLI."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import COMMANDS, build_parser, main
from desktop_app.exchange_sim import Simulator

ACCOUNT_KEYS = {"name", "equity_before_usd", "equity_after_usd", "pnl_usd", "mm_rate_after", "liquidated",
                "liquidated_positions"}


def stress_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["stress", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_stress_json_keys_and_figures(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = stress_json(capsys, "--shock", "BTC=-0.15", "--accounts", str(accounts_file))
    assert code == 0
    assert set(doc) == {"shocks", "accounts", "total_pnl_usd", "liquidated_accounts", "first_liquidation"}
    assert doc["shocks"] == {"BTC": -0.15}
    assert [a["name"] for a in doc["accounts"]] == ["Main", "Isolated", "Portfolio", "Classic", "Hedge"]
    for account in doc["accounts"]:
        assert set(account) == ACCOUNT_KEYS
        assert all(set(p) == {"symbol", "side"} for p in account["liquidated_positions"])
        assert account["equity_after_usd"] == pytest.approx(account["equity_before_usd"] + account["pnl_usd"])
    assert doc["total_pnl_usd"] == pytest.approx(sum(a["pnl_usd"] for a in doc["accounts"]))
    assert doc["liquidated_accounts"] == [a["name"] for a in doc["accounts"] if a["liquidated"]]
    first = doc["first_liquidation"]
    assert first is None or set(first) == {"coin", "shock", "account"}


def test_no_beta_moves_only_the_named_coin(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, with_beta = stress_json(capsys, "--shock", "BTC=-0.15", "--accounts", str(accounts_file))
    code, alone = stress_json(capsys, "--shock", "BTC=-0.15", "--no-beta", "--accounts", str(accounts_file))
    assert code == 0
    hedge = {a["name"]: a for a in alone["accounts"]}["Hedge"]
    # Hedge: 2.5 BTC long; ETH stays put without beta, so PnL = 2.5 × BTC mark × −0.15.
    btc = float(sim.mark_price("BTCUSDT"))
    assert hedge["pnl_usd"] == pytest.approx(2.5 * btc * -0.15, rel=1e-9)
    # Isolated: 0.5 BTC long alone moves without beta; with beta its ETH, SOL and AVAX legs move too.
    isolated_alone = {a["name"]: a for a in alone["accounts"]}["Isolated"]["pnl_usd"]
    isolated_beta = {a["name"]: a for a in with_beta["accounts"]}["Isolated"]["pnl_usd"]
    assert isolated_alone == pytest.approx(0.5 * btc * -0.15, rel=1e-9)   # 0.5 BTC long
    assert isolated_beta != pytest.approx(isolated_alone)


def test_stress_with_a_failing_account_exits_3(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim.faults.fail(sim.account("Hedge").uid)
    code, doc = stress_json(capsys, "--shock", "ETH=0.1", "--accounts", str(accounts_file))
    assert code == 3
    assert "Hedge" in [a["name"] for a in doc["accounts"]]


@pytest.mark.parametrize("shock", ["BTC", "BTC=", "=-0.1", "BTC=abc", "BTC=-1", "BTC=-1.5", "BTC=nan",
                                   "BTC=inf", "BTC=-inf", "BTC=1e308", "BTC=10.001", "BTC=1e-400x"])
def test_bad_shock_exits_2(accounts_file: Path, capsys: pytest.CaptureFixture[str], shock: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["stress", "--shock", shock, "--accounts", str(accounts_file)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--shock" in err


def test_missing_shock_exits_2(accounts_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["stress", "--accounts", str(accounts_file)])
    assert caught.value.code == 2 and "--shock" in capsys.readouterr().err


def test_a_coin_shocked_twice_exits_2(accounts_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["stress", "--shock", "BTC=-0.1", "--shock", "btc=-0.2", "--accounts", str(accounts_file)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "only once" in captured.err


def test_readable_stress_prints(accounts_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["stress", "--shock", "BTC=-0.15", "--shock", "ETH=-0.2", "--accounts", str(accounts_file)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("Shock: BTC -15.0%, ETH -20.0%\n")
    assert "Total PnL " in out and "First liquidation:" in out
    for name in ("Main", "Isolated", "Portfolio", "Classic", "Hedge"):
        assert f"\n{name} " in out


def test_simulate_is_reachable_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "--accounts", "2", "--latency-ms", "5", "--port", "0"]
    args = build_parser(argv).parse_args(argv)
    module = __import__(COMMANDS["simulate"][0], fromlist=["run"])
    stop = threading.Event()
    stop.set()   # serve, print the banner, stop at once
    assert module.run(args, stop=stop) == 0
    out = capsys.readouterr().out
    assert "listening on http://127.0.0.1:" in out and "  Main " in out and "  Isolated " in out
    # And main() dispatches to it: a bad option value comes back as exit status 2.
    assert main(["simulate", "--error-rate-5xx", "2"]) == 2


def test_the_largest_shock_gives_finite_figures(
    sim: Simulator, accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # +1000% (eleven times the price) is the largest shock taken; every figure stays a number.
    code, doc = stress_json(capsys, "--shock", "BTC=10", "--accounts", str(accounts_file))
    assert code == 0 and doc["shocks"] == {"BTC": 10.0}
    for account in doc["accounts"]:
        for key in ("equity_before_usd", "equity_after_usd", "pnl_usd"):
            assert isinstance(account[key], float) and abs(account[key]) < 1e12
    hedge = {a["name"]: a for a in doc["accounts"]}["Hedge"]
    btc = float(sim.mark_price("BTCUSDT"))
    # Hedge holds 2.5 BTC long; with beta its 15 ETH move too, so check BTC's part alone.
    _, alone = stress_json(capsys, "--shock", "BTC=10", "--no-beta", "--accounts", str(accounts_file))
    assert {a["name"]: a for a in alone["accounts"]}["Hedge"]["pnl_usd"] == pytest.approx(2.5 * btc * 10)
    assert hedge["pnl_usd"] > 0
