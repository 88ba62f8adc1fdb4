"""The alert state machine: one state per key, fed with every risk report (polled or repriced).

Per key:
- not raised -> RAISED when the value crosses a threshold (at the worst level it crosses);
- warning -> ESCALATED (once) when it crosses the critical threshold;
- critical -> EASED (to warning) when it is back past the critical threshold by `clear_margin`;
- raised -> CLEARED when it is back past its lowest threshold by `clear_margin`, or when its
  subject is gone (position closed, hedge unwound, account removed, rule disabled);
- nothing is repeated while the alert stays at its level; an unknown value (None) changes nothing.
Cool-down: after a key clears it cannot be raised again at warning level for `cooldown_s`; a value
that comes back critical is raised at once, because a critical condition must never wait. A key
held back by the cool-down is raised when the cool-down ends if its value still crosses.

The engine reads no clock in its rules: `evaluate` takes `now_s`, or asks the injected `clock`.
Not thread-safe: call it from one thread (the GUI thread, on each report).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.alerts import rules
from desktop_app.alerts.config import ABOVE, PRESENT, RULE_DIRECTIONS, AlertConfig, AlertRule
from desktop_app.alerts.model import ActiveAlert, AlertEvent, AlertKey, EventKind, Severity, worst
from desktop_app.alerts.state import EngineState
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.i18n import translate
from desktop_app.risk.results import RiskReport

_RULE_ORDER = {name: index for index, name in enumerate(RULE_DIRECTIONS)}


@dataclass(slots=True)
class _State:
    severity: Severity
    value: float | None
    threshold: float | None
    text: str
    raised_at_s: float
    updated_at_s: float


class AlertEngine:
    """Evaluates every rule on each report and emits only the transitions."""

    def __init__(self, config: AlertConfig | None = None, *, poll_interval_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        """May raise: ValueError when `poll_interval_s` is not positive."""
        self._config = config or AlertConfig()
        self.poll_interval_s = poll_interval_s
        self._clock = clock
        self._active: dict[AlertKey, _State] = {}
        self._cleared_at: dict[AlertKey, float] = {}
        self._keys: dict[str, ApiKeyInfo] = {}
        self._first_seen: dict[str, float] = {}
        self._peak_equity_usd: float | None = None
        self._peak_accounts: frozenset[str] = frozenset()

    @property
    def config(self) -> AlertConfig:
        return self._config

    def set_config(self, config: AlertConfig) -> None:
        """New thresholds apply from the next evaluate(); alerts of a disabled rule clear there."""
        self._config = config

    @property
    def poll_interval_s(self) -> float:
        return self._poll_interval_s

    @poll_interval_s.setter
    def poll_interval_s(self, value: float) -> None:
        if not value > 0:
            raise ValueError("poll_interval_s must be positive")
        self._poll_interval_s = float(value)

    def set_api_key_info(self, account_id: str, info: ApiKeyInfo | None) -> None:
        """Remember what `/v5/user/query-api` said about an account's key (None forgets it)."""
        if info is None:
            self._keys.pop(account_id, None)
        else:
            self._keys[account_id] = info

    def reset_session(self) -> None:
        """Forget the session's equity peak (the drawdown rule starts again from the next report)."""
        self._peak_equity_usd = None
        self._peak_accounts = frozenset()

    def evaluate(self, report: RiskReport, snapshot: PortfolioSnapshot | None = None,
                 now_s: float | None = None) -> tuple[AlertEvent, ...]:
        """Run every enabled rule on `report` (and `snapshot` for data ages) at `now_s` (default: the
        engine's clock); returns the transitions, ordered by rule and subject."""
        now = self._clock() if now_s is None else now_s
        self._track_first_seen(report, now)
        peak_equity_usd = self._track_peak(report)
        readings = self._readings(report, snapshot, now, peak_equity_usd)
        events: list[AlertEvent] = []
        for key, reading in readings.items():
            event = self._step(key, reading, now)
            if event is not None:
                events.append(event)
        for key in [k for k in self._active if k not in readings]:
            events.append(self._gone(key, now))
        self._forget_old_cooldowns(now)
        return tuple(sorted(events, key=lambda e: (_RULE_ORDER.get(e.rule, 99), e.subject)))

    def active(self) -> tuple[ActiveAlert, ...]:
        """Current alerts, worst first."""
        alerts = [ActiveAlert(key, s.severity, s.value, s.threshold, s.text, s.raised_at_s, s.updated_at_s)
                  for key, s in self._active.items()]
        return tuple(sorted(alerts, key=lambda a: (-a.severity.rank, _RULE_ORDER.get(a.rule, 99), a.subject)))

    def worst_severity(self) -> Severity | None:
        """The tray colour: the worst active severity, None when all is quiet."""
        return worst([s.severity for s in self._active.values()])

    def export_state(self) -> EngineState:
        """What this engine remembers (active alerts, cool-downs, first sightings, the peak), to carry
        over into another process with `restore_state`."""
        return EngineState(active=self.active(), cleared_at_s=tuple(sorted(self._cleared_at.items())),
                           first_seen_s=tuple(sorted(self._first_seen.items())),
                           peak_equity_usd=self._peak_equity_usd,
                           peak_accounts=tuple(sorted(self._peak_accounts)))

    def restore_state(self, state: EngineState) -> None:
        """Carry on from `state`: its alerts are active (not raised again while they hold), its
        cool-downs run on, the drawdown keeps its peak. Replaces what this engine remembered."""
        self._active = {a.key: _State(a.severity, a.value, a.threshold, a.message, a.raised_at_s,
                                      a.updated_at_s) for a in state.active}
        self._cleared_at = dict(state.cleared_at_s)
        self._first_seen = dict(state.first_seen_s)
        self._peak_equity_usd = state.peak_equity_usd
        self._peak_accounts = frozenset(state.peak_accounts)

    # --- rules ---------------------------------------------------------------------------

    def _readings(self, report: RiskReport, snapshot: PortfolioSnapshot | None, now: float,
                  peak_equity_usd: float | None) -> dict[AlertKey, rules.Reading]:
        config = self._config
        produced: list[rules.Reading] = []
        if config.mm_rate.enabled:
            produced += rules.mm_rate(report)
        if config.liq_distance.enabled:
            produced += rules.liq_distance(report)
        if config.first_liquidation.enabled:
            produced += rules.first_liquidation(report)
        if config.drawdown.enabled:
            produced += rules.drawdown(report, peak_equity_usd)
        if config.concentration.enabled:
            produced += rules.concentration(report)
        if config.hedge.enabled:
            produced += rules.hedges(report)
        if config.stale.enabled:
            produced += rules.stale(report, snapshot, now, self._poll_interval_s, self._first_seen)
        if config.api_key_expiry.enabled:
            produced += rules.api_key_expiry(report, self._keys, now)
        return {reading.key: reading for reading in produced}

    def _track_first_seen(self, report: RiskReport, now: float) -> None:
        present = {a.account_id for a in report.accounts}
        for account_id in present:
            self._first_seen.setdefault(account_id, now)
        for account_id in [a for a in self._first_seen if a not in present]:
            del self._first_seen[account_id]

    def _track_peak(self, report: RiskReport) -> float | None:
        """The session peak to measure this report's drawdown against; None when it is not comparable.

        Total equity jumps when an account is added, removed or has no data at all; that is not a
        drawdown, so the peak restarts whenever the set of accounts in the total changes, and a
        report with an account missing is not compared at all.
        """
        equity = report.totals.equity_usd
        if equity is None or report.totals.accounts_missing:
            return None
        accounts = frozenset(a.account_id for a in report.accounts if a.equity_usd is not None)
        if accounts != self._peak_accounts or self._peak_equity_usd is None:
            self._peak_accounts = accounts
            self._peak_equity_usd = equity
        else:
            self._peak_equity_usd = max(self._peak_equity_usd, equity)
        return self._peak_equity_usd

    # --- state machine ---------------------------------------------------------------------

    def _step(self, key: AlertKey, reading: rules.Reading, now: float) -> AlertEvent | None:
        rule_name = key[0]
        rule = self._config.rule(rule_name)
        direction = RULE_DIRECTIONS[rule_name]
        state = self._active.get(key)
        if reading.value is None:
            return None  # unknown now: neither raise nor clear
        level, threshold = _level(direction, rule, reading.value)
        if state is None:
            if level is None or self._cooling(key, level, now):
                return None
            self._active[key] = _State(level, reading.value, threshold, reading.text, now, now)
            return AlertEvent(key, level, EventKind.RAISED, reading.value, threshold, reading.text, now)
        state.value, state.text, state.updated_at_s = reading.value, reading.text, now
        if level is not None and level.rank > state.severity.rank:
            state.severity, state.threshold = level, threshold
            return AlertEvent(key, level, EventKind.ESCALATED, reading.value, threshold, reading.text, now)
        if direction == PRESENT:
            return None
        lowest = _lowest_threshold(direction, rule)
        if lowest is None or _past(direction, reading.value, lowest, rule.clear_margin):
            del self._active[key]
            self._cleared_at[key] = now
            return AlertEvent(key, state.severity, EventKind.CLEARED, reading.value, lowest,
                              translate("alerts", "Back to normal: {text}").format(text=reading.text), now)
        if (state.severity is Severity.CRITICAL and rule.critical is not None
                and _past(direction, reading.value, rule.critical, rule.clear_margin)):
            state.severity, state.threshold = Severity.WARNING, rule.warning
            return AlertEvent(key, Severity.WARNING, EventKind.EASED, reading.value, rule.critical,
                              reading.text, now)
        return None

    def _gone(self, key: AlertKey, now: float) -> AlertEvent:
        state = self._active.pop(key)
        self._cleared_at[key] = now
        return AlertEvent(key, state.severity, EventKind.CLEARED, None, state.threshold,
                          translate("alerts", "No longer applies: {text}").format(text=state.text), now)

    def _cooling(self, key: AlertKey, level: Severity, now: float) -> bool:
        cleared_at = self._cleared_at.get(key)
        if cleared_at is None or level is Severity.CRITICAL:
            return False
        return now - cleared_at < self._config.cooldown_s

    def _forget_old_cooldowns(self, now: float) -> None:
        cooldown_s = self._config.cooldown_s
        for key in [k for k, t in self._cleared_at.items() if now - t >= cooldown_s]:
            del self._cleared_at[key]


def _level(direction: str, rule: AlertRule, value: float) -> tuple[Severity | None, float | None]:
    """The worst level `value` crosses, and that level's threshold."""
    if direction == PRESENT:
        return Severity.INFO, None
    if rule.critical is not None and _crosses(direction, value, rule.critical):
        return Severity.CRITICAL, rule.critical
    if rule.warning is not None and _crosses(direction, value, rule.warning):
        return Severity.WARNING, rule.warning
    return None, None


def _crosses(direction: str, value: float, threshold: float) -> bool:
    return value >= threshold if direction == ABOVE else value <= threshold


def _past(direction: str, value: float, threshold: float, margin: float) -> bool:
    """Back on the safe side of `threshold` by more than `margin`."""
    return value < threshold - margin if direction == ABOVE else value > threshold + margin


def _lowest_threshold(direction: str, rule: AlertRule) -> float | None:
    return rule.warning if rule.warning is not None else rule.critical
