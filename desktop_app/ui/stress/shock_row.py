"""One row of the stress panel's shocks: a coin and its move, by slider or exact value."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QSlider, QToolButton, QWidget

MAX_SHOCK_PERCENT = 50
MIN_SLIDER_PX = 120  # room to aim at a tenth of the range


class ShockRow(QWidget):
    """One shocked coin: which coin, and its move from −50% to +50% (slider and exact value)."""

    sig_changed = Signal()
    sig_remove = Signal(QWidget)

    def __init__(self, parent: QWidget, *, removable: bool, percent: float = -10.0) -> None:
        super().__init__(parent)
        self.coin_box = QComboBox(self)
        self.coin_box.setMinimumContentsLength(5)
        self.coin_box.setToolTip(self.tr("The coin to shock"))
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(-MAX_SHOCK_PERCENT * 10, MAX_SHOCK_PERCENT * 10)  # tenths of a percent
        self.slider.setValue(round(percent * 10))
        self.slider.setTickInterval(100)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setMinimumWidth(MIN_SLIDER_PX)
        self.spin = QDoubleSpinBox(self)
        self.spin.setRange(-MAX_SHOCK_PERCENT, MAX_SHOCK_PERCENT)
        self.spin.setDecimals(1)
        self.spin.setSingleStep(0.5)
        self.spin.setSuffix(" %")
        self.spin.setValue(percent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.coin_box)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setToolTip(self.tr("Stop shocking this coin"))
        self.remove_button.setAutoRaise(True)
        self.remove_button.clicked.connect(self._on_remove)
        layout.addWidget(self.remove_button)
        self.remove_button.setVisible(removable)
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)
        self.coin_box.currentIndexChanged.connect(self.sig_changed)

    @property
    def shock(self) -> float:
        """The chosen move as a fraction (−0.1 for −10%)."""
        return round(self.spin.value(), 1) / 100.0

    def set_coins(self, coins: list[str], preferred: str | None = None) -> None:
        current = self.coin_box.currentText() or preferred or ""
        if coins == [self.coin_box.itemText(i) for i in range(self.coin_box.count())]:
            return
        self.coin_box.blockSignals(True)
        self.coin_box.clear()
        self.coin_box.addItems(coins)
        index = self.coin_box.findText(current)
        self.coin_box.setCurrentIndex(index if index >= 0 else (0 if coins else -1))
        self.coin_box.blockSignals(False)

    @Slot(int)
    def _on_slider(self, tenths: int) -> None:
        value = tenths / 10.0
        if abs(self.spin.value() - value) > 1e-9:
            self.spin.setValue(value)  # emits through _on_spin

    @Slot(float)
    def _on_spin(self, percent: float) -> None:
        tenths = round(percent * 10)
        if self.slider.value() != tenths:
            self.slider.blockSignals(True)
            self.slider.setValue(tenths)
            self.slider.blockSignals(False)
        self.sig_changed.emit()

    @Slot()
    def _on_remove(self) -> None:
        self.sig_remove.emit(self)
