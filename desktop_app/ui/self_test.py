"""`riskdesk --self-test`: open the window, wait for the first snapshot, report it in one line.

Exit 0 with `self-test ok: N accounts, M positions; keyring: KEYRING` when the first snapshot is
complete (every account fetched) and rendered; exit 1 with the reason when an account fails, a
refresh fails, or nothing arrives within the timeout. Accounts still waiting for their first answer
are waited for; a stream that is still retrying while REST works is no failure (the figures come
from REST; streams only move them between polls). KEYRING is `BACKEND, round-trip ok` when the
keyring backend that would store API secrets stored, read back and deleted a throw-away secret,
`BACKEND, round-trip failed: REASON` when it did not, and `none usable` without a backend (demo mode
needs none; a packaged build checks that the round trip works).
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

from desktop_app.storage.secrets import SecretStore
from desktop_app.ui.window.main_window import MainWindow
from desktop_app.ui.worker.messages import STREAM, WorkerError

SELF_TEST_TIMEOUT_S = 30.0


def keyring_status(store: SecretStore) -> str:
    """`BACKEND, round-trip ok`, `BACKEND, round-trip failed: REASON` or `none usable`."""
    backend = store.usable_backend_name()
    if backend is None:
        return "none usable"
    problem = store.round_trip_problem()
    return f"{backend}, round-trip ok" if problem is None else f"{backend}, round-trip failed: {problem}"


class SelfTest(QObject):
    def __init__(self, window: MainWindow, *, account_count: int, no_accounts_reason: str | None = None,
                 timeout_s: float = SELF_TEST_TIMEOUT_S) -> None:
        """`no_accounts_reason` says why no account can run although some are configured (the
        keyring is missing); without it, no account means none is configured."""
        super().__init__(window)
        self.window = window
        self.exit_code: int | None = None
        self.line = ""
        self._timeout_s = timeout_s
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(timeout_s * 1000))
        self._timer.timeout.connect(self._on_timeout)
        self._no_accounts_reason = no_accounts_reason
        window.sig_update_rendered.connect(self._on_rendered)
        window.host.worker.sig_error.connect(self._on_error)
        if account_count == 0:
            QTimer.singleShot(0, self._no_accounts)
        else:
            self._timer.start()

    @Slot()
    def _no_accounts(self) -> None:
        if self._no_accounts_reason:
            self._finish(1, f"self-test failed: {self._no_accounts_reason}")
            return
        self._finish(1, "self-test failed: no enabled accounts are configured (add one, or use --demo)")

    @Slot(object)
    def _on_rendered(self, update: Any) -> None:
        snapshot = update.snapshot
        if any(a.pending for a in snapshot.accounts):
            return  # shown as each answers: wait for the rest (the timeout bounds the wait)
        failed = [a for a in snapshot.accounts if not a.ok]
        if failed:
            reasons = "; ".join(f"{a.name}: {a.error or 'no data'}" for a in failed)
            total = len(snapshot.accounts)
            self._finish(1, f"self-test failed: {len(failed)} of {total} accounts failed ({reasons})")
            return
        accounts, positions = len(snapshot.accounts), len(update.report.positions)
        self._finish(0, f"self-test ok: {accounts} accounts, {positions} positions; "
                        f"keyring: {keyring_status(SecretStore())}")

    @Slot(object)
    def _on_error(self, error: WorkerError) -> None:
        if error.source == STREAM:
            return  # REST decides; the timeout still catches a refresh that never completes
        self._finish(1, f"self-test failed: {error.message}")

    @Slot()
    def _on_timeout(self) -> None:
        self._finish(1, f"self-test failed: no complete snapshot within {self._timeout_s:g} s")

    def _finish(self, code: int, line: str) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self.line = line
        self._timer.stop()
        print(line, file=sys.stdout if code == 0 else sys.stderr, flush=True)
        self.window.close()
        QCoreApplication.exit(code)
