"""A filter box above a sortable table view: the one way every table in the window is shown."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from desktop_app.ui.tables.table_model import TableFilterProxy

_PADDING_PX = 6  # the cell's own margins around a width sample
# A column fitted to its content grows no wider: a long text (an error in the status) is elided, with
# the whole of it in the tooltip, instead of pushing every other column out of sight.
MAX_FITTED_COLUMN_PX = 260
# A fitted column narrows again once its content needs less than this share of its width (an error
# gone, a crash over): not on every small change, so columns do not twitch at 1 Hz.
SHRINK_BELOW = 0.8


class FilterableTable(QWidget):
    def __init__(self, model: QAbstractItemModel, *, placeholder: str, parent: QWidget | None = None,
                 width_samples: dict[int, str] | None = None) -> None:
        super().__init__(parent)
        self.model = model
        # Texts a column is sized to, whatever its rows say: it fits "Stale · 59 min" even while every
        # row reads "OK · 1 s", and grows no wider for a long error (elided, whole in the tooltip).
        self._width_samples = dict(width_samples or {})
        self.proxy = TableFilterProxy(self)
        self.proxy.setSourceModel(model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(placeholder)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the model's order until a click
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        # The default scans 1,000 rows to size a column: far too slow at 1 Hz.
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        self._sized = False
        self._fitting = False
        self._user_sized: set[int] = set()  # columns whose width the user set by hand
        self._fitted_chars: dict[int, int] = {}  # per column, its longest text when last fitted
        header.sectionResized.connect(self._on_section_resized)

    @Slot(str)
    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)

    def fit_columns_once(self) -> None:
        """Size columns to their content the first time there are rows (see `fit_columns`)."""
        if not self._sized:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Size columns to their content the first time there are rows; afterwards widen a column whose
        content outgrew it ("−$29,871" in a crash, where "$306" stood) and narrow it again once its
        content needs much less, unless the user has set that column's width: the user's widths win.
        A column with a width sample keeps the sample's width."""
        if self.model.rowCount() == 0:
            return
        longest = getattr(self.model, "longest_text", None)
        self._fitting = True
        try:
            first = not self._sized
            if first:
                self.view.resizeColumnsToContents()
                self._sized = True
            for column in range(self.model.columnCount() - 1):  # the last one stretches to the edge
                if column in self._user_sized:
                    continue
                if longest is not None:
                    # Qt's size hint reads every visible cell of the column (most of a render's time
                    # at 1 Hz): ask only when the column's longest text got longer or shorter.
                    chars = longest(column)
                    if not first and chars == self._fitted_chars.get(column):
                        continue
                    self._fitted_chars[column] = chars
                wanted = self.view.columnWidth(column) if first else self._content_width(column)
                wanted = self._clamped(column, wanted)
                current = self.view.columnWidth(column)
                if first or wanted > current or wanted < current * SHRINK_BELOW:
                    self.view.setColumnWidth(column, wanted)
        finally:
            self._fitting = False

    def _content_width(self, column: int) -> int:
        return max(self.view.sizeHintForColumn(column), self.view.horizontalHeader().sectionSizeHint(column))

    def _clamped(self, column: int, width: int) -> int:
        sample = self._width_samples.get(column)
        if sample is None:
            return min(width, MAX_FITTED_COLUMN_PX)
        header = self.view.horizontalHeader().sectionSizeHint(column)
        return max(self.view.fontMetrics().horizontalAdvance(sample) + 2 * _PADDING_PX, header)

    @Slot(int, int, int)
    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and self._sized:
            self._user_sized.add(column)

    def rows_height(self, rows: int) -> int:
        """The height this widget needs to show `rows` rows without scrolling."""
        view = self.view
        margins = self.layout().contentsMargins()
        return (self.filter_edit.sizeHint().height() + self.layout().spacing() + margins.top()
                + margins.bottom() + view.horizontalHeader().sizeHint().height()
                + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth()
                + view.horizontalScrollBar().sizeHint().height())
