"""The live session's history feed: writes made before and while the file opens are kept, in order,
and written once it is open; a file that cannot be opened is reported once and keeps nothing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from desktop_app.live import history_feed
from desktop_app.live.history_feed import HistoryFeed
from desktop_app.storage.history import HistoryReader, HistoryWriter
from desktop_app.storage.history_schema import HistoryError
from tests.alerts import factories as f


def _report(time_s: float):
    return f.report([f.account("Main", equity=1_000.0 + time_s - f.NOW)], [], taken_at=time_s)


def test_writes_before_and_while_opening_are_written_in_order(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"

    async def scenario() -> None:
        feed = HistoryFeed()
        opening = feed.open(path, lambda message: None)
        feed.submit(_report(f.NOW), None)  # before the coroutine has run at all
        task = asyncio.get_running_loop().create_task(opening)
        feed.submit(_report(f.NOW + 5), None)
        await task
        feed.submit(_report(f.NOW + 10), None)  # open: straight to the writer
        assert feed.writer is not None and feed.writer.flush(5)
        feed.close(timeout_s=5)

    asyncio.run(scenario())
    with HistoryReader(path) as reader:
        assert reader.equity_series(None, 0)[0].tolist() == [f.NOW, f.NOW + 5, f.NOW + 10]


def test_the_backlog_keeps_the_newest_writes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(history_feed, "BACKLOG", 2)
    path = tmp_path / "history.sqlite3"

    async def scenario() -> None:
        feed = HistoryFeed()
        opening = feed.open(path, lambda message: None)
        for k in range(4):  # 4 writes, room for 2: the newest two are kept
            feed.submit(_report(f.NOW + 5 * k), None)
        await opening
        assert feed.writer is not None and feed.writer.flush(5)
        feed.close(timeout_s=5)

    asyncio.run(scenario())
    with HistoryReader(path) as reader:
        assert reader.equity_series(None, 0)[0].tolist() == [f.NOW + 10, f.NOW + 15]


def test_a_file_that_cannot_be_opened_is_reported_and_nothing_is_kept(tmp_path: Path) -> None:
    errors: list[str] = []

    def failing(path: Path) -> HistoryWriter:
        raise HistoryError(f"Cannot open the history database {path.name}: disk I/O error")

    async def scenario() -> HistoryFeed:
        feed = HistoryFeed()
        opening = feed.open(tmp_path / "history.sqlite3", errors.append, writer_factory=failing)
        feed.submit(_report(f.NOW), None)
        await opening
        feed.submit(_report(f.NOW + 5), None)  # after the failure: dropped, not piled up
        return feed

    feed = asyncio.run(scenario())
    assert feed.writer is None and feed._backlog is None
    assert errors == ["The history database could not be opened: Cannot open the history database "
                      "history.sqlite3: disk I/O error"]


def test_a_session_closed_while_its_file_opens_still_writes_what_waited(tmp_path: Path, monkeypatch) -> None:
    """A window that became the writer a moment before quitting: the file was still opening (a
    migration takes seconds) when the session closed; what it had kept meanwhile is written."""
    from desktop_app.live.session import LiveSession
    from tests.ui.factories import make_update

    def slow(path: Path, **options: int) -> HistoryWriter:
        time.sleep(0.2)
        return HistoryWriter(path, **options)

    monkeypatch.setattr(history_feed, "HistoryWriter", slow)
    path = tmp_path / "history.sqlite3"

    async def scenario() -> None:
        session = LiveSession(emit_update=lambda _u: None, emit_alerts=lambda _a: None,
                              emit_error=lambda _m: None, emit_telegram=lambda _r: None,
                              request_refresh=lambda _ids: None, poll_interval_s=1.0, streams=False)
        session.start_recording(path)
        session.rest_update(make_update())
        await session.aclose(history_timeout_s=5.0)

    asyncio.run(scenario())
    with HistoryReader(path) as reader:
        assert len(reader.equity_series(None, 0)[0]) == 1


def test_the_retention_reaches_the_writer_as_it_opens_and_when_changed_while_it_opens(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, int]:
        feed = HistoryFeed(retention_days=30)
        await feed.open(tmp_path / "a.sqlite3", lambda message: None)
        assert feed.writer is not None
        opened_with = feed.writer.retention_days
        feed.set_retention(7)
        changed_to = feed.writer.retention_days
        feed.close(timeout_s=5)
        late = HistoryFeed(retention_days=30)
        opening = late.open(tmp_path / "b.sqlite3", lambda message: None)
        late.set_retention(400)  # before the file has opened: the writer still ends with 400 days
        await opening
        assert late.writer is not None
        days = late.writer.retention_days
        late.close(timeout_s=5)
        return opened_with, changed_to, days

    assert asyncio.run(scenario()) == (30, 7, 400)
