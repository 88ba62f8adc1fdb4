"""The watcher when things go wrong around it: the reader of its output goes away, it is killed with
`kill -9` while Telegram is down, a `--once` run is stopped while it waits for Telegram. In each case
the alert still reaches Telegram (now or from the next run) and a signal still ends it with exit 0.

Hedge's MM rate on the frozen crash path (see test_watch_crash.py): 65% at 380 s, a warning under
the MM-rate rule (warning 50%, critical 80%)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app.exchange_sim import Simulator
from tests.watch.conftest import (
    CHAT,
    REPO,
    Watcher,
    only_mm_rate,
    write_accounts,
    write_settings,
)
from tests.watch.telegram_standin import TelegramStandIn


def _wait(condition: Callable[[], bool], process: subprocess.Popen[bytes], what: str,
          timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert process.poll() is None, f"the watcher exited ({process.returncode}) while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _args(tmp_path: Path, sim: Simulator, telegram: TelegramStandIn, *extra: str) -> list[str]:
    config_dir = tmp_path / "config"
    if not (config_dir / "settings.json").exists():
        write_settings(config_dir, alerts=only_mm_rate())
    accounts = write_accounts(tmp_path / "accounts.json", sim)
    return ["--accounts", str(accounts), "--config-dir", str(config_dir), "--telegram-chat", CHAT,
            "--telegram-api-url", telegram.url, *extra]


def test_a_closed_stdout_stops_neither_telegram_nor_sigterm(tmp_path: Path, crash_sim: Simulator,
                                                            telegram: TelegramStandIn,
                                                            sandbox: dict[str, str]) -> None:
    args = _args(tmp_path, crash_sim, telegram, "--interval", "0.5")
    command = [sys.executable, "-m", "desktop_app.cli", "watch", *args]
    process = subprocess.Popen(command, cwd=REPO, env=sandbox, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None and b" watching: 2 accounts" in process.stdout.readline()
        _wait(lambda: (tmp_path / "config" / "history.sqlite3").exists(), process, "the first refresh")
        process.stdout.close()  # whoever read the lines is gone (a closed log pipe, a lost terminal)
        crash_sim.step(380.0)
        _wait(lambda: len(telegram.sent) == 1, process, "the alert on Telegram")
        process.send_signal(signal.SIGTERM)
        code = process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert code == 0 and errors == "", (code, errors)
    assert "WARNING: Hedge: MM rate" in telegram.texts()[0]


def test_an_alert_waiting_for_telegram_outlives_kill_9(tmp_path: Path, crash_sim: Simulator,
                                                       telegram: TelegramStandIn,
                                                       sandbox: dict[str, str]) -> None:
    telegram.fail_with = 503
    crash_sim.step(380.0)  # a warning at the first refresh
    watcher = Watcher(_args(tmp_path, crash_sim, telegram, "--interval", "0.5"), sandbox)
    try:
        watcher.line_with("alert raised: WARNING Hedge")
        watcher.wait_for(lambda: telegram.attempts >= 1, 10.0, "a refused attempt")
        watcher.process.send_signal(signal.SIGKILL)
        assert watcher.finish(5.0) == -signal.SIGKILL
    finally:
        watcher.kill()
    telegram.fail_with = None
    once = Watcher(_args(tmp_path, crash_sim, telegram, "--once"), sandbox)
    try:
        assert once.finish() == 0
    finally:
        once.kill()
    assert not any(" alert " in line for line in once.out) and once.err == []  # raised already: not again
    [text] = telegram.texts()  # but delivered now
    assert "WARNING: Hedge: MM rate" in text


def test_once_stopped_while_it_waits_for_telegram_exits_0_and_the_next_run_delivers(
        tmp_path: Path, crash_sim: Simulator, telegram: TelegramStandIn, sandbox: dict[str, str]) -> None:
    telegram.fail_with = 503
    crash_sim.step(380.0)
    once = Watcher(_args(tmp_path, crash_sim, telegram, "--once"), sandbox)
    try:
        once.line_with("alert raised: WARNING Hedge")
        once.wait_for(lambda: telegram.attempts >= 1, 10.0, "a refused attempt")
        code, took_s = once.stop(signal.SIGTERM)
    finally:
        once.kill()
    assert code == 0 and took_s < 5.0, (code, took_s, once.err)
    assert once.out[-1].endswith(" stopped") and once.err == [], "\n".join(once.err)
    assert any(" SIGTERM received: stopping" in line for line in once.out)
    telegram.fail_with = None
    again = Watcher(_args(tmp_path, crash_sim, telegram, "--once"), sandbox)
    try:
        assert again.finish() == 0
    finally:
        again.kill()
    [text] = telegram.texts()
    assert "WARNING: Hedge: MM rate" in text
