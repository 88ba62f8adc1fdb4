"""The copy-trading calculator dialog: settings, the master's orders, and what the follower gets.

Every edit replays the whole scenario (it is pure and takes well under a millisecond per order);
a zero-delay timer coalesces a burst of edits, such as loading a preset, into one replay.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication, QItemSelection, QSize, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.copytrade import PRESETS, Replay, ScenarioError, replay
from desktop_app.copytrade.explain import fmt, fmt_price
from desktop_app.i18n import figures, translate
from desktop_app.ui.copytrade.chart import AverageEntryChart
from desktop_app.ui.copytrade.models import ActionDelegate, OrdersModel
from desktop_app.ui.copytrade.results import (
    ResultsModel,
    translate_template,
    translated_explanation,
)
from desktop_app.ui.copytrade.settings_form import SettingsPanel


def _preset_titles() -> dict[str, str]:
    translate = QCoreApplication.translate
    return {
        "article-advanced": translate("CopyTradeDialog", "Article: Advanced mode, 100 USDT per order"),
        "article-missed": translate("CopyTradeDialog", "Article: missed copy trades (Smart Copy)"),
    }


PREFERRED_SIZE = QSize(1360, 860)  # every explanation of a preset's orders in sight
# The window manager's frame and title bar, outside the size a dialog is given.
FRAME_ALLOWANCE = QSize(16, 48)


def dialog_size(available: QSize) -> QSize:
    """The first size: the preferred one, never larger than the screen's free area (a 1280×720
    laptop gets 1264×672, with Close and the chart in sight)."""
    return QSize(min(PREFERRED_SIZE.width(), available.width() - FRAME_ALLOWANCE.width()),
                 min(PREFERRED_SIZE.height(), available.height() - FRAME_ALLOWANCE.height()))


def _table(model: object, *, editable: bool, fit_contents: bool = False) -> QTableView:
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    # Every column shares the width; with `fit_contents` each fits its text and the spare width stays
    # empty at the right: a stretched column would be squeezed to nothing where the width is short
    # (a reason read "Sl…") or push the numbers far apart where it is ample.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents if fit_contents
                                else QHeaderView.ResizeMode.Stretch)
    if not editable:
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class CopyTradeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Copy-trading calculator"))
        self.last_replay: Replay | None = None
        self.settings = SettingsPanel()
        self.orders_model = OrdersModel(self)
        self.results_model = ResultsModel(self)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.recompute)

        self.preset = QComboBox()
        self.preset.addItem(self.tr("Load a preset…"), "")
        for key, title in _preset_titles().items():
            self.preset.addItem(title, key)
        self.preset.activated.connect(self._preset_chosen)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.preset)
        left_layout.addWidget(self.settings)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(left.sizeHint().width() + 24)

        self.orders_view = _table(self.orders_model, editable=True)
        self.orders_view.setItemDelegateForColumn(1, ActionDelegate(self.orders_view))
        add, remove = QPushButton(self.tr("Add order")), QPushButton(self.tr("Remove order"))
        add.clicked.connect(self.add_order)
        remove.clicked.connect(self.remove_order)
        orders_box = QGroupBox(self.tr("Master's orders (in time order; double-click to edit)"))
        orders_layout = QVBoxLayout(orders_box)
        orders_layout.addWidget(self.orders_view)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        orders_layout.addLayout(buttons)

        self.results_view = _table(self.results_model, editable=False, fit_contents=True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e0464b;")
        self.error.hide()
        results_box = QGroupBox(self.tr("What the follower gets"))
        results_layout = QVBoxLayout(results_box)
        results_layout.addWidget(self.error)
        results_layout.addWidget(self.results_view)

        self.explanation = QTextBrowser()
        self.explanation.setOpenLinks(False)
        self.chart = AverageEntryChart()
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.explanation)
        bottom.addWidget(self.chart.with_legend())
        bottom.setSizes([480, 520])
        right = QSplitter(Qt.Orientation.Vertical)
        for widget in (orders_box, results_box, bottom):
            right.addWidget(widget)
        right.setSizes([240, 240, 340])

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(scroll)
        body.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self.resize(dialog_size(self.screen().availableGeometry().size()))

        self.orders_model.sig_rejected.connect(self.show_problem)
        self.settings.sig_changed.connect(self.schedule)
        for signal in (self.orders_model.dataChanged, self.orders_model.rowsInserted,
                       self.orders_model.rowsRemoved, self.orders_model.modelReset):
            signal.connect(self.schedule)
        self.results_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.load_preset("article-advanced")

    # --- inputs ------------------------------------------------------------------------------

    def load_preset(self, key: str) -> None:
        """Load one of `PRESETS` into the form and the orders table, and replay it."""
        scenario = PRESETS[key]
        self.settings.load(scenario)
        self.orders_model.set_orders(scenario.orders)
        self.preset.setCurrentIndex(self.preset.findData(key))
        self.recompute()

    @Slot(int)
    def _preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key:
            self.load_preset(key)

    @Slot()
    def add_order(self) -> None:
        self.orders_model.insertRows(self.orders_model.rowCount(), 1)

    @Slot()
    def remove_order(self) -> None:
        rows = self.orders_view.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.orders_model.rowCount() - 1
        if row >= 0:
            self.orders_model.removeRows(row, 1)

    @Slot()
    def schedule(self) -> None:
        self._timer.start()

    @Slot(str)
    def show_problem(self, text: str) -> None:
        """An edit was refused: say why (the next successful replay hides it)."""
        self.error.setText(text)
        self.error.show()

    # --- replay ------------------------------------------------------------------------------

    @Slot()
    def recompute(self) -> None:
        """Replay the current inputs; an invalid input is shown with its field, results are cleared."""
        self._timer.stop()
        try:
            result = replay(self.settings.scenario(self.orders_model.orders()))
        except ScenarioError as exc:
            self.last_replay = None
            self.error.setText(self.tr("Invalid input: {field}: {message}").format(
                field=self.field_label(exc.field), message=translate("copytrade", exc.message)))
            self.error.show()
            self.results_model.set_results(())
            self.chart.set_results(())
            self.explanation.clear()
            return
        self.last_replay = result
        self.error.hide()
        self.results_model.set_results(result.results)
        self.chart.set_results(result.results)
        self._show_explanation(self._selected_row())

    def field_label(self, field: str) -> str:
        """The form's name for a scenario field ("min_qty" -> "Minimum quantity", "orders[2].price" ->
        "Order C: Master price"), never the internal name."""
        labels = {
            "symbol": self.tr("Symbol"), "taker_fee": self.tr("Taker fee"),
            "qty_step": self.tr("Quantity step"), "min_qty": self.tr("Minimum quantity"),
            "master.available_balance": self.tr("Master's balance"),
            "follower.available_balance": self.tr("Follower's balance"),
            "master.leverage": self.tr("Master's leverage"),
            "follower.leverage": self.tr("Follower's leverage"),
            "follower.fixed_margin": self.tr("Fixed order margin"),
            "follower.slippage_tolerance": self.tr("Slippage tolerance"),
            "follower.max_position_margin": self.tr("Max position margin"),
        }
        if field in labels:
            return labels[field]
        order = re.fullmatch(r"orders\[(\d+)\]\.(\w+)", field)
        if order is None:
            return field
        index, name = int(order.group(1)), order.group(2)
        orders = self.orders_model.orders()
        label = str(orders[index].time) if index < len(orders) else str(index + 1)
        columns = {"qty": self.tr("Master qty"), "price": self.tr("Master price"),
                   "follower_price": self.tr("Follower price"), "time": self.tr("Order")}
        return self.tr("Order {label}: {column}").format(label=label, column=columns.get(name, name))

    def _selected_row(self) -> int | None:
        rows = self.results_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_explanation(self._selected_row())

    def _show_explanation(self, selected: int | None) -> None:
        result = self.last_replay
        if result is None:
            return
        s, coin = result.summary, result.scenario.base_coin
        # A move, as the window writes one: "−27.1%" (real minus, one decimal).
        gap = "—" if s.entry_gap_pct is None else figures.move(float(s.entry_gap_pct) / 100, signed=True)
        parts = [
            "<p><b>{}</b></p>".format(html.escape(self.tr(
                "Master: {m_qty} {coin} at {m_avg}. Follower: {f_qty} {coin} at {f_avg}. Entry gap: {gap}."
            ).format(m_qty=fmt(s.master_qty), f_qty=fmt(s.follower_qty), coin=coin,
                     m_avg=fmt_price(s.master_avg_entry), f_avg=fmt_price(s.follower_avg_entry), gap=gap))),
        ]
        if s.causes:
            items = "".join(
                f"<li>{html.escape(translate_template(c.template, c.params))}</li>" for c in s.causes)
            title = html.escape(self.tr("Why the positions differ:"))
            parts.append(f"<p>{title}</p><ol>{items}</ol>")
        lines = []
        for i, r in enumerate(result.results):
            text = html.escape(f"{r.order.time}: {translated_explanation(r)}")
            lines.append(f"<li><b>{text}</b></li>" if i == selected else f"<li>{text}</li>")
        parts.append("<p>{}</p><ul>{}</ul>".format(html.escape(self.tr("Order by order:")), "".join(lines)))
        self.explanation.setHtml("".join(parts))

    def select_result(self, row: int) -> None:
        """Select a result row (its explanation is shown in bold)."""
        self.results_view.selectRow(row)


def open_copytrade_dialog(parent: QWidget | None = None) -> CopyTradeDialog:
    """Create and show the calculator (non-modal); the dialog deletes itself when closed."""
    dialog = CopyTradeDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
