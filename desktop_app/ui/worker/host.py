"""Owns the worker's QThread: starts it, and stops it cleanly within a second on quit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread

from desktop_app.alerts import AlertConfig
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live.report_options import DEFAULT_REPORT_OPTIONS, ReportOptions
from desktop_app.storage.paths import AppPaths
from desktop_app.ui.worker.worker import DEFAULT_INTERVAL_S, RiskWorker, _default_service

log = logging.getLogger(__name__)

STOP_TIMEOUT_MS = 1000
DEMO_HISTORY_DIR = "demo"  # the demo's history stays inside the config dir, apart from the real one


def history_path_for(paths: AppPaths, *, demo: bool) -> Path:
    """Where the worker writes history: the data dir's database, or in demo mode one in the config
    dir (the simulator's made-up accounts must not mix with the trader's real history)."""
    return paths.config_dir / DEMO_HISTORY_DIR / paths.history_db.name if demo else paths.history_db


class WorkerHost(QObject):
    """`host.worker` is the RiskWorker; connect to its signals before `start()`. `history_path` is
    the database the window reads (None: no history); open a HistoryReader on it to read. The worker
    writes it too unless `record_history` is False (a watcher is its writer, storage/writer_lock.py).
    `accounts` are the accounts the worker runs: the journal reuses them rather than reading the
    keyring again on the GUI thread."""

    def __init__(self, accounts: Sequence[AccountSpec] = (), *, interval_s: float = DEFAULT_INTERVAL_S,
                 service_factory: Callable[[], Any] = _default_service, paused: bool = False,
                 alert_config: AlertConfig | None = None, history_path: Path | None = None,
                 streams: bool = True, live_options: Mapping[str, Any] | None = None,
                 record_history: bool = True, report_options: ReportOptions = DEFAULT_REPORT_OPTIONS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history_path = history_path
        self.record_history = record_history
        self.accounts: tuple[AccountSpec, ...] = tuple(accounts)
        self.qthread = QThread()
        self.qthread.setObjectName("riskdesk-worker")
        self.worker = RiskWorker(accounts, interval_s=interval_s, service_factory=service_factory,
                                 paused=paused, alert_config=alert_config,
                                 history_path=history_path if record_history else None,
                                 streams=streams, live_options=live_options,
                                 report_options=report_options)
        self.worker.moveToThread(self.qthread)
        self.qthread.started.connect(self.worker.run)
        self._started = False

    def set_accounts(self, accounts: Sequence[AccountSpec]) -> None:
        """Run these accounts from now on (the account editor changed them)."""
        self.accounts = tuple(accounts)
        self.worker.set_accounts(self.accounts)

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
