"""Fixtures of the watcher's tests: the simulator's crash scenario (frozen price clock, stepped by the
test), a Telegram stand-in, an empty sandboxed HOME, and the watcher run as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.exchange_sim import Simulator
from tests.watch.telegram_standin import TelegramStandIn

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-watch-token-never-shown"
CHAT = "-1001234567890"


@pytest.fixture
def telegram() -> Iterator[TelegramStandIn]:
    with TelegramStandIn() as stand_in:
        yield stand_in


def write_accounts(path: Path, sim: Simulator) -> Path:
    entries = [{"name": a.name, "base_url": sim.base_url, "api_key": a.api_key, "api_secret": a.api_secret,
                "key_type": a.key_type} for a in sim.accounts]
    path.write_text(json.dumps({"accounts": entries}), encoding="utf-8")
    return path


def write_settings(config_dir: Path, **values: object) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "settings.json").write_text(json.dumps({"version": 1, **values}), encoding="utf-8")


def only_mm_rate(warning: float = 0.5, critical: float = 0.8, clear_margin: float = 0.2) -> dict[str, object]:
    """Alert settings with every rule off but the MM rate."""
    off = {"enabled": False, "warning": None, "critical": None, "clear_margin": 0.0}
    rules = {name: off for name in ("liq_distance", "first_liquidation", "drawdown", "concentration", "hedge",
                                    "stale", "api_key_expiry")}
    return {**rules, "mm_rate": {"enabled": True, "warning": warning, "critical": critical,
                                 "clear_margin": clear_margin}}


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, str]:
    """The environment of a watcher subprocess: HOME and every XDG dir empty and private to the test
    (the test checks they stay empty), the Telegram token in the environment, no keyring needed."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.update(HOME=str(home), USERPROFILE=str(home), PYTHONDONTWRITEBYTECODE="1",
               RISKDESK_TELEGRAM_TOKEN=TOKEN, LANG="C.UTF-8", LANGUAGE="", LC_ALL="")
    env.pop("PYTHONPATH", None)
    home.mkdir()
    return env


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


class Watcher:
    """`riskdesk-cli watch ARGS` as a subprocess; stdout and stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "desktop_app.cli", "watch", *args], cwd=REPO,
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        self.out: list[str] = []
        self.err: list[str] = []
        streams = ((self.process.stdout, self.out), (self.process.stderr, self.err))
        self._readers = [threading.Thread(target=self._read, args=pair, daemon=True) for pair in streams]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line.rstrip("\n"))

    def wait_for(self, predicate: Callable[[], bool], timeout_s: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if self.process.poll() is not None:
                raise AssertionError(f"the watcher exited ({self.process.returncode}) while waiting for "
                                     f"{what}: {self.out[-5:]} {self.err[-5:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {self.out[-8:]} {self.err[-5:]}")
            time.sleep(0.02)

    def line_with(self, text: str, timeout_s: float = 30.0) -> str:
        self.wait_for(lambda: any(text in line for line in self.out), timeout_s, repr(text))
        return next(line for line in self.out if text in line)

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 10.0) -> tuple[int, float]:
        """Send `sig`; the exit status and the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(sig)
        code = self.process.wait(timeout_s)
        for reader in self._readers:
            reader.join(2.0)
        return code, time.monotonic() - started

    def finish(self, timeout_s: float = 30.0) -> int:
        code = self.process.wait(timeout_s)
        for reader in self._readers:
            reader.join(2.0)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
