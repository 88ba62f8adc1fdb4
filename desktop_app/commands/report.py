"""`riskdesk-cli report`: the risk report of every account, as JSON or a readable table."""

from __future__ import annotations

import argparse

from desktop_app.commands.accounts_source import add_accounts_arguments
from desktop_app.commands.runner import exit_status, fetch, load_accounts, money, percent, print_json, table
from desktop_app.risk import RiskReport, report_to_dict

REPORT_KEYS = ("accounts", "positions", "exposure", "hedges", "totals", "var", "first_liquidation")
ACCOUNT_KEYS = ("name", "ok", "error", "margin_mode", "equity_usd", "available_usd", "im_usd", "mm_usd",
                "im_rate", "mm_rate", "unrealised_pnl_usd")
POSITION_KEYS = ("account", "category", "symbol", "side", "size", "entry_price", "mark_price", "value_usd",
                 "leverage", "liq_price", "liq_distance", "unrealised_pnl_usd", "im_usd", "mm_usd")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_accounts_arguments(parser)


def report_document(report: RiskReport) -> dict[str, object]:
    """The documented JSON shape; extra engine fields (ids, scores) stay out of the public contract."""
    full = report_to_dict(report)
    var_keys = ("confidence", "horizon_days", "var_usd", "es_usd", "historical_var_usd")
    first = full["first_liquidation"]
    return {
        "accounts": [{k: a[k] for k in ACCOUNT_KEYS} for a in full["accounts"]],
        "positions": [{k: p[k] for k in POSITION_KEYS} for p in full["positions"]],
        "exposure": [{k: e[k] for k in ("coin", "long_usd", "short_usd", "net_usd", "gross_usd")}
                     for e in full["exposure"]],
        "hedges": [{k: h[k] for k in ("coin", "long_accounts", "short_accounts", "hedged_usd")}
                   for h in full["hedges"]],
        "totals": {k: full["totals"][k] for k in ("equity_usd", "unrealised_pnl_usd", "gross_exposure_usd",
                                                  "net_exposure_usd")},
        "var": [{k: v[k] for k in var_keys} for v in full["var"]],
        "first_liquidation": None if first is None else {k: first[k] for k in ("coin", "shock", "account")},
    }


def format_report(report: RiskReport) -> str:
    accounts = table(
        ["Account", "Status", "Mode", "Equity USD", "Available USD", "IM rate", "MM rate", "uPnL USD"],
        [[a.name, "ok" if a.ok else f"FAILED: {a.error}", a.margin_mode or "—", money(a.equity_usd),
          money(a.available_usd), percent(a.im_rate), percent(a.mm_rate), money(a.unrealised_pnl_usd)]
         for a in report.accounts],
    )
    positions = table(
        ["Account", "Symbol", "Side", "Size", "Value USD", "Entry", "Mark", "Liq", "To liq", "uPnL USD"],
        [[p.account, p.symbol, p.side, f"{p.size:g}", money(p.value_usd), money(p.entry_price),
          money(p.mark_price), money(p.liq_price), percent(p.liq_distance), money(p.unrealised_pnl_usd)]
         for p in report.positions],
    )
    exposure = table(
        ["Coin", "Long USD", "Short USD", "Net USD", "Gross USD"],
        [[e.coin, money(e.long_usd), money(e.short_usd), money(e.net_usd), money(e.gross_usd)]
         for e in report.exposure],
    )
    t = report.totals
    lines = [
        f"Total equity {money(t.equity_usd)} USD   uPnL {money(t.unrealised_pnl_usd)} USD   "
        f"net exposure {money(t.net_exposure_usd)} USD   gross {money(t.gross_exposure_usd)} USD",
    ]
    for v in report.var:
        lines.append(f"{v.horizon_days}-day VaR {v.confidence:.0%}: {money(v.var_usd)} USD "
                     f"(ES {money(v.es_usd)}, historical {money(v.historical_var_usd)})")
    first = report.first_liquidation
    lines.append(f"First liquidation: {first.headline if first else 'none within the searched range'}")
    return "\n\n".join(["\n".join(lines), accounts, positions, exposure])


def run(args: argparse.Namespace) -> int:
    accounts = load_accounts(args)
    if accounts is None:
        return 2
    update = fetch(accounts, args.deadline)
    if args.json:
        print_json(report_document(update.report))
    else:
        print(format_report(update.report))
    return exit_status(update)
