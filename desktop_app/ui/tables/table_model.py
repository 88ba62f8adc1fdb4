"""A read-only table model over immutable rows, the base of the Accounts, Positions and Exposure tables.

Each table declares its columns once (`Column`). `set_rows` compares row keys: when they are the
same keys in the same order only `dataChanged` is emitted for the rows whose values changed, so
views keep their selection, scroll position and sort; otherwise the model is reset. Sorting uses
`SORT_ROLE`, which carries numbers for numeric columns (the display text "$1,200" would sort
before "$900") and text otherwise, so the proxy's C++ comparison does the sorting.

Every cell's values are computed once per changed row in `set_rows`, not in `data()`. A repaint
asks for seven roles of every visible cell, and each call from Qt's event loop into Python must
take the GIL, which the worker thread may hold for its switch interval. `multiData` answers all
roles of a cell in one call, and the proxy forwards it (Qt's proxy would split it into `data()`
calls), so a repaint costs one GIL hand-off per cell instead of seven.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
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


# A cell: display text, sort key, foreground, tooltip, font, alignment; indexed by _ROLE_SLOTS.
_Cell = tuple[str, object, QColor | None, str | None, QFont | None, int]
_ROLE_SLOTS: dict[int, int] = {
    int(Qt.ItemDataRole.DisplayRole): 0,
    int(SORT_ROLE): 1,
    int(Qt.ItemDataRole.ForegroundRole): 2,
    int(Qt.ItemDataRole.ToolTipRole): 3,
    int(Qt.ItemDataRole.FontRole): 4,
    int(Qt.ItemDataRole.TextAlignmentRole): 5,
}
_EMPTY_CELL: tuple[None, ...] = (None,) * 6


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: its (already translated) title, how a row is shown, and how it sorts."""

    title: str
    text: Callable[[R], str]
    sort: Callable[[R], float | str | None] | None = None  # a number (numeric) or text; default: the text
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
        self._cells: list[tuple[_Cell, ...]] = []
        self._longest: tuple[int, ...] = (0,) * len(self._columns)  # characters of each column's longest text
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
                    self._cells[i] = self._row_cells(after)
                    start = i if start is None else start
                    continue
                if start is not None:
                    self.dataChanged.emit(self.index(start, 0), self.index(i - 1, last))
                    start = None
            if start is not None:
                self.dataChanged.emit(self.index(start, 0), self.index(len(values) - 1, last))
            self._measure()
            return
        self.beginResetModel()
        self._keys = keys
        self._rows = values
        self._cells = [self._row_cells(r) for r in values]
        self._measure()
        self.endResetModel()

    def _measure(self) -> None:
        self._longest = tuple(max((len(cells[c][0]) for cells in self._cells), default=0)
                              for c in range(len(self._columns)))

    def longest_text(self, column: int) -> int:
        """Characters of the longest text in `column` (the table view refits a column only when this
        grows: asking Qt for a column's size hint reads every visible cell)."""
        return self._longest[column]

    def _row_cells(self, row: R) -> tuple[_Cell, ...]:
        stale = self._stale is not None and self._stale(row)
        cells = []
        for column in self._columns:
            text = column.text(row)
            if column.sort is None:
                key: object = text
            else:
                key = column.sort(row)
                if key is None:
                    # Unknown sorts below every number; keep the column's type so C++ compares it.
                    key = float("-inf") if column.numeric else ""
            if stale:
                colour = stale_colour()
            else:
                colour = severity_colour(column.severity(row)) if column.severity is not None else None
            tooltip = column.tooltip(row) if column.tooltip is not None else None
            font = self._bold if column.bold is not None and column.bold(row) else None
            alignment = int(_RIGHT if column.numeric else _LEFT)
            cells.append((text, key, colour, tooltip, font, alignment))
        return tuple(cells)

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
        role = int(role)
        slot = _ROLE_SLOTS.get(role)
        if slot is not None:
            return self._cells[index.row()][index.column()][slot]
        if role == KEY_ROLE:
            return repr(self._keys[index.row()])
        return None

    def multiData(self, index: AnyIndex, span: QModelRoleDataSpan) -> None:
        valid = index.isValid() and index.row() < len(self._rows) and index.column() < len(self._columns)
        cell = self._cells[index.row()][index.column()] if valid else _EMPTY_CELL
        for role_data in span:
            slot = _ROLE_SLOTS.get(role_data.role())
            value = None if slot is None else cell[slot]
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    # flags() is not overridden: Qt's default (enabled, selectable) is what these tables need, and
    # leaving it in C++ spares one call into Python per painted cell.


class TableFilterProxy(QSortFilterProxyModel):
    """Sorts on `SORT_ROLE` and filters case-insensitively on any column's text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def multiData(self, index: AnyIndex, span: QModelRoleDataSpan) -> None:
        """Forward the whole request to the source model: Qt's proxy would ask role by role."""
        source = self.sourceModel()
        if isinstance(source, RowTableModel) and index.isValid():
            # Called on the Python class so that no binding wrapper sits between the two.
            RowTableModel.multiData(source, self.mapToSource(index), span)
        else:
            super().multiData(index, span)
