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
