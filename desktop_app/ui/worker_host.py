"""Owns the worker's QThread: starts it, and stops it cleanly within a second on quit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QThread

from desktop_app.snapshot import AccountSpec
from desktop_app.ui.worker import DEFAULT_INTERVAL_S, RiskWorker, _default_service

log = logging.getLogger(__name__)

STOP_TIMEOUT_MS = 1000


class WorkerHost(QObject):
    """`host.worker` is the RiskWorker; connect to its signals before `start()`."""

    def __init__(self, accounts: Sequence[AccountSpec] = (), *, interval_s: float = DEFAULT_INTERVAL_S,
                 service_factory: Callable[[], Any] = _default_service, paused: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qthread = QThread()
        self.qthread.setObjectName("riskdesk-worker")
        self.worker = RiskWorker(accounts, interval_s=interval_s, service_factory=service_factory,
                                 paused=paused)
        self.worker.moveToThread(self.qthread)
        self.qthread.started.connect(self.worker.run)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.qthread.start()

    def shutdown(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Cancel the request in flight, close the pool and join the thread. True when it ended in time."""
        if not self._started:
            return True
        self.worker.stop()
        self.qthread.quit()
        finished = self.qthread.wait(timeout_ms)
        if not finished:
            log.warning("the worker thread did not stop within %d ms", timeout_ms)
        self._started = not finished
        return bool(finished)

    @property
    def running(self) -> bool:
        return self.qthread.isRunning()
