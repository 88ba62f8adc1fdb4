"""Work-arounds for defects of the Qt binding, in one place (installed by `desktop_app.ui`).

PySide6 6.12.0's `SignalInstance.emit()` returns `True` without taking a reference to it, so every
Python-side emit steals one reference from the `True` singleton; after a few thousand emits CPython
aborts with "bool_dealloc: deallocating True or False". `install()` checks once whether the running
binding has the defect and, only if it does, wraps `SignalInstance.emit` to give the reference back.

The same release's `QModelRoleData.setData()` and `clearData()` return `None` without a reference
to it. `fill_role_data()` writes a cell's values into a `multiData` span and, where that defect is
present, gives back what each call took.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelRoleData, QObject, Signal, SignalInstance

_inc_ref = ctypes.pythonapi.Py_IncRef
_inc_ref.argtypes = [ctypes.py_object]
_inc_ref.restype = None
_original_emit = SignalInstance.__dict__["emit"]


class _Probe(QObject):
    probe = Signal()


def emit_steals_reference() -> bool:
    """Whether the binding's emit() returns a bool it does not own a reference to."""
    source = _Probe()
    before = sys.getrefcount(True)
    result = _original_emit(source.probe)
    after = sys.getrefcount(True)
    # `result` holds one reference here; a correct binding leaves True one higher than before.
    if result is True and after < before + 1:
        _inc_ref(result)  # give back what the probe itself took
        return True
    return False


def _emit(self: SignalInstance, *args: Any) -> Any:
    result = _original_emit(self, *args)
    if isinstance(result, bool):
        _inc_ref(result)
    return result


def _role_data_steals_none() -> bool:
    role_data = QModelRoleData(0)
    before = sys.getrefcount(None)
    role_data.setData("probe")
    role_data.clearData()
    stolen = before - sys.getrefcount(None)
    for _ in range(max(0, stolen)):
        _inc_ref(None)
    return stolen > 0


ROLE_DATA_STEALS_NONE = _role_data_steals_none()


def fill_role_data(span: Iterable[QModelRoleData], value_for_role: Callable[[int], Any]) -> None:
    """Set each role of a `multiData` span to `value_for_role(role)` (None clears it)."""
    for role_data in span:
        value = value_for_role(role_data.role())
        if value is None:
            role_data.clearData()
        else:
            role_data.setData(value)
        if ROLE_DATA_STEALS_NONE:
            _inc_ref(None)


def install() -> bool:
    """Patch `SignalInstance.emit` when the defect is present. True when the patch is active."""
    if SignalInstance.__dict__["emit"] is _emit:
        return True
    if not emit_steals_reference():
        return False
    SignalInstance.emit = _emit  # type: ignore[method-assign]
    return True
