"""The Journal tab's tables: figures per account with a total row, and realised PnL per symbol."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from desktop_app.domain.journal import JournalFigures, SymbolFigures
from desktop_app.i18n import tr
from desktop_app.i18n.figures import localise
from desktop_app.journal_sync import AccountJournal, JournalReport
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.table_model import Column, RowTableModel

TOTAL_KEY = "\uffff total"  # sorts after every account id


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class JournalRow:
    name: str
    status: str
    tooltip: str | None
    stale: bool
    total: bool
    figures: JournalFigures | None


def _clock(ms: int | None) -> str:
    return "—" if ms is None else fmt.date_time(ms / 1000, seconds=False)


def account_row(account: AccountJournal) -> JournalRow:
    if account.ok:
        return JournalRow(account.name, tr("Synced"), None, False, False, account.figures)
    if account.figures is not None:
        status = tr("Cached, as of {time}").format(time=_clock(account.as_of_ms))
    elif account.error is not None:
        status = tr("Failed")
    else:
        status = tr("Not synced yet")
    tooltip = None if account.error is None else \
        tr("The last sync failed: {error}").format(error=account.error)
    return JournalRow(account.name, status, tooltip, True, False, account.figures)


def journal_rows(report: JournalReport, total: JournalFigures | None = None) -> list[tuple[str, JournalRow]]:
    """The accounts' rows and the total's; `total` is `report.total()` when already computed (None when
    no account is in the total)."""
    rows = [(a.account_id, account_row(a)) for a in report.accounts]
    stale = sum(1 for a in report.in_total if not a.fresh)  # cached figures the total adds up
    status = tr("{count} cached").format(count=stale) if stale else ""
    if total is None and report.in_total:  # not computed yet (a test, the CLI's caller): here
        total = report.total()
    # No account in the total: no total row figures, not zeros.
    rows.append((TOTAL_KEY, JournalRow(tr("Total"), status, None, False, True, total)))
    return rows


def _ratio(value: Decimal | None) -> str:
    """A profit factor, always with two decimals, in the language's number style."""
    return "—" if value is None else localise(f"{float(value):,.2f}")


def _figure(row: JournalRow, name: str) -> Any:
    return None if row.figures is None else getattr(row.figures, name)


def _money_column(title: str, name: str, *, signed: bool = True, coloured: bool = True) -> Column[JournalRow]:
    return Column(title, lambda r: fmt.usd(_f(_figure(r, name)), signed=signed),
                  sort=lambda r: _f(_figure(r, name)), numeric=True,
                  severity=(lambda r: fmt.pnl_severity(_f(_figure(r, name)))) if coloured else None,
                  bold=lambda r: r.total)


def _count_column(title: str, name: str) -> Column[JournalRow]:
    return Column(title, lambda r: "—" if r.figures is None else str(getattr(r.figures, name)),
                  sort=lambda r: _figure(r, name), numeric=True, bold=lambda r: r.total)


class JournalTableModel(RowTableModel[JournalRow]):
    def __init__(self, parent: Any = None) -> None:
        columns: list[Column[JournalRow]] = [
            Column(tr("Account"), lambda r: r.name, bold=lambda r: r.total),
            Column(tr("Status"), lambda r: r.status, tooltip=lambda r: r.tooltip),
            _count_column(tr("Trades"), "trades"),
            _count_column(tr("Wins"), "wins"),
            _count_column(tr("Losses"), "losses"),
            Column(tr("Win rate"), lambda r: fmt.move(_f(_figure(r, "win_rate"))),
                   sort=lambda r: _f(_figure(r, "win_rate")), numeric=True, bold=lambda r: r.total),
            Column(tr("Profit factor"), lambda r: _ratio(_figure(r, "profit_factor")),
                   sort=lambda r: _f(_figure(r, "profit_factor")), numeric=True, bold=lambda r: r.total),
            _money_column(tr("Realised PnL"), "realised_pnl_usd"),
            _money_column(tr("Funding"), "funding_usd"),
            _money_column(tr("Net PnL"), "net_pnl_usd"),
            _money_column(tr("Max drawdown"), "max_drawdown_usd", signed=False, coloured=False),
            _money_column(tr("Funding next 24 h"), "funding_next_24h_usd"),
        ]
        super().__init__(columns, stale=lambda r: r.stale, parent=parent)


class SymbolTableModel(RowTableModel[SymbolFigures]):
    def __init__(self, parent: Any = None) -> None:
        columns: list[Column[SymbolFigures]] = [
            Column(tr("Symbol"), lambda s: s.symbol),
            Column(tr("Trades"), lambda s: str(s.trades), sort=lambda s: float(s.trades), numeric=True),
            Column(tr("Realised PnL"), lambda s: fmt.usd(float(s.realised_pnl_usd), signed=True),
                   sort=lambda s: float(s.realised_pnl_usd), numeric=True,
                   severity=lambda s: fmt.pnl_severity(float(s.realised_pnl_usd))),
        ]
        super().__init__(columns, parent=parent)
