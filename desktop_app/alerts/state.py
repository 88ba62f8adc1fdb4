"""What the alert engine remembers between evaluations, as a value that outlives the process.

`riskdesk-cli watch` keeps it in its config dir so that a restart, or the next `--once` run from cron,
carries on where the last one stopped: an alert already raised is not raised (nor sent) again, a
cleared one keeps its cool-down, the drawdown is measured from the same peak, and an account that
has never answered counts its age from when it was first seen. `to_dict` / `from_dict` give plain
JSON values; `from_dict` is strict (a damaged file is refused as a whole, never half read).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from desktop_app.alerts.config import RULE_DIRECTIONS
from desktop_app.alerts.model import ActiveAlert, AlertKey, Severity

STATE_VERSION = 1


class AlertStateError(ValueError):
    """A stored alert state that cannot be used; the message says which part."""


@dataclass(frozen=True, slots=True)
class EngineState:
    active: tuple[ActiveAlert, ...] = ()
    cleared_at_s: tuple[tuple[AlertKey, float], ...] = ()  # when each key cleared (its cool-down)
    first_seen_s: tuple[tuple[str, float], ...] = ()  # account id -> when the engine first saw it
    peak_equity_usd: float | None = None  # the drawdown rule's peak, over `peak_accounts`
    peak_accounts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "version": STATE_VERSION,
            "active": [{"rule": a.rule, "subject": a.subject, "severity": a.severity.value, "value": a.value,
                        "threshold": a.threshold, "message": a.message, "raised_at_s": a.raised_at_s,
                        "updated_at_s": a.updated_at_s} for a in self.active],
            "cleared_at_s": [[rule, subject, t] for (rule, subject), t in self.cleared_at_s],
            "first_seen_s": dict(self.first_seen_s),
            "peak_equity_usd": self.peak_equity_usd,
            "peak_accounts": list(self.peak_accounts),
        }

    @classmethod
    def from_dict(cls, data: object) -> EngineState:
        """May raise: AlertStateError."""
        if not isinstance(data, Mapping) or data.get("version") != STATE_VERSION:
            raise AlertStateError(f"not an alert state of version {STATE_VERSION}")
        active = tuple(_active(item) for item in _list(data, "active"))
        cleared = []
        for item in _list(data, "cleared_at_s"):
            if not isinstance(item, list) or len(item) != 3:
                raise AlertStateError("cleared_at_s: each entry must be [rule, subject, time]")
            key = (_rule(item[0]), _text(item[1], "subject"))
            cleared.append((key, finite_number(item[2], "cleared time")))
        seen = data.get("first_seen_s", {})
        if not isinstance(seen, Mapping):
            raise AlertStateError("first_seen_s must be an object")
        first_seen = tuple((_text(k, "account id"), finite_number(v, "first seen time"))
                           for k, v in seen.items())
        peak = data.get("peak_equity_usd")
        return cls(active=active, cleared_at_s=tuple(cleared), first_seen_s=first_seen,
                   peak_equity_usd=None if peak is None else finite_number(peak, "peak_equity_usd"),
                   peak_accounts=tuple(_text(a, "peak account") for a in _list(data, "peak_accounts")))


def _active(item: object) -> ActiveAlert:
    if not isinstance(item, Mapping):
        raise AlertStateError("active: each entry must be an object")
    try:
        severity = Severity(item.get("severity"))
    except ValueError:
        raise AlertStateError("active: unknown severity") from None
    value, threshold = item.get("value"), item.get("threshold")
    return ActiveAlert((_rule(item.get("rule")), _text(item.get("subject"), "subject")), severity,
                       None if value is None else finite_number(value, "value"),
                       None if threshold is None else finite_number(threshold, "threshold"),
                       _text(item.get("message"), "message"),
                       finite_number(item.get("raised_at_s"), "raised time"),
                       finite_number(item.get("updated_at_s"), "updated time"))


def _list(data: Mapping[str, object], name: str) -> list[object]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise AlertStateError(f"{name} must be a list")
    return value


def _rule(value: object) -> str:
    if value not in RULE_DIRECTIONS:
        raise AlertStateError(f"unknown alert rule {value!r}")
    return str(value)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise AlertStateError(f"{what} must be text")
    return value


def finite_number(value: object, what: str) -> float:
    """`value` as a float when it is a finite JSON number (an integer too large for a float is not).
    May raise: AlertStateError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlertStateError(f"{what} must be a finite number")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise AlertStateError(f"{what} must be a finite number") from None
    if not math.isfinite(number):
        raise AlertStateError(f"{what} must be a finite number")
    return number
