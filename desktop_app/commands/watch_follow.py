"""The watcher follows the app's settings while it runs: thresholds, the Telegram chat and the
refresh interval changed in the window (File → Settings), and the VaR levels, horizon and history
retention changed in the file, apply within one interval, without a restart. What an option fixed
on the command line (`--interval`, `--telegram-chat`) stays fixed.

The settings file is looked at once per interval (its size and modification time; reading it only
when they change). A file that became unreadable or damaged is reported once and the watcher keeps
the settings it has; it never stops for it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from desktop_app.commands.watch_input import WatchInputError, WatchPlan, read_settings
from desktop_app.live.loop import LiveLoop
from desktop_app.live.report_options import ReportOptions
from desktop_app.storage.settings import Settings, check_telegram_chat_id


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class SettingsFollower:
    """Not thread-safe: the watcher's loop only."""

    def __init__(self, plan: WatchPlan, args: argparse.Namespace, loop: LiveLoop,
                 say: Callable[[str], None]) -> None:
        self._plan = plan
        self._path = plan.paths.settings_file
        self._fixed_interval = args.interval is not None
        self._fixed_chat = args.telegram_chat is not None
        self._loop = loop
        self._say = say
        self._settings = plan.settings
        self._seen = _signature(self._path)
        self._told_problem = False

    def check(self) -> None:
        """Apply what changed in the settings file since the last look."""
        signature = _signature(self._path)
        if signature == self._seen:
            return
        self._seen = signature
        try:
            settings, warnings = read_settings(self._path)
        except WatchInputError as exc:
            if not self._told_problem:
                self._say(f"settings problem: {exc}; the watcher keeps its settings")
            self._told_problem = True
            return
        self._told_problem = False
        for warning in warnings:
            self._say(f"settings problem: {warning}")
        changed = self._apply(self._settings, settings)
        self._settings = settings
        if changed:
            self._say(f"settings changed: {', '.join(changed)}")

    def _apply(self, old: Settings, new: Settings) -> list[str]:
        session = self._loop.session
        if session is None:
            return []
        changed = []
        # The chat first: new rules are evaluated at once, and what they raise goes to the new chat.
        telegram = self._plan.telegram
        if not self._fixed_chat and telegram is not None and new.telegram_chat_id != old.telegram_chat_id:
            chat_id = check_telegram_chat_id(new.telegram_chat_id)
            if chat_id:
                session.set_telegram(replace(telegram, chat_id=chat_id))
                changed.append(f"Telegram chat {chat_id}")
            else:
                self._say("settings problem: the Telegram chat was removed; the watcher keeps sending to "
                          f"{telegram.chat_id} (pass --no-telegram to send nothing)")
        if not self._fixed_interval and new.refresh_interval_s != old.refresh_interval_s:
            self._loop.set_interval(new.refresh_interval_s)
            changed.append(f"refresh interval {new.refresh_interval_s:g} s")
        options = ReportOptions.from_settings(new)
        if options != ReportOptions.from_settings(old):
            self._loop.set_report_options(options)
            changed.append("VaR levels, horizon and history retention")
        if new.alerts != old.alerts:
            session.set_alert_config(new.alerts)
            changed.append("alert rules")
        return changed
