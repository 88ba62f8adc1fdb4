"""The watcher's lines, from hand-built updates: one per change of state, failures told once and
their recovery once, a stream retrying for hours a line per ten minutes, the summary's figures."""

from __future__ import annotations

import io

import pytest

from desktop_app.alerts.model import AlertEvent, EventKind, Severity
from desktop_app.commands.watch_output import REPEAT_AFTER_S, WatchOutput
from desktop_app.live.alerts import AlertUpdate, TelegramResult
from desktop_app.live.loop import STREAM
from tests.ui.factories import NOW, failed, hedge_state, main_state, make_update


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def _output(**options: object) -> tuple[WatchOutput, io.StringIO, Clock]:
    out, clock = io.StringIO(), Clock()
    return WatchOutput(out, clock=clock, **options), out, clock  # type: ignore[arg-type]


def _lines(out: io.StringIO) -> list[str]:
    return [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]


def test_a_failure_is_told_once_and_its_recovery_once() -> None:
    changes: list[int] = []
    output, out, _ = _output(on_change=lambda: changes.append(1))
    output.on_update(make_update())
    broken = make_update((main_state(), failed(hedge_state())))
    output.on_update(broken)
    output.on_update(broken)
    output.on_update(make_update())
    assert _lines(out) == ["account failed: Hedge: [10003] API key is invalid.", "account recovered: Hedge"]
    assert len(changes) == 2  # each worth keeping in the state file


def test_a_failure_told_by_an_earlier_run_is_not_told_again() -> None:
    output, out, _ = _output(failed=frozenset({"acc-hedge"}))
    output.on_update(make_update((main_state(), failed(hedge_state()))))
    assert _lines(out) == []


def test_alert_events_are_one_line_each_with_an_english_frame() -> None:
    output, out, _ = _output()
    event = AlertEvent(("mm_rate", "Hedge"), Severity.CRITICAL, EventKind.ESCALATED, 0.82, 0.8,
                       "Hedge: MM rate 82.00% — liquidation at 100%", NOW)
    output.on_alerts(AlertUpdate((event,), (), Severity.CRITICAL))
    assert _lines(out) == ["alert escalated: CRITICAL Hedge: MM rate 82.00% — liquidation at 100%"]
    output.on_telegram(TelegramResult(True, "Test message sent."))  # only problems are told
    assert len(_lines(out)) == 1


def test_a_stream_retrying_for_hours_is_a_line_per_ten_minutes() -> None:
    output, out, clock = _output()
    for retry_s in (1, 2, 4, 8, 16, 30, 30, 30):
        output.on_error(f"Stream for Hedge: connection refused (retrying in {retry_s} s)", STREAM)
        clock.now += retry_s
    assert _lines(out) == ["stream problem: Stream for Hedge: connection refused (retrying in 1 s)"]
    clock.now += REPEAT_AFTER_S
    output.on_error("Stream for Hedge: connection refused (retrying in 30 s)", STREAM)
    output.on_error("Stream for Main: connection refused (retrying in 1 s)", STREAM)
    assert len(_lines(out)) == 3


def test_the_summary() -> None:
    output, _, _ = _output()
    assert output.summary() == "summary: no account has answered yet"
    output.on_update(make_update())
    summary = output.summary()
    # Hedge: MM 300 of equity 5,000 = 6.00%, Main 310 of 20,000 = 1.55%; equity 25,000.
    assert summary.startswith("summary: 2/2 accounts ok; equity 25,000.00 USD; uPnL ")
    assert "; worst MM rate 6.00% (Hedge); first liquidation: " in summary
    assert summary.endswith("; 0 alerts active")


class Gone(io.StringIO):
    """An output whose reader went away: every write fails as a closed pipe does."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise self.error


@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), OSError(5, "Input/output error"),
                                   ValueError("I/O operation on closed file.")])
def test_an_output_that_went_away_stops_being_written_and_never_raises(error: Exception) -> None:
    out = Gone(error)
    changes: list[int] = []
    output = WatchOutput(out, clock=Clock(), on_change=lambda: changes.append(1))
    output.line("first")
    output.on_update(make_update((main_state(), failed(hedge_state()))))  # a change of state
    output.on_error("Stream for Hedge: refused", STREAM)
    assert out.writes == 1  # tried once, then left alone
    assert changes == [1]  # the state is still kept: only the printing stopped


def test_problems_remembered_for_repeats_are_forgotten_once_they_may_repeat() -> None:
    output, out, clock = _output()
    for n in range(5_000):  # a new text every second for 83 minutes
        output.on_error(f"Stream for Hedge: error {n}", STREAM)
        clock.now += 1.0
    assert len(_lines(out)) == 5_000
    assert len(output._said_at) <= REPEAT_AFTER_S + 1  # the last ten minutes only
