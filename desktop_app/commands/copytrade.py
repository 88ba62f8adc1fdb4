"""`riskdesk-cli copytrade SCENARIO.json [--json]`: replay a master's orders on a follower's settings.

Exit status: 0 on success, 2 when the scenario cannot be read or is invalid (the message names the
field at fault, e.g. `follower.slippage_tolerance`). A file built to crash a parser (deep nesting,
endless numbers, bytes that are not UTF-8, absurd magnitudes) is one of those: one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop_app.copytrade import PRESETS, Replay, ScenarioError, replay, scenario_from_dict
from desktop_app.copytrade.explain import fmt, fmt_price
from desktop_app.storage.safe_json import JsonInputError, load_json_file

EXIT_OK = 0
EXIT_INVALID = 2

# Decimals travel through json.dumps as marked strings and are then unquoted, so the output holds
# the exact decimal text as a JSON number (a float would turn 0.0988 into 0.09880000000000001).
_MARK = "\u0000dec:"
_MARKED = re.compile(r'"\\u0000dec:(-?[0-9]+(?:\.[0-9]+)?)"')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the subcommand's arguments to `parser`."""
    parser.add_argument("scenario", nargs="?", type=Path, help="scenario JSON file")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="replay a built-in example instead")
    parser.add_argument("--json", action="store_true", help="print the replay as JSON")


def _mark(value: Any) -> Any:
    if isinstance(value, Decimal):
        # normalize() drops the trailing zeros of quantized values (10000.00000000 -> 10000).
        return f"{_MARK}{value.normalize():f}"
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark(v) for v in value]
    return value


def dumps_exact(value: Any) -> str:
    """JSON text with every Decimal written as an exact JSON number."""
    return _MARKED.sub(r"\1", json.dumps(_mark(value), indent=2, ensure_ascii=False))


def replay_to_dict(result: Replay) -> dict[str, Any]:
    """The `--json` document: `orders` (one entry per master order) and `summary`."""
    orders = [
        {
            "time": r.order.time,
            "action": r.order.action.value,
            "master_qty": r.order.qty,
            "master_price": r.order.price,
            "master_avg_entry": r.master_avg_entry,
            "copied": r.copied,
            "reason": None if r.reason is None else r.reason.value,
            "follower_qty": r.follower_qty,
            "follower_price": r.follower_price,
            "follower_avg_entry": r.follower_avg_entry,
            "explanation": r.explanation,
            "master_qty_held": r.master_qty_held,
            "follower_qty_held": r.follower_qty_held,
            "follower_cost": r.follower_cost_usdt,
            "follower_balance": r.follower_balance_usdt,
            "realised_pnl": r.realised_pnl_usdt,
        }
        for r in result.results
    ]
    s = result.summary
    summary = {
        "master_qty": s.master_qty,
        "follower_qty": s.follower_qty,
        "master_avg_entry": s.master_avg_entry,
        "follower_avg_entry": s.follower_avg_entry,
        "entry_gap": s.entry_gap_pct,
        "causes": [
            {"code": c.code, "orders": c.orders, "master_notional": c.master_notional_usdt,
             "explanation": c.explanation}
            for c in s.causes
        ],
    }
    return {"orders": orders, "summary": summary}


def format_table(result: Replay) -> str:
    """A plain-text table, then one explanation per order, then the summary."""
    header = ("time", "action", "master qty", "price", "master avg", "status", "follower qty", "price",
              "follower avg")
    rows = [header]
    for r in result.results:
        status = "copied" if r.copied else f"skipped: {r.reason.value if r.reason else ''}"
        rows.append((str(r.order.time), r.order.action.value, fmt(r.order.qty), fmt_price(r.order.price),
                     fmt_price(r.master_avg_entry), status, fmt(r.follower_qty) if r.copied else "-",
                     fmt_price(r.follower_price) if r.copied else "-", fmt_price(r.follower_avg_entry)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines += [f"{r.order.time}: {r.explanation}" for r in result.results]
    s = result.summary
    gap = "-" if s.entry_gap_pct is None else f"{fmt(s.entry_gap_pct, 2)}%"
    lines += [
        "",
        f"Master:   {fmt(s.master_qty)} {result.scenario.base_coin} at {fmt_price(s.master_avg_entry)}",
        f"Follower: {fmt(s.follower_qty)} {result.scenario.base_coin} at {fmt_price(s.follower_avg_entry)}",
        f"Entry gap: {gap}",
    ]
    if s.causes:
        lines.append("Causes, largest first:")
        lines += [f"  {i}. {c.explanation}" for i, c in enumerate(s.causes, 1)]
    return "\n".join(lines)


def _fail(message: str) -> int:
    print(f"riskdesk-cli copytrade: {message}", file=sys.stderr)
    return EXIT_INVALID


def run(args: argparse.Namespace) -> int:
    """Replay the scenario and print it. Returns the exit status (2 on an invalid scenario)."""
    if (args.scenario is None) == (args.preset is None):
        return _fail("give either a SCENARIO file or --preset")
    try:
        if args.preset is not None:
            result = replay(PRESETS[args.preset])
        else:
            try:
                data = load_json_file(args.scenario)
            except OSError as exc:
                return _fail(f"cannot read {args.scenario}: {exc.strerror or exc}")
            except JsonInputError as exc:
                return _fail(str(exc))
            result = replay(scenario_from_dict(data))
    except ScenarioError as exc:
        return _fail(f"invalid scenario: {exc.field}: {exc.message}")
    print(dumps_exact(replay_to_dict(result)) if args.json else format_table(result))
    return EXIT_OK
