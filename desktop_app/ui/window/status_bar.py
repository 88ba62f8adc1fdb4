"""The status bar: each account's freshness, and what the worker is doing."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop_app.domain.snapshot import AccountState
from desktop_app.ui import format as fmt


class FreshnessStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: dict[str, QLabel] = {}
        self.price_label = QLabel(self)  # figures from streamed prices, awaiting a REST refresh
        self.price_label.setVisible(False)
        self.addPermanentWidget(self.price_label)
        self.worker_label = QLabel(self)
        self.addPermanentWidget(self.worker_label)

    def set_price_source(self, *, repriced: bool, rest_at_text: str = "") -> None:
        """Mark figures computed from streamed prices until the next REST update clears it."""
        if not repriced:
            self.price_label.setVisible(False)
            return
        fmt.set_label_text(self.price_label, self.tr("Live prices — awaiting REST confirmation (last {time})")
                           .format(time=rest_at_text))
        fmt.set_severity_style(self.price_label, fmt.Severity.WARN)
        self.price_label.setVisible(True)

    def set_worker_state(self, *, busy: bool, paused: bool, error: str | None = None) -> None:
        if error:
            text = self.tr("Refresh failed: {error}").format(error=error)
            severity = fmt.Severity.DANGER
        elif paused:
            text, severity = self.tr("Paused"), fmt.Severity.WARN
        elif busy:
            text, severity = self.tr("Refreshing…"), fmt.Severity.NONE
        else:
            text, severity = self.tr("Live"), fmt.Severity.OK
        fmt.set_label_text(self.worker_label, text)
        fmt.set_severity_style(self.worker_label, severity)

    def render_accounts(self, accounts: tuple[AccountState, ...], now: float) -> None:
        """One label per account: `● Main 3 s`, or `● Hedge stale 2 min` with the error as tooltip."""
        wanted = [a.account_id for a in accounts]
        for account_id in list(self._labels):
            if account_id not in wanted:
                label = self._labels.pop(account_id)
                self.removeWidget(label)
                label.deleteLater()
        for state in accounts:
            label = self._labels.get(state.account_id)
            if label is None:
                label = QLabel(self)
                self._labels[state.account_id] = label
                self.addWidget(label)
            fmt.set_label_text(label, self.account_text(state, now))
            fmt.set_severity_style(label, fmt.Severity.OK if state.ok
                                   else fmt.Severity.WARN if state.pending else fmt.Severity.DANGER)
            if state.error is None:
                tooltip = ""
            elif state.pending:
                tooltip = self.tr("{name}: {error}").format(name=state.name, error=state.error)
            else:
                tooltip = self.tr("{name}: last refresh failed: {error}").format(name=state.name,
                                                                                 error=state.error)
            if label.toolTip() != tooltip:
                label.setToolTip(tooltip)

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

    def account_labels(self) -> dict[str, QLabel]:
        return dict(self._labels)
