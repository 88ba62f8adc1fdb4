"""User-editable alert thresholds with sensible defaults, serialisable to and from a plain dict
(the settings file stores `AlertConfig.to_dict()`; secrets never belong here).

Every rule has a direction: for "above" rules a higher value is worse (MM rate, drawdown,
concentration, staleness); for "below" rules a lower value is worse (distance to liquidation, the
first-liquidation shock, days until a key expires); "present" rules fire while a condition exists
(a cross-account hedge, severity info). Hysteresis: an alert clears only when the value is back past
its lowest threshold by `clear_margin` (MM rate warns at 50 % and clears below 45 %).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


class AlertConfigError(ValueError):
    """An invalid threshold; `field` names it (e.g. "mm_rate.critical")."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


ABOVE = "above"
BELOW = "below"
PRESENT = "present"

# rule -> (direction, unit of value/threshold/clear_margin)
RULE_DIRECTIONS: dict[str, str] = {
    "mm_rate": ABOVE,
    "liq_distance": BELOW,
    "first_liquidation": BELOW,
    "drawdown": ABOVE,
    "concentration": ABOVE,
    "hedge": PRESENT,
    "stale": ABOVE,
    "api_key_expiry": BELOW,
}
RULE_UNITS: dict[str, str] = {
    "mm_rate": "fraction",  # account maintenance-margin rate; liquidation at 1.0
    "liq_distance": "fraction",  # |liq - mark| / mark of one position
    "first_liquidation": "fraction",  # size of the price move at which the first liquidation happens
    "drawdown": "fraction",  # fall of total equity from its session peak
    "concentration": "fraction",  # one coin's share of gross exposure
    "hedge": "usd",  # hedged amount, informational
    "stale": "poll_intervals",  # age of an account's data, in refresh intervals
    "api_key_expiry": "days",  # days until the API key expires
}


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Thresholds of one rule. None disables a level; `enabled=False` disables the rule."""

    enabled: bool = True
    warning: float | None = None
    critical: float | None = None
    clear_margin: float = 0.0  # in the rule's unit; how far back past the threshold before clearing

    def to_dict(self) -> dict[str, object]:
        return {"enabled": self.enabled, "warning": self.warning, "critical": self.critical,
                "clear_margin": self.clear_margin}


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """All alert thresholds. Construction validates them (May raise: AlertConfigError)."""

    mm_rate: AlertRule = AlertRule(True, 0.50, 0.80, 0.05)
    liq_distance: AlertRule = AlertRule(True, 0.10, 0.05, 0.02)
    first_liquidation: AlertRule = AlertRule(True, 0.15, 0.08, 0.02)
    drawdown: AlertRule = AlertRule(True, 0.05, 0.10, 0.01)
    concentration: AlertRule = AlertRule(True, 0.60, None, 0.05)
    hedge: AlertRule = AlertRule(True, None, None, 0.0)
    stale: AlertRule = AlertRule(True, 3.0, None, 1.0)
    api_key_expiry: AlertRule = AlertRule(True, 7.0, 1.0, 0.0)
    # After an alert clears, the same key stays quiet this long unless it comes back critical, so a
    # value hovering around a threshold cannot notify every few seconds.
    cooldown_s: float = 300.0

    def __post_init__(self) -> None:
        for name in RULE_DIRECTIONS:
            _validate_rule(name, getattr(self, name))
        if not _finite(self.cooldown_s) or self.cooldown_s < 0:
            raise AlertConfigError("cooldown_s", "must be a number of seconds, 0 or more")

    def rule(self, name: str) -> AlertRule:
        """May raise: KeyError for an unknown rule name."""
        if name not in RULE_DIRECTIONS:
            raise KeyError(name)
        return getattr(self, name)  # type: ignore[no-any-return]

    def with_rule(self, name: str, rule: AlertRule) -> AlertConfig:
        """A copy with one rule replaced. May raise: AlertConfigError, KeyError."""
        self.rule(name)
        return replace(self, **{name: rule})

    def to_dict(self) -> dict[str, object]:
        document: dict[str, object] = {name: self.rule(name).to_dict() for name in RULE_DIRECTIONS}
        document["cooldown_s"] = self.cooldown_s
        return document

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AlertConfig:
        """Strict: every given value must be valid; missing ones take their default; unknown keys
        are ignored (a newer version's rules). May raise: AlertConfigError."""
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            if f.name == "cooldown_s":
                values[f.name] = _number(f.name, data[f.name])
            else:
                values[f.name] = _rule_from(f.name, data[f.name], f.default)  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def load_alert_config(data: object) -> tuple[AlertConfig, tuple[str, ...]]:
    """Lenient loading for the settings file: an invalid rule (or cool-down) takes its default and
    yields a message for the user; never raises."""
    if not isinstance(data, Mapping):
        return AlertConfig(), (() if data is None else ("Alert settings are not an object; using defaults.",))
    config = AlertConfig()
    messages: list[str] = []
    for f in fields(AlertConfig):
        if f.name not in data:
            continue
        try:
            config = AlertConfig.from_dict({**config.to_dict(), f.name: data[f.name]})
        except AlertConfigError as exc:
            messages.append(f"Alert setting {exc}; using the default.")
    return config, tuple(messages)


def _rule_from(name: str, raw: object, default: AlertRule) -> AlertRule:
    if not isinstance(raw, Mapping):
        raise AlertConfigError(name, "must be an object with enabled, warning, critical, clear_margin")
    enabled = raw.get("enabled", default.enabled)
    if not isinstance(enabled, bool):
        raise AlertConfigError(f"{name}.enabled", "must be true or false")
    levels = {}
    for level in ("warning", "critical"):
        value = raw.get(level, getattr(default, level))
        levels[level] = None if value is None else _number(f"{name}.{level}", value)
    margin = _number(f"{name}.clear_margin", raw.get("clear_margin", default.clear_margin))
    return AlertRule(enabled, levels["warning"], levels["critical"], margin)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        raise AlertConfigError(name, "must be a finite number")
    return float(value)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validate_rule(name: str, rule: object) -> None:
    if not isinstance(rule, AlertRule):
        raise AlertConfigError(name, "must be an AlertRule")
    direction = RULE_DIRECTIONS[name]
    for level in ("warning", "critical"):
        value = getattr(rule, level)
        if value is not None and (not _finite(value) or value < 0):
            raise AlertConfigError(f"{name}.{level}", "must be a number, 0 or more, or null to disable")
    if not _finite(rule.clear_margin) or rule.clear_margin < 0:
        raise AlertConfigError(f"{name}.clear_margin", "must be a number, 0 or more")
    if direction == PRESENT or rule.warning is None or rule.critical is None:
        return
    if direction == ABOVE and rule.critical <= rule.warning:
        raise AlertConfigError(f"{name}.critical", f"must be above the warning level {rule.warning:g}")
    if direction == BELOW and rule.critical >= rule.warning:
        raise AlertConfigError(f"{name}.critical", f"must be below the warning level {rule.warning:g}")
