"""The Accounts table: status and data age, equity, available balance, IM/MM rate, uPnL, the smallest
move that liquidates the account, margin mode."""

from __future__ import annotations

from typing import Any

from desktop_app.alerts.text import one_line
from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.rows import AccountRow
from desktop_app.ui.tables.table_model import Column, RowTableModel


def status_text(row: AccountRow) -> str:
    """`OK · 3 s`, `Stale · 2 min: timeout` (last good data kept) or `Failed: invalid key` (there never
    was data): a failure says why in its row, not only later in the alert log."""
    reason = "" if row.error is None else one_line(row.error, 80)
    if row.ok:
        return tr("OK · {age}").format(age=fmt.age(row.age_s))
    if row.pending:  # a late answer: the last good figures, or none yet; never shown as fresh
        return tr("Waiting · {age}").format(age=fmt.age(row.age_s)) if row.has_data else tr("Waiting")
    if row.has_data:
        text = tr("Stale · {age}").format(age=fmt.age(row.age_s))
        return tr("{status}: {reason}").format(status=text, reason=reason) if reason else text
    return tr("Failed: {reason}").format(reason=reason) if reason else tr("Failed")


def liquidation_text(row: AccountRow) -> str:
    """The smallest single-coin move that liquidates the account: `BTC −12.3%`, or "none" within range."""
    if row.liquidation_move is None or row.liquidation_coin is None:
        return tr("none") if row.has_data else "—"
    return f"{row.liquidation_coin} {fmt.move(row.liquidation_move, signed=True)}"


def liquidation_tooltip(row: AccountRow) -> str | None:
    if row.liquidation_move is None or row.liquidation_coin is None:
        return tr("No move of one coin from −99% to +500% liquidates this account.") if row.has_data else None
    return tr("If {coin} moves {move} (the other coins following by beta), this account or one of its "
              "positions is liquidated. The smallest such move of any coin.").format(
        coin=row.liquidation_coin, move=fmt.move(row.liquidation_move, signed=True))


def _liquidation_severity(row: AccountRow) -> fmt.Severity:
    if row.liquidation_move is None:
        return fmt.Severity.NONE
    return fmt.shock_severity(row.liquidation_move)


def _liquidation_sort(row: AccountRow) -> float:
    # Nearest first when ascending; "none within range" after every known move.
    return float("inf") if row.liquidation_move is None else abs(row.liquidation_move)


def status_tooltip(row: AccountRow) -> str | None:
    if row.error is None:
        return None
    if row.pending:
        return tr("The exchange has not answered yet: {error}").format(error=row.error)
    return tr("Last refresh failed: {error}").format(error=row.error)


ACCOUNTS_STATUS_COLUMN = 1


def status_width_sample() -> str:
    """The widest status text the column should fit without resizing."""
    return tr("Stale · {age}").format(age="59 min")


def _status_severity(row: AccountRow) -> fmt.Severity:
    return fmt.Severity.OK if row.ok else fmt.Severity.WARN if row.pending else fmt.Severity.DANGER


class AccountsModel(RowTableModel[AccountRow]):
    def __init__(self, parent: Any = None) -> None:
        columns: list[Column[AccountRow]] = [
            Column(tr("Account"), lambda r: r.name),
            # Failed first when ascending, then stale, then fresh; older data before newer.
            Column(tr("Status"), status_text, sort=lambda r: (2.0 if r.ok else 1.0 if r.has_data else 0.0)
                   * 1e9 - (r.age_s or 0.0),
                   severity=_status_severity, tooltip=status_tooltip),
            Column(tr("Equity"), lambda r: fmt.usd(r.equity_usd), sort=lambda r: r.equity_usd, numeric=True),
            Column(tr("Available"), lambda r: fmt.usd(r.available_usd), sort=lambda r: r.available_usd,
                   numeric=True),
            Column(tr("IM rate"), lambda r: fmt.rate(r.im_rate), sort=lambda r: r.im_rate, numeric=True,
                   severity=lambda r: fmt.mm_rate_severity(r.im_rate)),
            Column(tr("MM rate"), lambda r: fmt.rate(r.mm_rate), sort=lambda r: r.mm_rate, numeric=True,
                   severity=lambda r: fmt.mm_rate_severity(r.mm_rate),
                   bold=lambda r: fmt.mm_rate_severity(r.mm_rate) >= fmt.Severity.WARN),
            Column(tr("uPnL"), lambda r: fmt.usd(r.unrealised_pnl_usd, signed=True),
                   sort=lambda r: r.unrealised_pnl_usd, numeric=True,
                   severity=lambda r: fmt.pnl_severity(r.unrealised_pnl_usd)),
            Column(tr("Liq. move"), liquidation_text, sort=_liquidation_sort, numeric=True,
                   severity=_liquidation_severity, tooltip=liquidation_tooltip,
                   bold=lambda r: _liquidation_severity(r) == fmt.Severity.DANGER),
            Column(tr("Margin mode"), lambda r: r.margin_mode),
        ]
        super().__init__(columns, stale=lambda r: r.stale, parent=parent)
