"""Waiting for signals the worker thread emits.

Not `qtbot.waitSignal`: PySide calls a receiver that is not a QObject method (pytest-qt's blocker is
a plain callable) on the emitting worker thread, where quitting the waiting loop races with its
start and can hang the test past every timeout. A QObject receiver is called on its own (GUI)
thread through a queued connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Slot

WAIT_MS = 20_000


class Recorder(QObject):
    """Collects what a worker signal carries, on the GUI thread."""

    def __init__(self, signal: Any) -> None:
        super().__init__()
        self.items: list[Any] = []
        signal.connect(self.on_item)

    @Slot(object)
    def on_item(self, item: Any) -> None:
        self.items.append(item)

    def wait_for(self, qtbot: Any, predicate: Callable[[Any], bool] = lambda _: True, *, after: int = 0,
                 timeout_ms: int = WAIT_MS) -> Any:
        """The first item from index `after` on that satisfies `predicate` (waits for it)."""
        qtbot.waitUntil(lambda: any(predicate(i) for i in self.items[after:]), timeout=timeout_ms)
        return next(i for i in self.items[after:] if predicate(i))

    def next_item(self, qtbot: Any, trigger: Callable[[], object],
                  predicate: Callable[[Any], bool] = lambda _: True, timeout_ms: int = WAIT_MS) -> Any:
        """Run `trigger`, then wait for the first new item that satisfies `predicate`."""
        after = len(self.items)
        trigger()
        return self.wait_for(qtbot, predicate, after=after, timeout_ms=timeout_ms)
