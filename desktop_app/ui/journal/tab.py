"""The Journal tab: the period, figures per account with a total row, the per-symbol breakdown, the
cumulative realised PnL curves and a calendar of realised PnL per day, with CSV export.

Opening the tab the first time shows the cached journal at once and syncs with Bybit on the journal's
own thread (worker.py), with progress in the bar; the window never waits for it. Later syncs run on
"Sync now" or when the period or the accounts change. The accounts come from `specs`, which must not
touch the keyring (the window hands over the accounts its worker already runs). Once `shutdown` ran
(the window is closing) nothing starts a sync again, even if the tab is shown while the window is
taken apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.snapshot import AccountSpec
from desktop_app.journal.usd import day_start_ms
from desktop_app.journal_sync import DEFAULT_DAYS, JournalReport, SyncProgress
from desktop_app.journal_sync.export import journal_csv
from desktop_app.journal_sync.service import wall_ms
from desktop_app.ui.csv_file import save_csv
from desktop_app.ui.elided_label import ElidedLabel
from desktop_app.ui.journal.calendar import PnlCalendar
from desktop_app.ui.journal.curves import PnlCurves
from desktop_app.ui.journal.models import JournalTableModel, SymbolTableModel, journal_rows
from desktop_app.ui.journal.view import JournalView
from desktop_app.ui.journal.worker import JournalHost
from desktop_app.ui.tables.table_view import FilterableTable

PERIODS_DAYS = (7, 30, 90, 180, 365)
_MAX_FITTED_ROWS = 10
# Below this height the curves and the calendar sit side by side (a 720-pixel screen), above it the
# calendar goes under the curves and gets the width a year of weeks needs.
_STACK_CHARTS_FROM_PX = 340


class JournalTab(QWidget):
    def __init__(self, specs: Callable[[], Sequence[AccountSpec]], cache_path: Path | None, *,
                 now_ms: Callable[[], int] = wall_ms, parent: QWidget | None = None) -> None:
        """`specs` gives the accounts to journal (asked on each sync, on the GUI thread: it must not
        read the keyring); `cache_path` is the history database (None: a cache in memory, for this
        session only)."""
        super().__init__(parent)
        self._specs = specs
        self.report: JournalReport | None = None
        self.view: JournalView | None = None
        self.host = JournalHost(cache_path, now_ms=now_ms, parent=self)
        worker = self.host.worker
        worker.sig_report.connect(self.on_report)
        worker.sig_progress.connect(self.on_progress)
        worker.sig_failed.connect(self.on_failed)
        worker.sig_busy.connect(self.on_busy)
        self._opened = False
        self._closed = False

        self.period_box = QComboBox(self)
        for days in PERIODS_DAYS:
            self.period_box.addItem(self.tr("Last {days} days").format(days=days), days)
        self.period_box.setCurrentIndex(PERIODS_DAYS.index(DEFAULT_DAYS))
        self.period_box.currentIndexChanged.connect(self._on_period)
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.clicked.connect(self.sync)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_csv)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat(self.tr("%v of %m"))
        self.progress.hide()
        # A sync error can be long: cut to the room there is, the whole of it in the tooltip.
        self.status_label = ElidedLabel(parent=self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Period:"), self))
        bar.addWidget(self.period_box)
        bar.addWidget(self.sync_button)
        bar.addWidget(self.progress)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.export_button)

        self.accounts_model = JournalTableModel(self)
        self.accounts_view = QTableView(self)
        self.accounts_view.setModel(self.accounts_model)
        self.accounts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.accounts_view.setAlternatingRowColors(True)
        self.accounts_view.setWordWrap(False)
        self.accounts_view.verticalHeader().setVisible(False)
        self.accounts_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.accounts_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.accounts_view.horizontalHeader().setStretchLastSection(True)
        self.symbols_model = SymbolTableModel(self)
        self.symbols = FilterableTable(self.symbols_model, placeholder=self.tr("Filter symbols"), parent=self)
        # The figures always fit their columns; a long symbol name is what gets elided on a narrow screen.
        symbols_header = self.symbols.view.horizontalHeader()
        symbols_header.setStretchLastSection(False)
        symbols_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.symbols_model.columnCount()):
            symbols_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.curves = PnlCurves(self)
        self.calendar = PnlCalendar(self)
        self.calendar_title = QLabel(self.tr("Realised PnL per day (UTC)"), self)

        # The accounts table across the top (it needs the width); below it the symbols beside the curves
        # and the calendar.
        bottom = QSplitter(Qt.Orientation.Horizontal, self)
        symbols_box = QWidget(bottom)
        symbols_layout = QVBoxLayout(symbols_box)
        symbols_layout.setContentsMargins(0, 0, 0, 0)
        symbols_layout.addWidget(QLabel(self.tr("Realised PnL by symbol, all accounts"), symbols_box))
        symbols_layout.addWidget(self.symbols)
        # Wide enough for a symbol, its trade count and a six-figure PnL side by side.
        symbols_box.setMinimumWidth(self.fontMetrics().horizontalAdvance("BTCUSDT 1000 +$000,000.00") + 130)
        bottom.addWidget(symbols_box)
        right = self._charts_splitter = QSplitter(Qt.Orientation.Vertical, self)
        right.setChildrenCollapsible(False)
        curves_box = QWidget(right)
        curves_layout = QVBoxLayout(curves_box)
        curves_layout.setContentsMargins(0, 0, 0, 0)
        curves_layout.addWidget(QLabel(self.tr("Cumulative realised PnL (USD)"), curves_box))
        curves_layout.addWidget(self.curves, 1)
        right.addWidget(curves_box)
        calendar_box = QWidget(right)
        calendar_layout = QVBoxLayout(calendar_box)
        calendar_layout.setContentsMargins(0, 0, 0, 0)
        calendar_layout.addWidget(self.calendar_title)
        calendar_layout.addWidget(self.calendar, 1)
        right.addWidget(calendar_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        bottom.addWidget(right)
        self._bottom = bottom
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 3)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.accounts_view)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange_charts()

    def _arrange_charts(self) -> None:
        wanted = Qt.Orientation.Vertical if self._bottom.height() >= _STACK_CHARTS_FROM_PX \
            else Qt.Orientation.Horizontal
        splitter = self._charts_splitter
        turned = splitter.orientation() != wanted
        if turned:
            splitter.setOrientation(wanted)
        room = sum(splitter.sizes())
        if wanted == Qt.Orientation.Horizontal:
            # Side by side the calendar takes what its weeks need and the curves the rest.
            calendar = min(self.calendar.preferred_width(), room // 2)
            splitter.setSizes([room - calendar, calendar])
        elif turned:
            splitter.setSizes([room * 3 // 5, room - room * 3 // 5])  # stacked: curves over the calendar

    @property
    def days(self) -> int:
        return int(self.period_box.currentData())

    # --- requests -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._opened and not self._closed:
            self._opened = True  # nothing is asked of Bybit until the tab is first opened
            self.sync()

    @Slot()
    def sync(self) -> None:
        if self._closed:
            return
        self.host.request(tuple(self._specs()), self.days, sync=True)

    @Slot(int)
    def _on_period(self, _index: int) -> None:
        if self._opened:
            self.sync()

    def accounts_changed(self) -> None:
        """The account list changed (the account editor): sync again if the tab was opened."""
        if self._opened:
            self.sync()

    # --- worker signals (queued from the journal's thread) -------------------------------------

    @Slot(object)
    def on_report(self, view: JournalView) -> None:
        """Put a view on screen; its sums and series were computed on the journal's thread."""
        report = view.report
        self.view, self.report = view, report
        self.accounts_model.set_rows(journal_rows(report, view.total))
        self.accounts_view.resizeColumnsToContents()
        self._fit_account_rows()
        self._arrange_charts()
        self.symbols_model.set_rows([(s.symbol, s) for s in (view.total.by_symbol if view.total else ())])
        self.symbols.fit_columns_once()
        self.curves.set_view(view)
        self.calendar.set_days(day_start_ms(report.start_ms), day_start_ms(report.end_ms), view.daily_pnl_usd)
        self.export_button.setEnabled(True)
        self.status_label.setText(self._summary(report))

    def _fit_account_rows(self) -> None:
        """Tall enough for every account and the total (up to ten rows), so the total is never
        scrolled out of sight in a small window."""
        view = self.accounts_view
        rows = min(self.accounts_model.rowCount(), _MAX_FITTED_ROWS)
        height = view.horizontalHeader().height() + rows * view.verticalHeader().defaultSectionSize()
        view.setMinimumHeight(height + view.horizontalScrollBar().sizeHint().height() + 2 * view.frameWidth())

    def _summary(self, report: JournalReport) -> str:
        failed = [a.name for a in report.accounts if a.error is not None]
        synced = sum(1 for a in report.accounts if a.ok)
        if failed:
            return self.tr("Synced {synced} of {count} accounts; failed: {names}.").format(
                synced=synced, count=len(report.accounts), names=", ".join(failed))
        if synced == len(report.accounts):
            stamp = time.strftime("%H:%M:%S", time.localtime(report.end_ms / 1000))
            return self.tr("Synced with Bybit at {time}.").format(time=stamp)
        return self.tr("Showing the saved journal; syncing with Bybit…")

    @Slot(object)
    def on_progress(self, progress: SyncProgress) -> None:
        self.progress.setRange(0, progress.total)
        self.progress.setValue(progress.done)
        if progress.account:
            self.status_label.setText(self.tr("Syncing {account}…").format(account=progress.account))

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.status_label.setText(self.tr("The journal could not be read: {reason}").format(reason=message))

    @Slot(bool)
    def on_busy(self, busy: bool) -> None:
        self.sync_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)  # busy indicator until the first step is known

    # --- export -------------------------------------------------------------------------------

    @Slot()
    def export_csv(self) -> Path | None:
        """Ask where to save the journal as CSV and write it; the path written, or None."""
        report = self.report
        if report is None:
            return None
        path = save_csv(self.window(), self.tr("Export journal"), "journal", report.end_ms / 1000,
                        lambda: journal_csv(report))
        if path is not None:
            self.status_label.setText(self.tr("Saved {path}").format(path=path))
        return path

    def shutdown(self) -> bool:
        """Stop the sync in flight and the journal's thread, and start none again (the window is
        closing). True when the thread ended in time."""
        self._closed = True
        return self.host.shutdown()
