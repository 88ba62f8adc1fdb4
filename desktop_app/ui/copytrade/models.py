"""Table models of the copy-trading dialog: the editable master orders and the replay results."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.copytrade import Action, MasterOrder, Reason, ScenarioError
from desktop_app.copytrade.explain import fmt
from desktop_app.copytrade.scenario import check_bounds
from desktop_app.i18n import tr

AnyIndex = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
SKIPPED_COLOUR = QColor("#e0464b")  # mid-luminance red: readable on light and dark palettes


def action_text(action: Action) -> str:
    return tr("open") if action is Action.OPEN else tr("close")


def reason_text(reason: Reason | None) -> str:
    """Short column text for a skip reason."""
    texts = {
        Reason.ENTRY_ORDER_LIMIT: tr("400 entry orders held"),
        Reason.SLIPPAGE: tr("Slippage"),
        Reason.COPYGUARD: tr("Copyguard"),
        Reason.MAX_POSITION_MARGIN: tr("Max position margin"),
        Reason.INSUFFICIENT_BALANCE: tr("Insufficient balance"),
        Reason.COST_EXCEEDS_BALANCE: tr("Cost exceeds balance"),
        Reason.NO_POSITION: tr("No position to close"),
    }
    return "" if reason is None else texts[reason]


@dataclass(frozen=True, slots=True)
class OrderRow:
    time: str
    action: Action
    qty: Decimal
    price: Decimal
    follower_price: Decimal | None  # None: the follower gets the master's price

    def to_order(self) -> MasterOrder:
        return MasterOrder(self.time, self.action, self.qty, self.price, self.follower_price or self.price)


class OrdersModel(QAbstractTableModel):
    """The master's orders, editable in place; rows can be inserted and removed. An edit that cannot
    stand (not a number, not positive, out of bounds) is refused and `sig_rejected` says why."""

    COLUMNS = ("time", "action", "qty", "price", "follower_price")
    sig_rejected = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[OrderRow] = []

    def set_orders(self, orders: tuple[MasterOrder, ...]) -> None:
        self.beginResetModel()
        self._rows = [OrderRow(str(o.time), o.action, o.qty, o.price,
                               None if o.follower_price == o.price else o.follower_price) for o in orders]
        self.endResetModel()

    def orders(self) -> tuple[MasterOrder, ...]:
        return tuple(row.to_order() for row in self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        titles = (tr("Order"), tr("Action"), tr("Master qty"), tr("Master price"), tr("Follower price"))
        return titles[section] if 0 <= section < len(titles) else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if column in ("time", "action") else _RIGHT
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        edit = role == Qt.ItemDataRole.EditRole
        if column == "time":
            return row.time
        if column == "action":
            return row.action.value if edit else action_text(row.action)
        if column == "follower_price" and row.follower_price is None:
            return "" if edit else tr("same")
        value: Decimal = getattr(row, column)
        return str(value) if edit else fmt(value)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        row, column = self._rows[index.row()], self.COLUMNS[index.column()]
        text = str(value).strip().replace(",", "")
        if column == "time":
            new = replace(row, time=text)
        elif column == "action":
            if text.lower() not in ("open", "close"):
                return False
            new = replace(row, action=Action(text.lower()))
        elif column == "follower_price" and text == "":
            new = replace(row, follower_price=None)
        else:
            number = self._number(index, text)
            if number is None:
                return False
            new = replace(row, **{column: number})
        self._rows[index.row()] = new
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def _number(self, index: AnyIndex, text: str) -> Decimal | None:
        """The edited number, or None after saying why it is refused (the previous value stays)."""
        title = self.headerData(index.column(), Qt.Orientation.Horizontal)
        shown = text if len(text) <= 24 else f"{text[:20]}…"
        try:
            number = Decimal(text)
            check_bounds(f"orders[{index.row()}].{self.COLUMNS[index.column()]}", number)
        except InvalidOperation:
            problem = tr("{value} is not a number").format(value=shown)
        except ScenarioError as exc:
            problem = exc.message
        else:
            if number > 0:
                return number
            problem = tr("must be positive, not {value}").format(value=shown)
        self.sig_rejected.emit(tr("{column} in row {row}: {problem}; the previous value is kept.").format(
            column=title, row=index.row() + 1, problem=problem))
        return None

    def insertRows(self, row: int, count: int, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._rows):
            return False
        first = OrderRow("A", Action.OPEN, Decimal(1), Decimal(10000), None)
        template = self._rows[row - 1] if row > 0 else first
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        for i in range(count):
            self._rows.insert(row + i, replace(template, time=_next_label(self._rows, row + i)))
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row:row + count]
        self.endRemoveRows()
        return True


def _next_label(rows: list[OrderRow], position: int) -> str:
    """A time label for a new row: the next letter after the row above (A, B, … Z, then 27, 28 …)."""
    if position == 0:
        return "A"
    above = rows[position - 1].time
    if len(above) == 1 and "A" <= above < "Z":
        return chr(ord(above) + 1)
    return str(position + 1)


class ActionDelegate(QStyledItemDelegate):
    """Edits the action column with a combo box (open / close) instead of free text."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem(action_text(Action.OPEN), Action.OPEN.value)
        combo.addItem(action_text(Action.CLOSE), Action.CLOSE.value)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
