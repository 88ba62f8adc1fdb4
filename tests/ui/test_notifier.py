"""Notifier: batching, rate limit, burst summary and pause, through a recording sink and a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from desktop_app.alerts import AlertEvent, EventKind, Severity
from desktop_app.ui.alerts.notifier import PAUSE_ONE_HOUR_S, Notifier, summarise


@dataclass
class FakeClock:
    now_s: float = 1000.0

    def __call__(self) -> float:
        return self.now_s


@dataclass
class FakeSink:
    sent: list[tuple[str, str, Severity]] = field(default_factory=list)

    def notify(self, title: str, message: str, severity: Severity) -> None:
        self.sent.append((title, message, severity))


def event(subject: str, severity: Severity = Severity.WARNING, kind: EventKind = EventKind.RAISED,
          message: str | None = None, rule: str = "mm_rate", time_s: float = 0.0) -> AlertEvent:
    return AlertEvent((rule, subject), severity, kind, 0.5, 0.5, message or f"{subject}: alert", time_s)


@pytest.fixture
def rig(qtbot):
    clock, sink = FakeClock(), FakeSink()
    notifier = Notifier(sink, min_interval_s=5.0, batch_delay_s=0.5, clock=clock)
    return notifier, sink, clock


def test_one_event_is_sent_with_its_own_message(rig) -> None:
    notifier, sink, _ = rig
    notifier.on_event(event("Hedge", Severity.CRITICAL, message="Hedge: margin rate 82%"))
    assert notifier.flush() is True
    assert sink.sent == [("RiskDesk: critical alert", "Hedge: margin rate 82%", Severity.CRITICAL)]


def test_burst_becomes_one_summary_worst_first(rig) -> None:
    notifier, sink, _ = rig
    notifier.on_events([
        event("Main", Severity.WARNING, message="Main: margin rate 55%"),
        event("Hedge", Severity.CRITICAL, message="Hedge: margin rate 82%"),
        event("Copy", Severity.INFO, message="Copy: key expires in 5 days", rule="key_expiry"),
    ])
    assert notifier.flush() is True
    assert len(sink.sent) == 1
    title, text, severity = sink.sent[0]
    assert title == "RiskDesk: 3 alerts"
    assert text == ("3 alerts: Hedge: margin rate 82% (critical), Main: margin rate 55% (warning), "
                    "Copy: key expires in 5 days (info)")
    assert severity is Severity.CRITICAL


def test_rate_limit_holds_the_next_batch_until_the_interval_passed(rig) -> None:
    notifier, sink, clock = rig
    notifier.on_event(event("Main"))
    assert notifier.flush() is True
    # 2 s later (interval 5 s): two more events wait instead of interrupting again.
    clock.now_s += 2.0
    notifier.on_event(event("Hedge"))
    notifier.on_event(event("Swing"))
    assert notifier.flush() is False
    assert len(sink.sent) == 1
    assert len(notifier.pending) == 2
    # 1000 + 5 = 1005 is the earliest next notification; at 1004.9 still nothing.
    clock.now_s = 1004.9
    assert notifier.flush() is False
    clock.now_s = 1005.0
    assert notifier.flush() is True
    assert [s[0] for s in sink.sent] == ["RiskDesk: warning alert", "RiskDesk: 2 alerts"]


def test_only_raised_and_escalated_interrupt(rig) -> None:
    notifier, sink, _ = rig
    notifier.on_events([event("Main", kind=EventKind.CLEARED), event("Hedge", kind=EventKind.EASED)])
    assert notifier.pending == ()
    assert notifier.flush() is False
    assert sink.sent == []


def test_raised_then_escalated_in_one_batch_counts_once_at_the_newer_level(rig) -> None:
    notifier, sink, _ = rig
    notifier.on_events([event("Hedge", Severity.WARNING, message="Hedge 60%"),
                        event("Hedge", Severity.CRITICAL, EventKind.ESCALATED, message="Hedge 85%")])
    notifier.flush()
    assert sink.sent == [("RiskDesk: critical alert", "Hedge 85%", Severity.CRITICAL)]


def test_pause_one_hour_drops_notifications_then_resumes(rig, qtbot) -> None:
    notifier, sink, clock = rig
    notifier.on_event(event("Queued before the pause"))
    with qtbot.waitSignal(notifier.sig_paused_changed) as blocker:
        notifier.pause_one_hour()
    assert blocker.args == [True]
    assert notifier.pending == ()  # what was queued is dropped too
    notifier.on_event(event("Main"))
    assert notifier.flush() is False
    # 3600 s pause from 1000: paused at 4599.9, free again at 4600.
    clock.now_s = 1000.0 + PAUSE_ONE_HOUR_S - 0.1
    assert notifier.paused
    assert notifier.paused_for_s() == pytest.approx(0.1)
    clock.now_s = 1000.0 + PAUSE_ONE_HOUR_S
    assert not notifier.paused
    notifier.on_event(event("Hedge", message="Hedge after the pause"))
    assert notifier.flush() is True
    assert sink.sent == [("RiskDesk: warning alert", "Hedge after the pause", Severity.WARNING)]


def test_resume_ends_the_pause_early(rig) -> None:
    notifier, sink, _ = rig
    notifier.pause(PAUSE_ONE_HOUR_S)
    notifier.resume()
    notifier.on_event(event("Main"))
    assert notifier.flush() is True
    assert len(sink.sent) == 1


def test_timer_sends_after_the_batch_delay(qtbot) -> None:
    """The real GUI timer path: short intervals, the real clock, waiting on the signal."""
    sink = FakeSink()
    notifier = Notifier(sink, min_interval_s=0.2, batch_delay_s=0.02)
    with qtbot.waitSignal(notifier.sig_notified, timeout=2000) as blocker:
        notifier.on_event(event("Main"))
        notifier.on_event(event("Hedge"))
    assert blocker.args[0] == "RiskDesk: 2 alerts"
    # A third event right after is held by the 0.2 s interval, then sent alone by the timer.
    with qtbot.waitSignal(notifier.sig_notified, timeout=2000) as blocker:
        notifier.on_event(event("Swing", message="Swing: margin rate 51%"))
        assert sink.sent[-1][0] == "RiskDesk: 2 alerts"
    assert blocker.args == ["RiskDesk: warning alert", "Swing: margin rate 51%"]
    assert len(sink.sent) == 2


def test_no_sink_still_drains_the_queue(qtbot) -> None:
    clock = FakeClock()
    notifier = Notifier(None, clock=clock)
    notifier.on_event(event("Main"))
    with qtbot.waitSignal(notifier.sig_notified, timeout=1000) as blocker:
        assert notifier.flush() is True
    assert blocker.args == ["RiskDesk: warning alert", "Main: alert"]
    assert notifier.pending == ()


def test_summary_lists_five_and_counts_the_rest() -> None:
    events = [event(f"Sub {i}", message=f"Sub {i}: alert") for i in range(1, 8)]
    summary = summarise(events)
    assert summary is not None
    _, text, _ = summary
    # 7 alerts, 5 listed, 7 − 5 = 2 more.
    assert text.startswith("7 alerts: Sub ")
    assert text.count("(warning)") == 5
    assert text.endswith(", and 2 more")
    assert summarise([]) is None


def test_negative_interval_is_rejected(qtbot) -> None:
    with pytest.raises(ValueError):
        Notifier(FakeSink(), min_interval_s=-1.0)


def test_the_pause_ends_on_its_own_timer(qtbot) -> None:
    """No event needed: the end of the pause is announced, so the tray's check mark clears."""
    notifier = Notifier(FakeSink())
    with qtbot.waitSignal(notifier.sig_paused_changed, timeout=2000) as ended:
        notifier.pause(0.05)
        assert notifier.paused
    assert ended.args == [True]
    with qtbot.waitSignal(notifier.sig_paused_changed, timeout=2000) as ended:
        pass
    assert ended.args == [False]
    assert not notifier.paused


def test_set_paused_follows_the_tray_action(rig) -> None:
    notifier, _, _ = rig
    notifier.set_paused(True)
    # Paused for exactly one hour from the fake clock's 1000 s.
    assert notifier.paused_for_s() == pytest.approx(PAUSE_ONE_HOUR_S)
    notifier.set_paused(False)
    assert not notifier.paused
