"""The history loader thread: reads series off the GUI thread, coalesces requests, reports errors,
and stops mid-read on quit."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from desktop_app.alerts.model import AlertEvent, EventKind, Severity
from desktop_app.storage.history import HistoryWriter
from desktop_app.storage.history_query import HistoryReader, Series
from desktop_app.storage.history_schema import HistoryError
from desktop_app.ui.charts.data import ChartData
from desktop_app.ui.charts.loader import HistoryLoaderHost
from tests.alerts import factories as f
from tests.ui.recorder import Recorder

T = f.NOW


def _write(path: Path, *times_and_equity: tuple[float, float]) -> None:
    with HistoryWriter(path, clock=lambda: T) as writer:
        for time_s, equity in times_and_equity:
            writer.submit(f.report([f.account("Main", equity=equity, mm_rate=0.2)],
                                   [f.position("Main", exposure=equity / 2)], taken_at=time_s))
        assert writer.flush(5)


@pytest.fixture
def host_for(qtbot):
    hosts: list[HistoryLoaderHost] = []

    def make(path: Path, **kwargs: object) -> HistoryLoaderHost:
        host = HistoryLoaderHost(path, **kwargs)
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.shutdown()


def test_reads_the_series_and_then_only_what_is_new(qtbot, tmp_path: Path, host_for) -> None:
    path = tmp_path / "history.sqlite3"
    _write(path, (T, 10_000.0), (T + 5, 11_000.0))
    host = host_for(path)
    data_seen = Recorder(host.sig_data)
    data: ChartData = data_seen.next_item(qtbot, lambda: host.request(0.0))
    assert data.total_equity_usd.times_s.tolist() == [T, T + 5]
    assert [s.name for s in data.equity_usd] == ["Main"]
    assert data.equity_usd[0].values.tolist() == [10_000.0, 11_000.0]
    assert data.mm_rate[0].values.tolist() == [0.2, 0.2]
    # one long BTC position of half the equity: net exposure 5,000 then 5,500
    assert [(s.name, s.values.tolist()) for s in data.net_exposure_usd] == [("BTC", [5_000.0, 5_500.0])]
    assert not host.busy

    _write(path, (T + 10, 9_000.0))
    again: ChartData = data_seen.next_item(qtbot, lambda: host.request(0.0))
    assert again.equity_usd[0].values.tolist() == [10_000.0, 11_000.0, 9_000.0]


class _CountingReader(HistoryReader):
    """A real reader that counts the reads (one `accounts()` call per load)."""

    loads = 0

    def accounts(self):  # type: ignore[override]
        type(self).loads += 1
        return super().accounts()


def test_requests_made_during_a_read_become_one_more_read(qtbot, tmp_path: Path, host_for) -> None:
    path = tmp_path / "history.sqlite3"
    _write(path, (T, 10_000.0))
    _CountingReader.loads = 0
    host = host_for(path, reader_factory=_CountingReader)
    data_seen = Recorder(host.sig_data)
    host.request(T + 1)
    for since_s in (T + 2, 0.0, T + 3):  # while the first read is in flight: the GUI thread is here
        host.request(since_s)
    qtbot.waitUntil(lambda: not host.busy and len(data_seen.items) >= 1, timeout=10_000)
    qtbot.wait(50)  # nothing else may follow
    assert _CountingReader.loads == 2 and len(data_seen.items) == 2  # the first read, then one for the rest
    # The waiting requests asked back to 0: the last data covers the whole history.
    assert data_seen.items[-1].total_equity_usd.times_s.tolist() == [T]


def test_an_unreadable_file_is_reported_and_the_host_stays_usable(qtbot, tmp_path: Path, host_for) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database" * 200)
    host = host_for(path)
    errors = Recorder(host.sig_error)
    message = errors.next_item(qtbot, lambda: host.request(0.0))
    assert "history database" in message and not host.busy
    path.unlink()
    _write(path, (T, 1.0))
    data_seen = Recorder(host.sig_data)
    assert data_seen.next_item(qtbot, lambda: host.request(0.0)).total_equity_usd.values.tolist() == [1.0]


class _BlockingReader:
    """Stands in for a reader in the middle of a long query: blocks until interrupted, then fails
    the way SQLite's interrupt makes a query fail."""

    started = threading.Event()

    def __init__(self, _path: Path) -> None:
        self._interrupted = threading.Event()

    def latest_s(self) -> float | None:  # the first thing a read asks
        type(self).started.set()
        if not self._interrupted.wait(30):
            raise AssertionError("never interrupted")
        raise HistoryError("Cannot read the history database: interrupted")

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        pass

    def coins(self, since_s: float = 0.0) -> tuple[str, ...]:
        return ()

    def equity_series(self, account_id: str | None, since_s: float) -> Series:
        return np.empty(0), np.empty(0)


def test_quitting_interrupts_a_read_in_progress(qtbot, tmp_path: Path) -> None:
    _BlockingReader.started.clear()
    host = HistoryLoaderHost(tmp_path / "history.sqlite3", reader_factory=_BlockingReader)
    data_seen, errors = Recorder(host.sig_data), Recorder(host.sig_error)
    host.request(0.0)
    assert _BlockingReader.started.wait(10)
    assert host.shutdown(timeout_ms=5_000)  # interrupted: the read itself would block for 30 s
    qtbot.wait(20)
    assert data_seen.items == [] and errors.items == []  # an abandoned read is not an error to show
    host.request(0.0)  # after shutdown: ignored, no thread to run it
    assert not host.busy


def test_the_alert_log_is_read_on_the_loader_thread(qtbot, tmp_path: Path, host_for) -> None:
    path = tmp_path / "history.sqlite3"
    older = AlertEvent(("mm_rate", "Main"), Severity.WARNING, EventKind.RAISED, 0.55, 0.5, "Main 55%", T)
    newer = AlertEvent(("mm_rate", "Main"), Severity.WARNING, EventKind.CLEARED, 0.4, 0.5, "Main 40%", T + 5)
    with HistoryWriter(path, clock=lambda: T) as writer:
        writer.submit_alerts([older, newer])
        assert writer.flush(5)
    host = host_for(path)
    logs = Recorder(host.sig_alert_log)
    assert logs.next_item(qtbot, lambda: host.request_alert_log(10)) == (newer, older)  # newest first
    assert logs.next_item(qtbot, lambda: host.request_alert_log(1)) == (newer,)


class _SlowOpeningReader(_BlockingReader):
    """Opening takes a while (SQLite waiting for a lock) and cannot be interrupted."""

    closed = threading.Event()

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        type(self).started.set()
        threading.Event().wait(0.3)

    def close(self) -> None:
        type(self).closed.set()


def test_quitting_while_the_database_opens_waits_and_then_closes_it(qtbot, tmp_path: Path) -> None:
    _SlowOpeningReader.started.clear()
    _SlowOpeningReader.closed.clear()
    host = HistoryLoaderHost(tmp_path / "history.sqlite3", reader_factory=_SlowOpeningReader)
    host.request(0.0)
    assert _SlowOpeningReader.started.wait(10)
    # Not in 20 ms: the open cannot be interrupted. The thread is then waited for (destroying a
    # running QThread would abort the app), and the connection is closed once it has ended.
    assert host.shutdown(timeout_ms=20) is False
    assert not host.qthread.isRunning()
    assert _SlowOpeningReader.closed.is_set()
