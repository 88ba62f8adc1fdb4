"""`build_window`: the worker gets the saved alert thresholds and the history database path (the demo's
own database in demo mode), and a real close tells the app to quit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from desktop_app.alerts import AlertConfig, AlertRule
from desktop_app.storage.paths import AppPaths
from desktop_app.ui.app import build_window
from desktop_app.ui.context import demo_context


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
