"""CSV export of the journal: one row per account and a total row, the figures under the JSON names of
`riskdesk-cli journal`, numbers unformatted and exact (decimal text), unknown values as empty cells.
The per-symbol breakdown follows, one row per account and symbol. No Qt."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from desktop_app.domain.journal import JournalFigures
from desktop_app.journal_sync.report import JournalReport

SUMMARY_COLUMNS = ("account", "status", "as_of_utc_ms", "trades", "wins", "losses", "win_rate",
                   "profit_factor", "realised_pnl_usd", "funding_usd", "net_pnl_usd", "max_drawdown_usd",
                   "funding_next_24h_usd")
SYMBOL_COLUMNS = ("account", "symbol", "trades", "realised_pnl_usd")
TOTAL = "Total"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value)


def _figures(f: JournalFigures | None) -> list[object]:
    if f is None:
        return [None] * 10
    return [f.trades, f.wins, f.losses, f.win_rate, f.profit_factor, f.realised_pnl_usd, f.funding_usd,
            f.net_pnl_usd, f.max_drawdown_usd, f.funding_next_24h_usd]


def journal_csv(report: JournalReport) -> str:
    """The summary table, a blank line, then the per-symbol table (RFC 4180 line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUMMARY_COLUMNS)
    for a in report.accounts:
        status = "ok" if a.ok else ("failed: " + a.error if a.error else "cached")
        writer.writerow([_cell(v) for v in (a.name, status, a.as_of_ms, *_figures(a.figures))])
    # The report's one rule: the accounts with current figures; a failed account is listed failed above.
    total = report.total() if report.in_total else None
    writer.writerow([_cell(v) for v in (TOTAL, "", report.total_as_of_ms, *_figures(total))])
    writer.writerow([])
    writer.writerow(SYMBOL_COLUMNS)
    for a in report.accounts:
        for s in a.figures.by_symbol if a.figures is not None else ():
            writer.writerow([_cell(v) for v in (a.name, s.symbol, s.trades, s.realised_pnl_usd)])
    return buffer.getvalue()
