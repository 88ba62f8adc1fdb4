"""The alert engine's memory carried into another process (the watcher's restarts and --once runs):
an alert already raised is not raised again, a cool-down runs on, the drawdown keeps its peak."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.alerts import AlertEngine, EventKind, Severity
from desktop_app.alerts.state import AlertStateError, EngineState
from desktop_app.storage.watch_state import WatchState, load_watch_state, save_watch_state
from tests.alerts import factories as f

POLL_S = 300.0
T0 = f.NOW


def _through_json(state: EngineState) -> EngineState:
    return EngineState.from_dict(json.loads(json.dumps(state.to_dict(), allow_nan=False)))


def _mm(value: float, now: float, equity: float = 10_000.0) -> object:
    return f.report([f.account("Hedge", mm_rate=value, equity=equity)], taken_at=now)


def _engine(state: EngineState | None = None) -> AlertEngine:
    engine = AlertEngine(f.only("mm_rate"), poll_interval_s=POLL_S)
    if state is not None:
        engine.restore_state(state)
    return engine


def test_a_raised_alert_is_not_raised_again_by_the_next_run_and_escalates_once() -> None:
    first = _engine()
    [raised] = first.evaluate(_mm(0.6, T0), now_s=T0)  # 60%: warning (50%), not critical (80%)
    assert (raised.kind, raised.severity) == (EventKind.RAISED, Severity.WARNING)
    second = _engine(_through_json(first.export_state()))
    assert second.active() == first.active()
    assert second.evaluate(_mm(0.62, T0 + 300), now_s=T0 + 300) == ()
    [escalated] = second.evaluate(_mm(0.85, T0 + 600), now_s=T0 + 600)
    assert (escalated.kind, escalated.severity) == (EventKind.ESCALATED, Severity.CRITICAL)
    assert second.active()[0].raised_at_s == T0  # still the alert raised by the first run


def test_the_cool_down_runs_on_across_runs_and_a_critical_value_skips_it() -> None:
    first = _engine()
    first.evaluate(_mm(0.6, T0), now_s=T0)
    [cleared] = first.evaluate(_mm(0.4, T0 + 60), now_s=T0 + 60)  # below 50% - 5%: cleared
    assert cleared.kind is EventKind.CLEARED
    second = _engine(_through_json(first.export_state()))
    assert second.evaluate(_mm(0.6, T0 + 120), now_s=T0 + 120) == ()  # 60 s into the 300 s cool-down
    [critical] = second.evaluate(_mm(0.9, T0 + 180), now_s=T0 + 180)
    assert (critical.kind, critical.severity) == (EventKind.RAISED, Severity.CRITICAL)


def test_the_drawdown_peak_carries_over() -> None:
    first = AlertEngine(f.only("drawdown"), poll_interval_s=POLL_S)
    assert first.evaluate(_mm(0.1, T0, equity=10_000.0), now_s=T0) == ()
    second = AlertEngine(f.only("drawdown"), poll_interval_s=POLL_S)
    second.restore_state(_through_json(first.export_state()))
    # 9,400 is 6% below the first run's 10,000: a warning (5%) a fresh engine could not see.
    [raised] = second.evaluate(_mm(0.1, T0 + 300, equity=9_400.0), now_s=T0 + 300)
    assert raised.key == ("drawdown", "portfolio") and raised.value == pytest.approx(0.06)


@pytest.mark.parametrize("document", [
    None, [], {"version": 2}, {"version": 1, "active": [{"rule": "nope"}]},
    {"version": 1, "active": [{"rule": "mm_rate", "subject": "Hedge", "severity": "loud"}]},
    {"version": 1, "cleared_at_s": [["mm_rate", "Hedge"]]}, {"version": 1, "peak_equity_usd": "1"},
    {"version": 1, "first_seen_s": {"a": True}}, {"version": 1, "peak_equity_usd": 10 ** 400},
    {"version": 1, "first_seen_s": {"a": -(10 ** 400)}},
])
def test_a_damaged_state_is_refused_as_a_whole(document: object) -> None:
    with pytest.raises(AlertStateError):
        EngineState.from_dict(document)


def test_the_watch_state_file_round_trip_and_a_damaged_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "watch-state.json"
    assert load_watch_state(path) == (WatchState(), None)
    engine = _engine()
    engine.evaluate(_mm(0.6, T0), now_s=T0)
    state = WatchState(engine.export_state(), ("id-main",), (("RiskDesk\n🟠 WARNING: Hedge", T0),))
    save_watch_state(path, state)
    assert load_watch_state(path) == (state, None)
    for undelivered in (b'[{"text": "x", "since_s": "1"}]', b'{"text": "x"}',
                        b'[{"text": "x", "since_s": 1e999}]'):
        path.write_bytes(b'{"version": 1, "engine": {"version": 1}, "undelivered": ' + undelivered + b"}")
        assert load_watch_state(path)[0] == WatchState()
    path.write_bytes(b'{"version": 1, "engine": {"version": 1, "active": 5}}')
    empty, problem = load_watch_state(path)
    assert empty == WatchState() and problem is not None and "damaged (active must be a list)" in problem
    assert path.read_bytes().startswith(b'{"version": 1')  # left as it was for the user to see


HOSTILE_STATES = {
    "a 401-digit peak": b'{"version": 1, "engine": {"version": 1, "peak_equity_usd": 1' + b"0" * 400 + b"}}",
    "a 401-digit time": (b'{"version": 1, "engine": {"version": 1}, '
                         b'"undelivered": [{"text": "x", "since_s": 1' + b"0" * 400 + b"}]}"),
    "nested": b"[" * 100_000 + b"]" * 100_000,
    "NaN": b'{"version": 1, "engine": {"version": 1, "peak_equity_usd": NaN}}',
    "not UTF-8": b'{"version": 1, "engine": \xff}',
    "an empty file": b"",
}


@pytest.mark.parametrize("content", HOSTILE_STATES.values(), ids=HOSTILE_STATES.keys())
def test_a_hostile_watch_state_file_starts_afresh_with_a_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "watch-state.json"
    path.write_bytes(content)
    state, problem = load_watch_state(path)
    assert state == WatchState()
    assert problem is not None and problem.startswith(f"the watcher state {path} is damaged (")
    assert problem.endswith("); starting afresh") and "\n" not in problem
