"""The stress panel: pick one or several coins and their shocks (−50%…+50% each), see each account's
equity after them.

Recomputed instantly on the GUI thread from the latest update (the stress function is pure numpy on
data already fetched: no network), so dragging the slider answers at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.stress.chart import StressChart
from desktop_app.ui.stress.shock_row import ShockRow
from desktop_app.ui.tables.table_model import Column, RowTableModel
from desktop_app.ui.tables.table_view import FilterableTable


class StressFn(Protocol):
    """Stress an update without network (`desktop_app.service.stress_update`)."""

    def __call__(self, update: Any, shocks: Mapping[str, float], *, beta: bool) -> Any: ...



@dataclass(frozen=True, slots=True)
class StressRow:
    account: str
    equity_before_usd: float | None
    equity_after_usd: float | None
    pnl_usd: float | None
    mm_rate_after: float | None
    liquidated: bool
    liquidated_positions: tuple[str, ...]
    stale: bool = False  # stressed from the last good data: the account's last refresh failed


def stress_rows(result: Any, stale_ids: frozenset[str] = frozenset()) -> tuple[tuple[str, StressRow], ...]:
    """The panel's rows from a stress result (the only place that knows its shape); `stale_ids` are
    the accounts whose data is not from their last refresh."""
    rows = []
    for a in result.accounts:
        positions = tuple(f"{p.symbol} {p.side}" for p in a.liquidated_positions)
        rows.append((a.account_id, StressRow(
            account=a.name,
            equity_before_usd=fmt.as_float(a.equity_before_usd),
            equity_after_usd=fmt.as_float(a.equity_after_usd),
            pnl_usd=fmt.as_float(a.pnl_usd),
            mm_rate_after=fmt.as_float(a.mm_rate_after),
            liquidated=bool(a.liquidated),
            liquidated_positions=positions,
            stale=a.account_id in stale_ids,
        )))
    return tuple(rows)


def _outcome_text(row: StressRow) -> str:
    text = _liquidated_text(row)
    return tr("{outcome} (stale data)").format(outcome=text) if row.stale and text != "—" else text


def _outcome_tooltip(row: StressRow) -> str | None:
    parts = []
    if row.stale:
        parts.append(tr("From this account's last good data: its last refresh failed, so the outcome "
                        "may be out of date."))
    if row.liquidated_positions:
        parts.append(", ".join(row.liquidated_positions))
    return "\n".join(parts) or None


def _liquidated_text(row: StressRow) -> str:
    if row.liquidated:
        return tr("LIQUIDATED")
    if row.liquidated_positions:
        return tr("{n} position(s) liquidated").format(n=len(row.liquidated_positions))
    if row.equity_before_usd is None and row.pnl_usd is None:
        return "—"  # an account that never answered: nobody knows whether it survives
    return tr("survives")


def _outcome_severity(row: StressRow) -> fmt.Severity:
    if row.liquidated or row.liquidated_positions:
        return fmt.Severity.DANGER
    return fmt.Severity.NONE if _liquidated_text(row) == "—" else fmt.Severity.OK


class StressModel(RowTableModel[StressRow]):
    def __init__(self, parent: Any = None) -> None:
        danger = fmt.Severity.DANGER
        columns: list[Column[StressRow]] = [
            Column(tr("Account"), lambda r: r.account, bold=lambda r: r.liquidated),
            Column(tr("Equity after"), lambda r: fmt.usd(r.equity_after_usd),
                   sort=lambda r: r.equity_after_usd, numeric=True,
                   severity=lambda r: danger if r.liquidated else fmt.Severity.NONE),
            Column(tr("PnL"), lambda r: fmt.usd(r.pnl_usd, signed=True), sort=lambda r: r.pnl_usd,
                   numeric=True, severity=lambda r: fmt.pnl_severity(r.pnl_usd)),
            Column(tr("MM rate after"), lambda r: fmt.rate(r.mm_rate_after),
                   sort=lambda r: r.mm_rate_after, numeric=True,
                   severity=lambda r: fmt.mm_rate_severity(r.mm_rate_after)),
            Column(tr("Outcome"), _outcome_text,
                   sort=lambda r: (1000.0 if r.liquidated else 0.0) + len(r.liquidated_positions),
                   severity=_outcome_severity, tooltip=_outcome_tooltip, bold=lambda r: r.liquidated),
        ]
        # A stale account's outcome is greyed as its row in the Accounts table: not a current fact.
        super().__init__(columns, stale=lambda r: r.stale, parent=parent)


class StressPanel(QWidget):
    def __init__(self, stress_fn: StressFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stress_fn = stress_fn
        self._update: Any = None
        self._coins: list[str] = []
        self._fitted_rows = 0  # the row count the table's height was fitted to
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        self.shock_rows: list[ShockRow] = []
        first = self._add_row(removable=False)
        # The first row's controls, by their old names (one coin is the common case).
        self.coin_box, self.slider, self.spin = first.coin_box, first.slider, first.spin
        self.add_button = QPushButton(self.tr("+ Add a coin"), self)
        self.add_button.setToolTip(self.tr("Shock several coins at once, each by its own move"))
        self.add_button.clicked.connect(self.add_shock)
        self.beta_box = QCheckBox(self.tr("Other coins follow by beta"), self)
        self.beta_box.setToolTip(self.tr(
            "Coins you did not shock move with their beta to the shocked ones (from price history)."))
        self.beta_box.setChecked(True)
        self.summary = QLabel(self.tr("Waiting for data…"), self)
        self.summary.setWordWrap(True)
        self.model = StressModel(self)
        self.table = FilterableTable(self.model, placeholder=self.tr("Filter accounts…"), parent=self)
        self.chart = StressChart(self)
        splitter = self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        chart_box = QWidget(self)
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(0)
        self.chart_legend = QLabel(self.chart.legend_html(), chart_box)
        self.chart_legend.setObjectName("stressLegend")
        chart_layout.addWidget(self.chart_legend)
        chart_layout.addWidget(self.chart, 1)
        splitter.addWidget(chart_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        options = QHBoxLayout()
        options.addWidget(self.add_button)
        options.addStretch(1)
        options.addWidget(self.beta_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self.rows_box)
        layout.addLayout(options)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.beta_box.toggled.connect(self._on_control_changed)

    # --- inputs ------------------------------------------------------------------------------

    def _add_row(self, *, removable: bool) -> ShockRow:
        row = ShockRow(self, removable=removable)
        row.sig_changed.connect(self._on_control_changed)
        row.sig_remove.connect(self._remove_row)
        self.rows_box.addWidget(row)
        self.shock_rows.append(row)
        return row

    @Slot()
    def add_shock(self) -> ShockRow:
        """Another coin to shock: the largest exposure not shocked yet, at the same move as the first."""
        row = self._add_row(removable=True)
        taken = {r.coin_box.currentText() for r in self.shock_rows[:-1]}
        free = [c for c in self._coins if c not in taken]
        row.set_coins(self._coins, preferred=free[0] if free else None)
        row.spin.setValue(self.spin.value())
        self.add_button.setEnabled(len(self.shock_rows) < max(1, len(self._coins)))
        self.recompute()
        return row

    @Slot(QWidget)
    def _remove_row(self, row: QWidget) -> None:
        if row in self.shock_rows and row is not self.shock_rows[0]:
            self.shock_rows.remove(row)  # type: ignore[arg-type]
            row.deleteLater()
            self.add_button.setEnabled(True)
            self.recompute()

    @property
    def shock(self) -> float:
        """The first row's shock as a fraction (−0.1 for −10%)."""
        return self.shock_rows[0].shock

    def shocks(self) -> dict[str, float]:
        """Every shocked coin and its move (a coin chosen twice takes its last row's move)."""
        return {row.coin_box.currentText(): row.shock for row in self.shock_rows
                if row.coin_box.currentText()}

    def set_update(self, update: Any) -> None:
        """Take the latest update (coins may have changed) and recompute."""
        self._update = update
        # Largest gross exposure first: the coin whose move matters most is the default.
        self._coins = [e.coin for e in sorted(update.report.exposure, key=lambda e: -e.gross_usd)]
        for row in self.shock_rows:
            row.blockSignals(True)
            row.set_coins(self._coins)
            row.blockSignals(False)
        self.recompute()

    @Slot()
    def _on_control_changed(self) -> None:
        self.recompute()

    # --- output ------------------------------------------------------------------------------

    def _fit_table_height(self) -> None:
        """Every account's outcome in sight (up to 60% of the room); the chart takes the rest."""
        total = sum(self.splitter.sizes())
        if total > 0 and self._fitted_rows > 0:
            wanted = min(self.table.rows_height(self._fitted_rows), int(total * 0.6))
            self.splitter.setSizes([wanted, total - wanted])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().height() != event.oldSize().height():
            self._fit_table_height()

    def recompute(self) -> None:
        shocks = self.shocks()
        if self._update is None or not shocks:
            self.model.set_rows(())
            self.chart.show_accounts((), (), (), ())
            self.summary.setText(self.tr("No positions to stress.") if self._update is not None
                                 else self.tr("Waiting for data…"))
            return
        result = self._stress_fn(self._update, shocks, beta=self.beta_box.isChecked())
        stale = frozenset(a.account_id for a in self._update.snapshot.accounts if not a.ok)
        keyed = stress_rows(result, stale)
        rows = [row for _, row in keyed]
        self.model.set_rows(keyed)
        self.table.fit_columns()
        if len(rows) != self._fitted_rows:
            self._fitted_rows = len(rows)
            self._fit_table_height()
        self.chart.show_accounts([r.account for r in rows], [r.equity_before_usd for r in rows],
                                 [r.equity_after_usd for r in rows], [r.liquidated for r in rows])
        liquidated = tuple(result.liquidated_accounts)
        moves = ", ".join(f"{coin} {fmt.move(shock, signed=True)}" for coin, shock in shocks.items())
        text = self.tr("{moves}: total PnL {pnl}.").format(
            moves=moves, pnl=fmt.usd(fmt.as_float(result.total_pnl_usd), signed=True))
        if liquidated:
            text += " " + self.tr("Liquidated: {names}.").format(names=", ".join(liquidated))
            severity = fmt.Severity.DANGER
        else:
            text += " " + self.tr("No account is liquidated.")
            severity = fmt.Severity.OK
        fmt.set_label_text(self.summary, text)
        fmt.set_severity_style(self.summary, severity, bold=True)
