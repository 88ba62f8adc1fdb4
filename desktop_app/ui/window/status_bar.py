"""The status bar: the accounts' freshness in one line, and what the worker is doing.

One summary for all accounts, problems first ("● Hedge stale 2 min   ● 4 accounts OK, oldest data 3 s"),
each account with its age and error in the tooltip: twenty accounts named "Sub-account N" must not make
the window wider than a laptop screen. Every label here gives way (elides, whole text in its tooltip).
"""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar, QWidget

from desktop_app.domain.snapshot import AccountState
from desktop_app.ui import format as fmt
from desktop_app.ui.elided_label import ElidedLabel


class FreshnessStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accounts_label = ElidedLabel(parent=self)
        self.addWidget(self.accounts_label, 1)
        self.price_label = ElidedLabel(parent=self)  # figures from streamed prices, awaiting a REST refresh
        self.price_label.setVisible(False)
        self.addPermanentWidget(self.price_label)
        self.worker_label = ElidedLabel(parent=self)
        self.addPermanentWidget(self.worker_label)
        self._busy = False
        self._paused = False
        self._error: str | None = None

    def set_price_source(self, *, repriced: bool, rest_at_text: str = "") -> None:
        """Mark figures computed from streamed prices until the next REST update clears it."""
        if not repriced:
            self.price_label.setVisible(False)
            return
        fmt.set_label_text(self.price_label, self.tr("Live prices — awaiting REST confirmation (last {time})")
                           .format(time=rest_at_text))
        fmt.set_severity_style(self.price_label, fmt.Severity.WARN)
        self.price_label.setVisible(True)

    # --- the worker's state: the last error stays until the next update clears it ---------------

    def set_error(self, error: str | None) -> None:
        self._error = error
        self._render_worker()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._render_worker()

    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        self._render_worker()

    def set_worker_state(self, *, busy: bool, paused: bool, error: str | None = None) -> None:
        self._busy, self._paused, self._error = busy, paused, error
        self._render_worker()

    def _render_worker(self) -> None:
        if self._error:
            text = self.tr("Refresh failed: {error}").format(error=self._error)
            severity = fmt.Severity.DANGER
        elif self._paused:
            text, severity = self.tr("Paused"), fmt.Severity.WARN
        elif self._busy:
            text, severity = self.tr("Refreshing…"), fmt.Severity.NONE
        else:
            text, severity = self.tr("Live"), fmt.Severity.OK
        fmt.set_label_text(self.worker_label, text)
        fmt.set_severity_style(self.worker_label, severity)

    # --- accounts ---------------------------------------------------------------------------------

    def render_accounts(self, accounts: tuple[AccountState, ...], now: float) -> None:
        """The accounts in one line: each one with a problem by name, then how many are fine and the
        age of the oldest of their data; every account's state and error in the tooltip."""
        problems = [a for a in accounts if not a.ok]
        fine = [a for a in accounts if a.ok]
        parts = [self.account_text(state, now) for state in problems]
        if len(fine) == 1:
            parts.append(self.account_text(fine[0], now))
        elif fine:
            oldest = max((a.age_s(now) for a in fine), key=lambda age: -1.0 if age is None else age)
            parts.append(self.tr("● {count} accounts OK, oldest data {age}").format(
                count=len(fine), age=fmt.age(oldest)))
        fmt.set_label_text(self.accounts_label, "   ".join(parts))
        severity = fmt.Severity.OK
        if any(a.pending for a in problems):
            severity = fmt.Severity.WARN
        if any(not a.pending for a in problems):
            severity = fmt.Severity.DANGER
        fmt.set_severity_style(self.accounts_label, severity if accounts else fmt.Severity.NONE)
        self.accounts_label.set_details("\n".join(self._account_detail(state, now) for state in accounts))

    def _account_detail(self, state: AccountState, now: float) -> str:
        text = self.account_text(state, now)
        if state.error is None:
            return text
        if state.pending:
            return self.tr("{account}: {error}").format(account=text, error=state.error)
        return self.tr("{account}: last refresh failed: {error}").format(account=text, error=state.error)

    def account_text(self, state: AccountState, now: float) -> str:
        age = fmt.age(state.age_s(now))
        if state.ok:
            return self.tr("● {name} {age}").format(name=state.name, age=age)
        if state.pending:
            return self.tr("● {name} waiting {age}").format(name=state.name, age=age) \
                if state.data is not None else self.tr("● {name} waiting").format(name=state.name)
        if state.data is not None:
            return self.tr("● {name} stale {age}").format(name=state.name, age=age)
        return self.tr("● {name} failed").format(name=state.name)
