"""`build_window`: the worker gets the saved alert thresholds and the history database path (the demo's
own database in demo mode), and a real close tells the app to quit. A window opened while a watcher
writes the configuration reads its history and records and sends nothing itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from desktop_app.alerts import AlertConfig, AlertRule
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.writer_lock import WATCHER, WINDOW, WriterLock, WriterLockHeld
from desktop_app.ui.app import build_window, claim_writer
from desktop_app.ui.context import demo_context, load_context
from tests.keyring_memory import MemoryKeyring


def test_build_window_wires_history_and_alert_config(qtbot, tmp_path: Path) -> None:
    context = demo_context(AppPaths.portable(tmp_path), ())
    config = AlertConfig().with_rule("drawdown", AlertRule(True, 0.02, 0.04, 0.01))
    context.settings = dataclasses.replace(context.settings, alerts=config)
    window = build_window(context, start=False)
    qtbot.addWidget(window)
    # Demo history lives apart from a real one: <config dir>/demo/history.sqlite3.
    assert window.host.history_path == tmp_path / "demo" / "history.sqlite3"
    assert window.host.worker._alert_config == config  # what the worker's alert engine starts with
    closed: list[bool] = []
    window.sig_closed.connect(lambda: closed.append(True))
    window.quit_app()
    assert closed == [True]
    assert not window.host.running


def test_a_window_opened_while_a_watcher_writes_only_watches(qtbot, tmp_path: Path) -> None:
    with WriterLock.acquire(tmp_path, WATCHER) as watcher:
        lock, holder = claim_writer(tmp_path)
        assert lock is None and holder == watcher.holder
    context = demo_context(AppPaths.portable(tmp_path), ())
    context.watched_by = holder
    window = build_window(context, start=False)
    qtbot.addWidget(window)
    # It reads the database the watcher writes, and neither writes it nor sends alert messages.
    assert window.host.history_path == tmp_path / "demo" / "history.sqlite3"
    assert not window.host.record_history and window.host.worker._history_path is None
    assert window.host.worker._live_options == {"send_alerts": False}
    # One line (the tables need the room on a laptop), the whole story in its tooltip.
    banners = [label for label in window.messages.findChildren(QLabel) if label.text().startswith("Watched:")]
    assert len(banners) == 1 and not banners[0].wordWrap()
    assert f"A RiskDesk watcher (process {holder.pid}, running since " in banners[0].toolTip()
    window.quit_app()


def test_the_window_is_the_writer_when_no_watcher_is(tmp_path: Path) -> None:
    lock, holder = claim_writer(tmp_path)
    try:
        assert lock is not None and holder is None and lock.holder.role == WINDOW
        with pytest.raises(WriterLockHeld, match="the RiskDesk window"):  # a watcher started now is refused
            WriterLock.acquire(tmp_path, WATCHER)
    finally:
        assert lock is not None
        lock.release()


def test_the_window_becomes_the_writer_when_the_watcher_stops(qtbot, tmp_path: Path,
                                                              memory_keyring: MemoryKeyring) -> None:
    watcher = WriterLock.acquire(tmp_path, WATCHER)
    context = load_context(AppPaths.portable(tmp_path))
    context.writer, context.watched_by = claim_writer(tmp_path)
    window = build_window(context)  # no accounts: the worker runs and polls nothing
    qtbot.addWidget(window)
    try:
        assert window.takeover.waiting and context.writer is None
        window.takeover.try_now()  # the watcher still runs: nothing changes
        assert context.watched_by == watcher.holder and not window.host.record_history
        watcher.release()
        window.takeover.try_now()
        assert context.watched_by is None and not window.takeover.waiting
        assert context.writer is not None and context.writer.holder.role == WINDOW
        assert window.host.record_history
        qtbot.waitUntil(lambda: (tmp_path / "history.sqlite3").exists(), timeout=5000)  # recording now
        session = window.host.worker._runner.session  # and sending the alert messages (Telegram) now
        qtbot.waitUntil(lambda: session.send_alerts, timeout=5000)
        texts = window.messages.texts()
        assert not any(text.startswith("Watched:") for text in texts)
        assert any(text.startswith("The RiskDesk watcher has stopped") for text in texts)
        with pytest.raises(WriterLockHeld, match="the RiskDesk window"):
            WriterLock.acquire(tmp_path, WATCHER)
    finally:
        window.quit_app()
        if context.writer is not None:
            context.writer.release()
