"""The stress panel: pick a coin and a shock (−50%…+50%), see each account's equity after it.

Recomputed instantly on the GUI thread from the latest update (the stress function is pure numpy on
data already fetched: no network), so dragging the slider answers at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import tr
from desktop_app.ui import format as fmt
from desktop_app.ui.stress.chart import StressChart
from desktop_app.ui.tables.table_model import Column, RowTableModel
from desktop_app.ui.tables.table_view import FilterableTable


class StressFn(Protocol):
    """Stress an update without network (`desktop_app.service.stress_update`)."""

    def __call__(self, update: Any, shocks: Mapping[str, float], *, beta: bool) -> Any: ...

MAX_SHOCK_PERCENT = 50


@dataclass(frozen=True, slots=True)
class StressRow:
    account: str
    equity_before_usd: float | None
    equity_after_usd: float | None
    pnl_usd: float | None
    mm_rate_after: float | None
    liquidated: bool
    liquidated_positions: tuple[str, ...]


def stress_rows(result: Any) -> tuple[tuple[str, StressRow], ...]:
    """The panel's rows from a stress result (the only place that knows its shape)."""
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
        )))
    return tuple(rows)


def _liquidated_text(row: StressRow) -> str:
    if row.liquidated:
        return tr("LIQUIDATED")
    if row.liquidated_positions:
        return tr("{n} position(s) liquidated").format(n=len(row.liquidated_positions))
    return tr("survives")


class StressModel(RowTableModel[StressRow]):
    def __init__(self, parent: Any = None) -> None:
        danger = fmt.Severity.DANGER
        columns: list[Column[StressRow]] = [
            Column(tr("Account"), lambda r: r.account, bold=lambda r: r.liquidated),
            Column(tr("Equity now"), lambda r: fmt.usd(r.equity_before_usd),
                   sort=lambda r: r.equity_before_usd, numeric=True),
            Column(tr("Equity after"), lambda r: fmt.usd(r.equity_after_usd),
                   sort=lambda r: r.equity_after_usd, numeric=True,
                   severity=lambda r: danger if r.liquidated else fmt.Severity.NONE),
            Column(tr("PnL"), lambda r: fmt.usd(r.pnl_usd, signed=True), sort=lambda r: r.pnl_usd,
                   numeric=True, severity=lambda r: fmt.pnl_severity(r.pnl_usd)),
            Column(tr("MM rate after"), lambda r: fmt.rate(r.mm_rate_after),
                   sort=lambda r: r.mm_rate_after, numeric=True,
                   severity=lambda r: fmt.mm_rate_severity(r.mm_rate_after)),
            Column(tr("Outcome"), _liquidated_text,
                   sort=lambda r: (1000.0 if r.liquidated else 0.0) + len(r.liquidated_positions),
                   severity=lambda r: danger if r.liquidated or r.liquidated_positions else fmt.Severity.OK,
                   tooltip=lambda r: ", ".join(r.liquidated_positions) or None,
                   bold=lambda r: r.liquidated),
        ]
        super().__init__(columns, parent=parent)


class StressPanel(QWidget):
    def __init__(self, stress_fn: StressFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stress_fn = stress_fn
        self._update: Any = None
        self.coin_box = QComboBox(self)
        self.coin_box.setMinimumContentsLength(6)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(-MAX_SHOCK_PERCENT * 10, MAX_SHOCK_PERCENT * 10)  # tenths of a percent
        self.slider.setValue(-100)
        self.slider.setTickInterval(100)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.spin = QDoubleSpinBox(self)
        self.spin.setRange(-MAX_SHOCK_PERCENT, MAX_SHOCK_PERCENT)
        self.spin.setDecimals(1)
        self.spin.setSingleStep(0.5)
        self.spin.setSuffix(" %")
        self.spin.setValue(-10.0)
        self.beta_box = QCheckBox(self.tr("Other coins follow by beta"), self)
        self.beta_box.setChecked(True)
        self.summary = QLabel(self.tr("Waiting for data…"), self)
        self.summary.setWordWrap(True)
        self.model = StressModel(self)
        self.table = FilterableTable(self.model, placeholder=self.tr("Filter accounts…"), parent=self)
        self.chart = StressChart(self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Coin"), self))
        controls.addWidget(self.coin_box)
        controls.addWidget(QLabel(self.tr("Shock"), self))
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.spin)
        controls.addWidget(self.beta_box)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)
        self.coin_box.currentIndexChanged.connect(self._on_control_changed)
        self.beta_box.toggled.connect(self._on_control_changed)

    # --- inputs ------------------------------------------------------------------------------

    @property
    def shock(self) -> float:
        """The chosen shock as a fraction (−0.1 for −10%)."""
        return round(self.spin.value(), 1) / 100.0

    def set_update(self, update: Any) -> None:
        """Take the latest update (coins may have changed) and recompute."""
        self._update = update
        # Largest gross exposure first: the coin whose move matters most is the default.
        coins = [e.coin for e in sorted(update.report.exposure, key=lambda e: -e.gross_usd)]
        current = self.coin_box.currentText()
        if coins != [self.coin_box.itemText(i) for i in range(self.coin_box.count())]:
            self.coin_box.blockSignals(True)
            self.coin_box.clear()
            self.coin_box.addItems(coins)
            index = self.coin_box.findText(current)
            self.coin_box.setCurrentIndex(index if index >= 0 else (0 if coins else -1))
            self.coin_box.blockSignals(False)
        self.recompute()

    @Slot(int)
    def _on_slider(self, tenths: int) -> None:
        value = tenths / 10.0
        if abs(self.spin.value() - value) > 1e-9:
            self.spin.setValue(value)  # recomputes through _on_spin

    @Slot(float)
    def _on_spin(self, percent: float) -> None:
        tenths = round(percent * 10)
        if self.slider.value() != tenths:
            self.slider.blockSignals(True)
            self.slider.setValue(tenths)
            self.slider.blockSignals(False)
        self.recompute()

    @Slot()
    def _on_control_changed(self) -> None:
        self.recompute()

    # --- output ------------------------------------------------------------------------------

    def recompute(self) -> None:
        coin = self.coin_box.currentText()
        if self._update is None or not coin:
            self.model.set_rows(())
            self.chart.show_accounts((), (), (), ())
            self.summary.setText(self.tr("No positions to stress.") if self._update is not None
                                 else self.tr("Waiting for data…"))
            return
        shock = self.shock
        result = self._stress_fn(self._update, {coin: shock}, beta=self.beta_box.isChecked())
        rows = [row for _, row in stress_rows(result)]
        self.model.set_rows(stress_rows(result))
        self.table.fit_columns()
        self.chart.show_accounts([r.account for r in rows], [r.equity_before_usd for r in rows],
                                 [r.equity_after_usd for r in rows], [r.liquidated for r in rows])
        liquidated = tuple(result.liquidated_accounts)
        text = self.tr("{coin} {shock}: total PnL {pnl}.").format(
            coin=coin, shock=fmt.move(shock, signed=True),
            pnl=fmt.usd(fmt.as_float(result.total_pnl_usd), signed=True))
        if liquidated:
            text += " " + self.tr("Liquidated: {names}.").format(names=", ".join(liquidated))
            severity = fmt.Severity.DANGER
        else:
            text += " " + self.tr("No account is liquidated.")
            severity = fmt.Severity.OK
        fmt.set_label_text(self.summary, text)
        fmt.set_severity_style(self.summary, severity, bold=True)
