"""A read-only table model over immutable rows, the base of the Accounts, Positions and Exposure tables.

Each table declares its columns once (`Column`). `set_rows` compares row keys: when they are the
same keys in the same order only `dataChanged` is emitted for the rows whose values changed, so
views keep their selection, scroll position and sort; otherwise the model is reset. Sorting uses
`SORT_ROLE`, which carries numbers for numeric columns (the display text "$1,200" would sort
before "$900").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from desktop_app.ui.format import Severity, severity_colour, stale_colour

R = TypeVar("R")

SORT_ROLE = Qt.ItemDataRole.UserRole + 100
KEY_ROLE = Qt.ItemDataRole.UserRole + 101

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: its (already translated) title, how a row is shown, and how it sorts."""

    title: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None  # numbers for numeric columns; defaults to the text
    numeric: bool = False
    severity: Callable[[R], Severity] | None = None
    tooltip: Callable[[R], str | None] | None = None
    bold: Callable[[R], bool] | None = None


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows are `(key, row)` pairs; `stale(row)` greys a row whose data is not from the last refresh."""

    def __init__(self, columns: Sequence[Column[R]], *, stale: Callable[[R], bool] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._stale = stale
        self._keys: tuple[Hashable, ...] = ()
        self._rows: tuple[R, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- updates ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[tuple[Hashable, R]]) -> None:
        """Replace the rows: `dataChanged` when the keys are unchanged, a reset otherwise."""
        keys = tuple(k for k, _ in rows)
        values = tuple(r for _, r in rows)
        if keys == self._keys:
            old = self._rows
            self._rows = values
            last = len(self._columns) - 1
            start: int | None = None
            for i, (before, after) in enumerate(zip(old, values, strict=True)):
                if before != after:
                    start = i if start is None else start
                    continue
                if start is not None:
                    self.dataChanged.emit(self.index(start, 0), self.index(i - 1, last))
                    start = None
            if start is not None:
                self.dataChanged.emit(self.index(start, 0), self.index(len(values) - 1, last))
            return
        self.beginResetModel()
        self._keys = keys
        self._rows = values
        self.endResetModel()

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> tuple[R, ...]:
        return self._rows

    # --- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(_RIGHT if self._columns[section].numeric else _LEFT)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            if column.sort is None:
                return column.text(row)
            value = column.sort(row)
            # None sorts first in both directions' worst case; keep it a number for numeric columns.
            return float("-inf") if value is None and column.numeric else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if column.numeric else _LEFT)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            return self._bold
        if role == KEY_ROLE:
            return repr(self._keys[index.row()])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _foreground(self, row: R, column: Column[R]) -> QColor | None:
        if self._stale is not None and self._stale(row):
            return stale_colour()
        if column.severity is not None:
            return severity_colour(column.severity(row))
        return None


class TableFilterProxy(QSortFilterProxyModel):
    """Sorts on `SORT_ROLE` and filters case-insensitively on any column's text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            # Mixed types (text in a numeric column) sort by their text.
            return str(a) < str(b)
