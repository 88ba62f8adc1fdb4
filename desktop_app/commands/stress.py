"""`riskdesk-cli stress --shock BTC=-0.15`: who loses what, and who is liquidated, if prices jump."""

from __future__ import annotations

import argparse

from desktop_app.commands.accounts_source import add_accounts_arguments
from desktop_app.commands.runner import (
    exit_status,
    fail,
    fetch,
    load_accounts,
    money,
    percent,
    print_json,
    table,
)
from desktop_app.risk import StressResult, stress_to_dict
from desktop_app.service import MAX_SHOCK, stress_update


def _shock(text: str) -> tuple[str, float]:
    coin, sep, value = text.partition("=")
    if not sep or not coin.strip():
        raise argparse.ArgumentTypeError(f"expected COIN=FRACTION (e.g. BTC=-0.15), got {text!r}")
    try:
        fraction = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"shock for {coin} is not a number: {value!r}") from None
    if not -1.0 < fraction <= MAX_SHOCK:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"shock for {coin.strip()} must be a fraction above -1 and at most {MAX_SHOCK:g} "
            f"(-0.15 is a 15% fall, 10 a rise to eleven times the price), not {value.strip()!r}")
    return coin.strip().upper(), fraction


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shock", action="append", type=_shock, required=True, metavar="COIN=FRACTION",
                        help="price move as a fraction, e.g. BTC=-0.15 (repeatable)")
    parser.add_argument("--no-beta", action="store_true",
                        help="move only the named coins (default: the others follow their beta)")
    add_accounts_arguments(parser)


def stress_document(result: StressResult) -> dict[str, object]:
    full = stress_to_dict(result)
    first = full["first_liquidation"]
    keys = ("name", "equity_before_usd", "equity_after_usd", "pnl_usd", "mm_rate_after", "liquidated")
    return {
        "shocks": full["shocks"],
        "accounts": [{**{k: a[k] for k in keys},
                      "liquidated_positions": [{"symbol": p["symbol"], "side": p["side"]}
                                               for p in a["liquidated_positions"]]}
                     for a in full["accounts"]],
        "total_pnl_usd": full["total_pnl_usd"],
        "liquidated_accounts": full["liquidated_accounts"],
        "first_liquidation": None if first is None else {k: first[k] for k in ("coin", "shock", "account")},
    }


def format_stress(result: StressResult) -> str:
    shocks = ", ".join(f"{coin} {shock:+.1%}" for coin, shock in result.shocks)
    rows = [[a.name, money(a.equity_before_usd), money(a.equity_after_usd), money(a.pnl_usd),
             percent(a.mm_rate_after), "LIQUIDATED" if a.liquidated else
             (", ".join(f"{p.symbol} {p.side}" for p in a.liquidated_positions) or "—")]
            for a in result.accounts]
    body = table(["Account", "Equity before", "Equity after", "PnL USD", "MM rate after", "Liquidated"], rows)
    first = result.first_liquidation
    return "\n".join([
        f"Shock: {shocks}",
        body,
        f"Total PnL {money(result.total_pnl_usd)} USD; liquidated accounts: "
        f"{', '.join(result.liquidated_accounts) or 'none'}",
        f"First liquidation: {first.headline if first else 'none within the searched range'}",
    ])


def run(args: argparse.Namespace) -> int:
    accounts = load_accounts(args)
    if accounts is None:
        return 2
    shocks = dict(args.shock)
    if len(shocks) != len(args.shock):
        return fail("each coin may be shocked only once")
    update = fetch(accounts, args.deadline)
    result = stress_update(update, shocks, beta=not args.no_beta)
    if args.json:
        print_json(stress_document(result))
    else:
        print(format_stress(result))
    return exit_status(update)
