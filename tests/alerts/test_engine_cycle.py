"""Every threshold rule through the same scripted life: raise, no repeat, escalate, ease, hysteresis,
clear, cool-down, and a critical value that skips the cool-down.

Values per rule are chosen by hand from the default thresholds (written next to each):
"hold" is back on the safe side of the warning threshold but not by the clear margin yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from desktop_app.alerts import AlertEngine, EventKind, Severity
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.risk.results import RiskReport
from tests.alerts import factories as f

POLL_S = 10.0
COOLDOWN_S = 300.0  # the default


def key_info(expires_at: datetime | None, deadline_day: int | None = None) -> ApiKeyInfo:
    return ApiKeyInfo(key_id="k", note="", read_only=True, permissions=(), ips=("1.2.3.4",),
                      deadline_day=deadline_day, expires_at=expires_at, created_at=None, is_unified=True,
                      user_id=1, is_master=True)


Make = Callable[[AlertEngine, float, float], RiskReport]


def mm(engine: AlertEngine, value: float, now: float) -> RiskReport:
    return f.report([f.account("Hedge", mm_rate=value)], taken_at=now)


def liq(engine: AlertEngine, value: float, now: float) -> RiskReport:
    return f.report([f.account("Main")], [f.position("Main", liq_distance=value)], taken_at=now)


def first(engine: AlertEngine, value: float, now: float) -> RiskReport:
    return f.report([f.account("Main")], first_liquidation=f.first_liq(-value), taken_at=now)


def drawdown(engine: AlertEngine, value: float, now: float) -> RiskReport:
    # Peak 100,000 USD is set by the "safe" step (value 0); equity = 100,000 × (1 − value).
    return f.report([f.account("Main", equity=100_000.0 * (1 - value))], taken_at=now)


def concentration(engine: AlertEngine, value: float, now: float) -> RiskReport:
    # BTC gross = value × 10,000; ETH the rest of a 10,000 USD gross exposure.
    exposure = [f.coin("BTC", value * 10_000), f.coin("ETH", (1 - value) * 10_000)]
    return f.report([f.account("Main")], exposure=exposure, taken_at=now)


def stale(engine: AlertEngine, value: float, now: float) -> RiskReport:
    # value in poll intervals: age = value × 10 s at the report's time.
    return f.report([f.account("Main", age_s=value * POLL_S, stale=value > 1)], taken_at=now)


def key_expiry(engine: AlertEngine, value: float, now: float) -> RiskReport:
    engine.set_api_key_info("main", key_info(datetime.fromtimestamp(now + value * 86_400, tz=UTC)))
    return f.report([f.account("Main")], taken_at=now)


@dataclass(frozen=True)
class Case:
    rule: str
    key: tuple[str, str]
    make: Make
    safe: float
    warn: float
    warn2: float  # worse, still warning level
    crit: float | None
    crit2: float | None
    eased: float | None  # past critical by more than the margin, still at warning level
    hold: float  # past warning, within the clear margin: stays raised
    clear: float


CASES = [
    # warn 0.50, critical 0.80, margin 0.05: eases below 0.75, clears below 0.45
    Case("mm_rate", ("mm_rate", "Hedge"), mm, 0.30, 0.55, 0.60, 0.85, 0.90, 0.70, 0.47, 0.44),
    # warn 0.10, critical 0.05, margin 0.02: eases above 0.07, clears above 0.12
    Case("liq_distance", ("liq_distance", "Main/BTCUSDT/long"), liq, 0.30, 0.09, 0.08, 0.04, 0.03, 0.08,
         0.11, 0.13),
    # warn 0.15, critical 0.08, margin 0.02: eases above 0.10, clears above 0.17
    Case("first_liquidation", ("first_liquidation", "portfolio"), first, 0.40, 0.14, 0.12, 0.07, 0.05, 0.12,
         0.16, 0.18),
    # warn 0.05, critical 0.10, margin 0.01: eases below 0.09, clears below 0.04
    Case("drawdown", ("drawdown", "portfolio"), drawdown, 0.0, 0.06, 0.07, 0.11, 0.12, 0.08, 0.045, 0.03),
    # warn 0.60, no critical, margin 0.05: clears below 0.55
    Case("concentration", ("concentration", "BTC"), concentration, 0.50, 0.65, 0.70, None, None, None,
         0.58, 0.54),
    # warn 3 intervals, no critical, margin 1: clears below 2
    Case("stale", ("stale", "Main"), stale, 1.0, 3.5, 5.0, None, None, None, 2.5, 1.5),
    # warn 7 days, critical 1 day, margin 0: eases above 1, clears above 7 (7.0 itself still warns)
    Case("api_key_expiry", ("api_key_expiry", "Main"), key_expiry, 30.0, 6.0, 5.0, 0.5, 0.25, 3.0, 7.0, 8.0),
]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_life_cycle(case: Case) -> None:
    engine = AlertEngine(f.only(case.rule), poll_interval_s=POLL_S, clock=lambda: pytest.fail("clock read"))
    now = f.NOW

    def step(value: float, advance_s: float = 10.0) -> list[tuple[EventKind, Severity]]:
        nonlocal now
        now += advance_s
        events = engine.evaluate(case.make(engine, value, now), None, now)
        assert all(e.key == case.key and e.time_s == now for e in events)
        return [(e.kind, e.severity) for e in events]

    assert step(case.safe) == []
    assert engine.worst_severity() is None
    assert step(case.warn) == [(EventKind.RAISED, Severity.WARNING)]
    assert step(case.warn2) == []  # no repeat while raised
    assert step(case.warn) == []
    assert engine.worst_severity() is Severity.WARNING
    if case.crit is not None:
        assert case.crit2 is not None and case.eased is not None
        assert step(case.crit) == [(EventKind.ESCALATED, Severity.CRITICAL)]
        assert step(case.crit2) == []  # escalated once
        assert engine.worst_severity() is Severity.CRITICAL
        assert step(case.eased) == [(EventKind.EASED, Severity.WARNING)]
        assert step(case.warn) == []
    assert step(case.hold) == []  # hysteresis: not back by the margin yet
    assert [a.key for a in engine.active()] == [case.key]
    assert step(case.clear) == [(EventKind.CLEARED, Severity.WARNING)]
    assert engine.active() == ()
    # Cool-down: the same key cannot come back at warning level within 300 s of clearing.
    assert step(case.warn, 10.0) == []
    assert step(case.warn, COOLDOWN_S - 20.0) == []  # 290 s after clearing
    assert engine.active() == ()
    assert step(case.warn, 10.0) == [(EventKind.RAISED, Severity.WARNING)]  # 300 s after: raised
    assert step(case.clear) == [(EventKind.CLEARED, Severity.WARNING)]
    if case.crit is not None:
        # ...but a critical value is raised at once, cool-down or not.
        assert step(case.crit) == [(EventKind.RAISED, Severity.CRITICAL)]
        assert step(case.clear) == [(EventKind.CLEARED, Severity.CRITICAL)]


@pytest.mark.parametrize("case", [c for c in CASES if c.crit is not None], ids=lambda c: c.rule)
def test_straight_to_critical_is_one_raise(case: Case) -> None:
    engine = AlertEngine(f.only(case.rule), poll_interval_s=POLL_S)
    events = engine.evaluate(case.make(engine, case.safe, f.NOW), None, f.NOW)
    assert events == ()
    events = engine.evaluate(case.make(engine, case.crit, f.NOW + 10), None, f.NOW + 10)  # type: ignore[arg-type]
    assert [(e.kind, e.severity) for e in events] == [(EventKind.RAISED, Severity.CRITICAL)]
    rule = engine.config.rule(case.rule)
    assert events[0].threshold == rule.critical
    assert events[0].value == pytest.approx(case.crit)
