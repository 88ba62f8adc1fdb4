"""Work-arounds for defects of the Qt binding, in one place (installed by `desktop_app.ui`).

PySide6 6.12.0's `SignalInstance.emit()` returns `True` without taking a reference to it, so every
Python-side emit steals one reference from the `True` singleton; after a few thousand emits CPython
aborts with "bool_dealloc: deallocating True or False". `install()` checks once whether the running
binding has the defect and, only if it does, wraps `SignalInstance.emit` to give the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

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


def install() -> bool:
    """Patch `SignalInstance.emit` when the defect is present. True when the patch is active."""
    if SignalInstance.__dict__["emit"] is _emit:
        return True
    if not emit_steals_reference():
        return False
    SignalInstance.emit = _emit  # type: ignore[method-assign]
    return True
