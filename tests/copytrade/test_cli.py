"""`riskdesk-cli copytrade`: JSON with exact numbers, a readable table, exit 2 naming the field."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from desktop_app.commands import copytrade
from desktop_app.copytrade import PRESETS, scenario_to_dict


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    copytrade.add_arguments(parser)
    return copytrade.run(parser.parse_args(list(argv)))


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return str(path)


def test_json_output_for_the_missed_trades_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(write(tmp_path, scenario_to_dict(PRESETS["article-missed"])), "--json") == 0
    out = json.loads(capsys.readouterr().out, parse_float=D)
    orders = out["orders"]
    assert [o["time"] for o in orders] == ["A", "B", "C", "D"]
    assert [o["copied"] for o in orders] == [True, False, False, True]
    assert [o["reason"] for o in orders] == [None, "slippage", "copyguard", None]
    # corrected master averages: C (30,000 + 60,000 + 60,000) / 6 = 25,000; D 160,000 / 7 = 22,857.142857…
    assert orders[2]["master_avg_entry"] == D(25000)
    assert orders[3]["master_avg_entry"] == D("22857.14285714")
    assert orders[1]["follower_price"] is None and orders[1]["follower_qty"] == 0
    assert orders[3]["follower_avg_entry"] == D("16666.66666667")
    summary = out["summary"]
    assert (summary["master_qty"], summary["follower_qty"]) == (D(7), D("1.5"))
    assert summary["entry_gap"] == D("-27.0833")
    assert set(orders[0]) >= {"time", "master_qty", "master_price", "master_avg_entry", "copied", "reason",
                              "follower_qty", "follower_price", "follower_avg_entry", "explanation"}


def test_json_numbers_are_exact_decimal_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--preset", "article-advanced", "--json") == 0
    text = capsys.readouterr().out
    # 0.0988 as a float product would print 0.09880000000000001; the exact text must appear as a number
    assert '"follower_qty": 0.0988,' in text
    assert '"follower_avg_entry": 13333.33333333,' in text
    assert '"entry_gap": -20,' in text


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--preset", "article-missed") == 0
    out = capsys.readouterr().out
    assert "skipped: slippage" in out and "skipped: copyguard" in out
    assert "Entry gap: -27.08%" in out


def test_invalid_scenario_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = scenario_to_dict(PRESETS["article-advanced"])
    data["follower"]["slippage_tolerance"] = "0.2"
    assert run(write(tmp_path, data), "--json") == 2
    captured = capsys.readouterr()
    assert "follower.slippage_tolerance" in captured.err and captured.out == ""


def test_unreadable_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert run(str(bad)) == 2
    assert run(str(tmp_path / "missing.json")) == 2
    assert run() == 2  # neither a file nor --preset
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "cannot read" in err
