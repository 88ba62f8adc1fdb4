"""Emitting signals must leave the refcounts of True/False unchanged (PySide6 6.12.0 steals one per emit
unless desktop_app.ui's work-around is installed)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import desktop_app.ui
from desktop_app.ui import qt_compat


class _Source(QObject):
    changed = Signal(bool)
    plain = Signal()


def test_emit_does_not_steal_bool_references(qtbot) -> None:
    assert qt_compat.install() == desktop_app.ui.EMIT_FIX_ACTIVE
    source = _Source()
    received: list[bool] = []
    source.changed.connect(received.append)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(2000):
        source.changed.emit(True)
        source.changed.emit(False)
        source.plain.emit()
    received.clear()  # drop the references the list held
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before


def test_painting_tables_keeps_none_refcount(qtbot) -> None:
    from desktop_app.ui.positions_model import PositionsModel
    from desktop_app.ui.rows import position_rows
    from desktop_app.ui.table_view import FilterableTable
    from tests.ui.factories import make_update

    model = PositionsModel()
    table = FilterableTable(model, placeholder="")
    qtbot.addWidget(table)
    model.set_rows(position_rows(make_update()))
    table.resize(1200, 400)
    table.show()
    table.grab()  # warm up: fonts, layouts, caches
    before = sys.getrefcount(None)
    for _ in range(200):
        table.grab()  # each paint answers 3 rows x 12 columns through multiData
    assert abs(sys.getrefcount(None) - before) < 50  # a leak would drop it by >= 200 x 36 x 7
