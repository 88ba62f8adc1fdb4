"""The Exposure table: long, short, net and gross USD per coin, coin collateral held in wallets, and
cross-account hedges marked."""

from __future__ import annotations

from typing import Any

from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.rows import ExposureRow
from desktop_app.ui.tables.table_model import Column, RowTableModel


def _hedged_text(row: ExposureRow) -> str:
    return fmt.usd(row.hedged_usd) if row.hedge_text else ""


def _hedge_tooltip(row: ExposureRow) -> str | None:
    if not row.hedge_text:
        return None
    return tr("Hedged {amount} between {accounts} (long ↔ short). Long in one account and short in another: "
              "the legs offset each other's price risk, but each account can still be liquidated on its "
              "own.").format(amount=fmt.usd(row.hedged_usd), accounts=row.hedge_text)


def _collateral_text(row: ExposureRow) -> str:
    return fmt.usd(row.collateral_usd) if row.collateral_usd else ""


def _collateral_tooltip(row: ExposureRow) -> str | None:
    if not row.collateral_usd:
        return None
    return tr("{coin} held in account wallets (for example the margin of inverse contracts). It is not "
               "a position, so it is not in Long, Short or Net, but its value moves with {coin}: the "
               "stress test and VaR include it.").format(coin=row.coin)


class ExposureModel(RowTableModel[ExposureRow]):
    def __init__(self, parent: Any = None) -> None:
        columns: list[Column[ExposureRow]] = [
            Column(tr("Coin"), lambda r: r.coin, bold=lambda r: bool(r.hedge_text)),
            Column(tr("Long"), lambda r: fmt.usd(r.long_usd), sort=lambda r: r.long_usd,
                   numeric=True),
            Column(tr("Short"), lambda r: fmt.usd(r.short_usd), sort=lambda r: r.short_usd,
                   numeric=True),
            Column(tr("Net"), lambda r: fmt.usd(r.net_usd, signed=True),
                   sort=lambda r: r.net_usd, numeric=True),
            Column(tr("Gross"), lambda r: fmt.usd(r.gross_usd), sort=lambda r: r.gross_usd,
                   numeric=True),
            Column(tr("Collateral"), _collateral_text, sort=lambda r: r.collateral_usd, numeric=True,
                   tooltip=_collateral_tooltip),
            # The hedge in two short columns (amount, then the accounts), so neither is cut off in a dock.
            Column(tr("Hedged"), _hedged_text, sort=lambda r: r.hedged_usd, numeric=True,
                   severity=lambda r: fmt.Severity.OK if r.hedge_text else fmt.Severity.NONE,
                   tooltip=_hedge_tooltip),
            Column(tr("Long ↔ short accounts"), lambda r: r.hedge_text,
                   severity=lambda r: fmt.Severity.OK if r.hedge_text else fmt.Severity.NONE,
                   tooltip=_hedge_tooltip),
        ]
        super().__init__(columns, stale=lambda r: r.stale, parent=parent)
