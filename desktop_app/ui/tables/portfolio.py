"""The Portfolio tables: Accounts above Positions (the Portfolio tab), and Exposure (shown in a dock).

The window decides when to render (a 1 Hz timer, never while hidden); this decides what each table
shows. Account ages move every second, so the Accounts table renders on every tick; Positions and
Exposure only when a new update arrived.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

from desktop_app.ui.tables.accounts_model import ACCOUNTS_STATUS_COLUMN, AccountsModel, status_width_sample
from desktop_app.ui.tables.exposure_model import ExposureModel
from desktop_app.ui.tables.positions_model import PositionsModel
from desktop_app.ui.tables.rows import account_rows, exposure_rows, position_rows
from desktop_app.ui.tables.table_view import FilterableTable


class PortfolioTables(QSplitter):
    """The Portfolio tab's splitter; `exposure_table` is placed by the window (in its dock)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("tablesSplitter")
        self.accounts_model = AccountsModel(self)
        self.positions_model = PositionsModel(self)
        self.exposure_model = ExposureModel(self)
        self.accounts_table = FilterableTable(
            self.accounts_model, placeholder=self.tr("Filter accounts…"),
            width_samples={ACCOUNTS_STATUS_COLUMN: status_width_sample()})
        self.positions_table = FilterableTable(
            self.positions_model, placeholder=self.tr("Filter positions (account, symbol, side)…"))
        self.exposure_table = FilterableTable(self.exposure_model, placeholder=self.tr("Filter coins…"))
        self.addWidget(self.accounts_table)
        self.addWidget(self.positions_table)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 3)
        self.setSizes([220, 600])
        self._fitted_rows = -1  # the account count the splitter was last fitted to
        self._user_split = False  # the user dragged the splitter: their sizes win
        self.splitterMoved.connect(self._on_splitter_moved)

    def render_accounts(self, update: Any, now_s: float) -> None:
        """The Accounts table, with data ages as of `now_s`; tall enough for every account."""
        rows = account_rows(update, now_s)
        self.accounts_model.set_rows(rows)
        if len(rows) != self._fitted_rows:
            self._fitted_rows = len(rows)
            self.fit_accounts_height()

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._user_split = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().height() != event.oldSize().height() and self._fitted_rows >= 0:
            self.fit_accounts_height()  # the window's final size is known only once it is shown

    def fit_accounts_height(self) -> None:
        """Show every account without scrolling (up to half of the tab); positions get the rest."""
        total = sum(self.sizes())
        if total <= 0 or self._user_split:
            return
        wanted = min(self.accounts_table.rows_height(max(1, self._fitted_rows)), total // 2)
        self.setSizes([wanted, total - wanted])

    def render_update(self, update: Any) -> None:
        """Positions and Exposure of a new update; columns fitted to the content (widened, never
        narrowed, so a figure that grows in a crash is never cut)."""
        self.positions_model.set_rows(position_rows(update))
        self.exposure_model.set_rows(exposure_rows(update))
        for table in (self.accounts_table, self.positions_table, self.exposure_table):
            table.fit_columns()
