"""The Positions table: every position of every account, with its distance to liquidation."""

from __future__ import annotations

from typing import Any

from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.rows import PositionRow
from desktop_app.ui.tables.table_model import Column, RowTableModel


def _side_text(row: PositionRow) -> str:
    return tr("Long") if row.side == "long" else tr("Short") if row.side == "short" else row.side


def _side_severity(row: PositionRow) -> fmt.Severity:
    return fmt.Severity.OK if row.side == "long" else fmt.Severity.DANGER


def _category_text(row: PositionRow) -> str:
    names = {"linear": tr("Linear contract (settled in USDT or USDC)"),
             "inverse": tr("Inverse contract (settled in the coin)"),
             "option": tr("Option"), "spot": tr("Spot")}
    return names.get(row.category, row.category)


def _size_tooltip(row: PositionRow) -> str | None:
    if row.size_unit == "USD":
        return tr("Inverse contracts: the size is in USD (one contract is worth 1 USD).")
    return tr("The size in {coin}.").format(coin=row.size_unit)


def _distance_tooltip(row: PositionRow) -> str | None:
    if row.liq_price is None:
        return tr("Bybit gives no liquidation price for this position (portfolio margin or far away).")
    return None


POSITIONS_DISTANCE_COLUMN = 4  # "To liq.": the column to sort by, nearest liquidation first


class PositionsModel(RowTableModel[PositionRow]):
    def __init__(self, parent: Any = None) -> None:
        # The distance to liquidation, the sort column of a risk desk, comes right after what the
        # position is, so it stays in sight on a 1280-px screen in every language.
        columns: list[Column[PositionRow]] = [
            Column(tr("Account"), lambda r: r.account),
            Column(tr("Symbol"), lambda r: r.symbol, tooltip=_category_text),
            Column(tr("Side"), _side_text, severity=_side_severity),
            Column(tr("Size"), lambda r: f"{fmt.number(r.size)} {r.size_unit}", sort=lambda r: r.size,
                   numeric=True, tooltip=_size_tooltip),
            Column(tr("To liq."), lambda r: fmt.move(r.liq_distance),
                   # Unknown distance sorts as "far away", after every known one.
                   sort=lambda r: float("inf") if r.liq_distance is None else abs(r.liq_distance),
                   numeric=True, severity=lambda r: fmt.liq_distance_severity(r.liq_distance),
                   tooltip=_distance_tooltip,
                   bold=lambda r: fmt.liq_distance_severity(r.liq_distance) == fmt.Severity.DANGER),
            Column(tr("Liq. price"), lambda r: fmt.number(r.liq_price), sort=lambda r: r.liq_price,
                   numeric=True),
            Column(tr("Mark"), lambda r: fmt.number(r.mark_price), sort=lambda r: r.mark_price,
                   numeric=True),
            Column(tr("uPnL"), lambda r: fmt.usd(r.unrealised_pnl_usd, signed=True),
                   sort=lambda r: r.unrealised_pnl_usd, numeric=True,
                   severity=lambda r: fmt.pnl_severity(r.unrealised_pnl_usd)),
            Column(tr("Value"), lambda r: fmt.usd(r.value_usd), sort=lambda r: r.value_usd, numeric=True),
            Column(tr("Entry"), lambda r: fmt.number(r.entry_price), sort=lambda r: r.entry_price,
                   numeric=True),
            Column(tr("Leverage"), lambda r: "—" if r.leverage is None else f"{fmt.number(r.leverage)}×",
                   sort=lambda r: r.leverage, numeric=True),
            Column(tr("Margin"), lambda r: fmt.usd(r.im_usd), sort=lambda r: r.im_usd, numeric=True),
        ]
        super().__init__(columns, stale=lambda r: r.stale, parent=parent)
