"""The watcher's once-an-interval work (the summary, following the settings file) survives a bug in
it: the bug is one line, and the settings are still followed at the next interval."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop_app import cli
from desktop_app.commands.watch import Watcher
from desktop_app.commands.watch_input import resolve_plan


class BuggyFollower:
    def __init__(self) -> None:
        self.checks = 0

    def check(self) -> None:
        self.checks += 1
        if self.checks == 1:
            raise RuntimeError("a bug\nin two lines")


def test_a_bug_in_following_the_settings_is_one_line_and_the_next_interval_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [{"name": "Main", "base_url": "http://127.0.0.1:9",
                                                  "api_key": "KEY", "api_secret": "SECRET"}]}))
    args = cli.build_parser(["watch"]).parse_args(["watch", "--accounts", str(accounts), "--config-dir",
                                                   str(tmp_path / "config"), "--no-telegram"])
    watcher = Watcher(resolve_plan(args), args)
    watcher.loop = SimpleNamespace(interval_s=0.01)  # type: ignore[assignment] - only its interval is read
    follower = BuggyFollower()

    async def main() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watcher._every_interval(follower), 0.3)  # type: ignore[arg-type]

    asyncio.run(main())
    assert follower.checks >= 3  # still following the settings after the bug
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert lines == ["settings problem: following the settings failed (RuntimeError: a bug in two lines)"]
