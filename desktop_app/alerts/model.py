"""Alert values: severities, event kinds, the events the engine emits and the alerts it keeps active.

An alert is identified by its key `(rule, subject)`, e.g. `("mm_rate", "Hedge")` or
`("liq_distance", "Main/BTCUSDT/long")`: the engine keeps one state machine per key, so the same
condition on the same subject is never reported twice while it stays raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AlertKey = tuple[str, str]  # (rule name, subject: account, coin, position or "portfolio")


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for critical: compare severities by rank, not by text."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def worst(severities: tuple[Severity, ...] | list[Severity]) -> Severity | None:
    """The highest severity of `severities`, or None when there is none."""
    return max(severities, key=lambda s: s.rank, default=None)


class EventKind(StrEnum):
    RAISED = "raised"  # the threshold was crossed (or the condition appeared)
    ESCALATED = "escalated"  # got worse while raised: warning -> critical
    EASED = "eased"  # back past the critical threshold by the margin, still past the warning one
    CLEARED = "cleared"  # back past the threshold by the margin, or the subject is gone

    @property
    def notify(self) -> bool:
        """Whether the event deserves a notification: raised and escalated do; eased and cleared are
        logged and update the tray colour, but a trader need not be interrupted for good news."""
        return self in (EventKind.RAISED, EventKind.ESCALATED)


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One transition of one alert. `value` and `threshold` are in the rule's unit (see
    `desktop_app.alerts.config.RULE_UNITS`): fractions for rates, poll intervals for staleness, days
    for key expiry. `value` is None when the subject disappeared (position closed, account removed)."""

    key: AlertKey
    severity: Severity  # for CLEARED: the severity the alert had when it cleared
    kind: EventKind
    value: float | None
    threshold: float | None  # the threshold crossed (raised/escalated) or the one cleared against
    message: str  # for the trader, e.g. "Hedge: margin rate 82% — liquidation at 100%"
    time_s: float  # epoch seconds, from the engine's clock or the `now_s` given to evaluate()

    @property
    def rule(self) -> str:
        return self.key[0]

    @property
    def subject(self) -> str:
        return self.key[1]


Alert = AlertEvent  # the name for an alert event record


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """An alert that is currently raised, with its latest value."""

    key: AlertKey
    severity: Severity
    value: float | None
    threshold: float | None
    message: str  # describes the latest value
    raised_at_s: float
    updated_at_s: float

    @property
    def rule(self) -> str:
        return self.key[0]

    @property
    def subject(self) -> str:
        return self.key[1]
