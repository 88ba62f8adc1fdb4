"""The settings file's VaR levels, horizon and history retention reach what the watcher computes and
keeps (they used to be read, saved and ignored): at start, and when the file changes while it runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from desktop_app import cli
from desktop_app.commands.watch import Watcher
from desktop_app.commands.watch_follow import SettingsFollower
from desktop_app.commands.watch_input import resolve_plan
from desktop_app.exchange_sim import Simulator
from desktop_app.service import PortfolioUpdate
from tests.watch.conftest import write_accounts, write_settings


def _watcher(tmp_path: Path, sim: Simulator) -> Watcher:
    accounts = write_accounts(tmp_path / "accounts.json", sim)
    args = cli.build_parser(["watch"]).parse_args(["watch", "--accounts", str(accounts), "--config-dir",
                                                   str(tmp_path / "config"), "--no-telegram", "--once"])
    return Watcher(resolve_plan(args), args)


def _once(watcher: Watcher) -> PortfolioUpdate:
    loop = watcher._live_loop(streams=False)
    return asyncio.run(loop.run_once(telegram_grace_s=0.0))


def test_the_settings_files_var_levels_horizon_and_retention_reach_the_report_and_the_history(
        tmp_path: Path, crash_sim: Simulator) -> None:
    write_settings(tmp_path / "config", var_confidence_levels=[0.975], var_horizon_days=10,
                   history_retention_days=30)
    watcher = _watcher(tmp_path, crash_sim)
    update = _once(watcher)
    assert [(v.confidence, v.horizon_days) for v in update.report.var] == [(0.975, 10)]
    assert watcher.loop is not None and watcher.loop.session is not None
    writer = watcher.loop.session.history
    assert writer is not None and writer.retention_days == 30


def test_a_change_of_the_files_var_levels_and_retention_applies_to_the_next_report(
        tmp_path: Path, crash_sim: Simulator) -> None:
    config = tmp_path / "config"
    write_settings(config, var_confidence_levels=[0.975], var_horizon_days=10)
    watcher = _watcher(tmp_path, crash_sim)
    assert [(v.confidence, v.horizon_days) for v in _once(watcher).report.var] == [(0.975, 10)]
    said: list[str] = []
    assert watcher.loop is not None
    follower = SettingsFollower(watcher.plan, watcher.args, watcher.loop, said.append)
    settings = json.loads((config / "settings.json").read_text(encoding="utf-8"))
    settings.update(var_confidence_levels=[0.9, 0.99], var_horizon_days=2, history_retention_days=7,
                    refresh_interval_s=settings.get("refresh_interval_s", 5) + 1)  # a new size, surely
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    follower.check()
    assert any("VaR levels, horizon and history retention" in line for line in said)
    update = asyncio.run(watcher.loop.run_once(telegram_grace_s=0.0))
    assert [(v.confidence, v.horizon_days) for v in update.report.var] == [(0.9, 2), (0.99, 2)]
    writer = watcher.loop.session.history if watcher.loop.session is not None else None
    assert writer is not None and writer.retention_days == 7
