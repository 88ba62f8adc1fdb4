"""`riskdesk-cli copytrade` with files built to crash a parser or burn CPU: each ends with exit 2 and
one line naming the problem, within a second (the timeout marks a hang or a CPU burn as a failure;
before these checks, 1e-1000000 as a step cost 78 s and deep nesting a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.commands.copytrade import dumps_exact
from desktop_app.copytrade import PRESETS, scenario_to_dict
from desktop_app.storage.safe_json import JsonInputError, loads_bounded, nesting_depth

VALID = dumps_exact(scenario_to_dict(PRESETS["article-advanced"]))


def with_field(path: str, raw_json_value: str) -> str:
    """The valid scenario with one field replaced by raw JSON text (a number JSON writers refuse)."""
    document = json.loads(VALID)
    keys = path.split(".")
    target = document
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[keys[-1]] = "@@"
    return json.dumps(document).replace('"@@"', raw_json_value)


CASES: dict[str, tuple[bytes, str]] = {
    "200,000-deep nesting": (b'{"symbol": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
                             "nests arrays or objects 200001 deep; at most 32 are read"),
    "5,000-digit integer": (with_field("qty_step", "9" * 5000).encode(),
                            "the number 99999999999999999999… (5000 characters) is longer than 40 "),
    "5,000-digit fraction": (with_field("qty_step", "0." + "1" * 5000).encode(),
                             "(5002 characters) is longer than 40 characters"),
    "not UTF-8": (b'{"symbol": "BTC\xff\xfeUSDT"}', "is not UTF-8 text (byte 0xff at offset 15)"),
    "qty_step 1e-1000000": (with_field("qty_step", "1e-1000000").encode(),
                            "the number 1e-1000000 is out of range"),
    "qty_step as text": (with_field("qty_step", '"1e-1000000"').encode(),
                         "invalid scenario: qty_step: has more than 12 decimal places"),
    "quantity 1e999999": (with_field("orders.0.qty", "1e999999").encode(),
                          "the number 1e999999 is out of range"),
    "quantity as text": (with_field("orders.0.qty", '"1e999999"').encode(),
                         "invalid scenario: orders[0].qty: is out of range (at most 1,000,000,000,000 "),
    "NaN": (with_field("master.available_balance", "NaN").encode(), "NaN is not a number JSON allows"),
    "a balance of 1e13": (with_field("master.available_balance", "1e13").encode(),
                          "invalid scenario: master.available_balance: is out of range"),
    "two megabytes": (b'{"symbol": "' + b"x" * (2 * 1024 * 1024) + b'"}', "is larger than 1024 KB"),
    "unterminated escaped quotes": (b'{"symbol": "' + b'\\"' * 400_000, "is not valid JSON"),
}


@pytest.mark.timeout(5)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_file_exits_2_with_one_line(case: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    content, reason = CASES[case]
    path = tmp_path / "scenario.json"
    path.write_bytes(content)
    assert main(["copytrade", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("riskdesk-cli copytrade: ")
    assert reason in err
    assert len(err) < 300


def test_the_valid_scenario_the_cases_start_from_replays(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(with_field("qty_step", "0.0001"), encoding="utf-8")
    assert main(["copytrade", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["orders"]


@pytest.mark.parametrize(("text", "depth"), [
    ('{"a": [1, {"b": "]]]]"}]}', 3), ('"[[[["', 0), ('["\\"[", [[]]]', 3), ("", 0), ('"\\', 0),
])
def test_nesting_depth_ignores_brackets_inside_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_trailing_zeros_are_not_precision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = with_field("qty_step", "0.001000000000000000")  # 18 places, 15 of them zeros: 0.001
    assert str(loads_bounded(text, where="x")["qty_step"]) == "0.001000000000000000"  # type: ignore[index]
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    assert main(["copytrade", str(path)]) == 0
    path.write_text(with_field("qty_step", "0.0010000000000001"), encoding="utf-8")  # 16 real places
    assert main(["copytrade", str(path)]) == 2
    assert "qty_step: has more than 12 decimal places" in capsys.readouterr().err
    with pytest.raises(JsonInputError):
        loads_bounded("[Infinity]", where="x")
