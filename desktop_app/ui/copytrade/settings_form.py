"""The settings form of the copy-trading dialog: instrument, master and follower.

Spin boxes show percentages and USDT; `scenario()` turns what is displayed into exact Decimals
(the displayed digits, never the float behind the spin box).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.copytrade import (
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    QtyRules,
    Scenario,
    ScenarioError,
)
from desktop_app.copytrade.model import DEFAULT_MAX_POSITION_MARGIN_USDT, DEFAULT_TAKER_FEE
from desktop_app.domain.market import Side
from desktop_app.i18n import QT_TRANSLATE_NOOP


def _spin(minimum: float, maximum: float, decimals: int, suffix: str, step: float = 1.0) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setGroupSeparatorShown(True)
    spin.setKeyboardTracking(False)  # recompute when the user finishes typing, not per keystroke
    return spin


def _value(spin: QDoubleSpinBox) -> Decimal:
    return Decimal(f"{spin.value():.{spin.decimals()}f}")


def _set(spin: QDoubleSpinBox, value: Decimal) -> None:
    spin.setValue(float(value))


class SettingsPanel(QWidget):
    """Emits `sig_changed` whenever any setting changes."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.symbol = QLineEdit("BTCUSDT")
        self.side = QComboBox()
        self.side.addItem(self.tr("Long"), Side.LONG.value)
        self.side.addItem(self.tr("Short"), Side.SHORT.value)
        self.mode = QComboBox()
        self.mode.addItem(self.tr("Smart Copy (proportional)"), CopyMode.SMART.value)
        self.mode.addItem(self.tr("Advanced (fixed margin)"), CopyMode.ADVANCED.value)
        self.taker_fee_pct = _spin(0, 1, 4, " %", 0.005)
        self.qty_step = QLineEdit("0.001")
        self.min_qty = QLineEdit("0.001")
        # Money boxes take a minus sign: a negative amount typed is refused by the scenario's check
        # with a message naming the field, instead of the box silently turning it into 0.
        self.master_balance = _spin(-1e10, 1e10, 2, " USDT", 100)
        self.master_leverage = _spin(1, 200, 2, "x")
        self.follower_balance = _spin(-1e10, 1e10, 2, " USDT", 100)
        self.follower_leverage = _spin(1, 200, 2, "x")
        self.fixed_margin = _spin(-1e9, 1e9, 2, " USDT", 10)
        self.slippage_pct = _spin(0.1, 5, 2, " %", 0.1)
        self.max_position_margin = _spin(-1e10, 1e10, 2, " USDT", 1000)
        self.copyguard = QCheckBox(self.tr("Copyguard (skip orders at a worse price)"))

        instrument = QGroupBox(self.tr("Instrument"))
        form = QFormLayout(instrument)
        form.addRow(self.tr("Symbol"), self.symbol)
        form.addRow(self.tr("Side"), self.side)
        form.addRow(self.tr("Copy mode"), self.mode)
        form.addRow(self.tr("Taker fee"), self.taker_fee_pct)
        form.addRow(self.tr("Quantity step"), self.qty_step)
        form.addRow(self.tr("Minimum quantity"), self.min_qty)
        master = QGroupBox(self.tr("Master"))
        form = QFormLayout(master)
        form.addRow(self.tr("Available balance"), self.master_balance)
        form.addRow(self.tr("Leverage"), self.master_leverage)
        follower = QGroupBox(self.tr("Follower"))
        form = QFormLayout(follower)
        form.addRow(self.tr("Available balance"), self.follower_balance)
        form.addRow(self.tr("Leverage"), self.follower_leverage)
        form.addRow(self.tr("Fixed order margin"), self.fixed_margin)
        form.addRow(self.tr("Slippage tolerance"), self.slippage_pct)
        form.addRow(self.tr("Max position margin"), self.max_position_margin)
        form.addRow(self.copyguard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (instrument, master, follower):
            layout.addWidget(box)
        layout.addStretch(1)

        self.set_defaults()
        for edit in (self.symbol, self.qty_step, self.min_qty):
            edit.editingFinished.connect(self.sig_changed)
        for combo in (self.side, self.mode):
            combo.currentIndexChanged.connect(self._changed)
        for spin in (self.taker_fee_pct, self.master_balance, self.master_leverage, self.follower_balance,
                     self.follower_leverage, self.fixed_margin, self.slippage_pct, self.max_position_margin):
            spin.valueChanged.connect(self._changed)
        self.copyguard.toggled.connect(self._changed)

    def _changed(self, *_args: object) -> None:
        advanced = self.mode.currentData() == CopyMode.ADVANCED.value
        # Smart Copy uses the master's leverage and no fixed margin: grey out what does not apply.
        self.follower_leverage.setEnabled(advanced)
        self.fixed_margin.setEnabled(advanced)
        self.sig_changed.emit()

    def set_defaults(self) -> None:
        _set(self.taker_fee_pct, DEFAULT_TAKER_FEE * 100)
        _set(self.master_balance, Decimal(10_000))
        _set(self.master_leverage, Decimal(10))
        _set(self.follower_balance, Decimal(1_000))
        _set(self.follower_leverage, Decimal(10))
        _set(self.fixed_margin, Decimal(100))
        _set(self.slippage_pct, Decimal("0.1"))
        _set(self.max_position_margin, DEFAULT_MAX_POSITION_MARGIN_USDT)

    def load(self, s: Scenario) -> None:
        """Show a scenario's settings (its orders go to the orders table)."""
        widgets = (self.side, self.mode, self.taker_fee_pct, self.master_balance, self.master_leverage,
                   self.follower_balance, self.follower_leverage, self.fixed_margin, self.slippage_pct,
                   self.max_position_margin, self.copyguard)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.symbol.setText(s.symbol)
            self.side.setCurrentIndex(self.side.findData(s.side.value))
            self.mode.setCurrentIndex(self.mode.findData(s.mode.value))
            _set(self.taker_fee_pct, s.taker_fee * 100)
            self.qty_step.setText(str(s.rules.qty_step))
            self.min_qty.setText(str(s.rules.min_qty))
            _set(self.master_balance, s.master.available_balance_usdt)
            _set(self.master_leverage, s.master.leverage)
            f = s.follower
            _set(self.follower_balance, f.available_balance_usdt)
            _set(self.follower_leverage, f.leverage)
            _set(self.fixed_margin, f.fixed_margin_usdt or Decimal(100))
            _set(self.slippage_pct, f.slippage_tolerance * 100)
            _set(self.max_position_margin, f.max_position_margin_usdt)
            self.copyguard.setChecked(f.copyguard)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._changed()

    def scenario(self, orders: tuple[MasterOrder, ...]) -> Scenario:
        """The scenario the form describes. May raise: ScenarioError (a field that does not parse)."""
        def number(edit: QLineEdit, field: str) -> Decimal:
            try:
                return Decimal(edit.text().strip().replace(",", ""))
            except InvalidOperation:
                raise ScenarioError(field, QT_TRANSLATE_NOOP("copytrade", "is not a number")) from None

        mode = CopyMode(self.mode.currentData())
        return Scenario(
            symbol=self.symbol.text().strip().upper(),
            side=Side(self.side.currentData()),
            mode=mode,
            rules=QtyRules(number(self.qty_step, "qty_step"), number(self.min_qty, "min_qty")),
            master=MasterSettings(_value(self.master_balance), _value(self.master_leverage)),
            follower=FollowerSettings(
                available_balance_usdt=_value(self.follower_balance),
                leverage=_value(self.follower_leverage),
                fixed_margin_usdt=_value(self.fixed_margin) if mode is CopyMode.ADVANCED else None,
                slippage_tolerance=_value(self.slippage_pct) / 100,
                max_position_margin_usdt=_value(self.max_position_margin),
                copyguard=self.copyguard.isChecked(),
            ),
            orders=orders,
            taker_fee=_value(self.taker_fee_pct) / 100,
        )
