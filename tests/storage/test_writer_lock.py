"""The config dir's writer lock: one holder at a time, told who holds it, never left stale."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.storage.writer_lock import (
    HOLDER_FILE_NAME,
    WATCHER,
    WINDOW,
    LockHolder,
    WriterLock,
    WriterLockHeld,
    read_holder,
)

REPO = Path(__file__).resolve().parents[2]


def test_one_holder_at_a_time_and_the_others_are_told_who(tmp_path: Path) -> None:
    first = WriterLock.acquire(tmp_path, WINDOW)
    with pytest.raises(WriterLockHeld) as held:
        WriterLock.acquire(tmp_path, WATCHER)
    assert held.value.holder == first.holder and held.value.holder.pid == os.getpid()
    assert str(held.value).startswith(f"the RiskDesk window (process {os.getpid()}, since ")
    first.release()
    first.release()  # idempotent
    assert not (tmp_path / HOLDER_FILE_NAME).exists()
    with WriterLock.acquire(tmp_path, WATCHER) as second:
        assert second.held
    assert not second.held


def test_a_holder_file_left_behind_is_not_believed(tmp_path: Path) -> None:
    (tmp_path / HOLDER_FILE_NAME).write_text(json.dumps({"role": "watcher", "pid": 1, "since_s": 0}))
    with WriterLock.acquire(tmp_path, WINDOW) as lock:  # nobody holds the lock itself: taken at once
        assert read_holder(tmp_path) == lock.holder  # and the file now names this process, not pid 1
        assert lock.holder.role == WINDOW and lock.holder.pid == os.getpid()


HOSTILE_HOLDERS = {
    "not UTF-8": b"\xff{",
    "nested": b"[" * 3000 + b"]" * 3000,
    "huge pid": b'{"role": "watcher", "pid": 1' + b"0" * 400 + b', "since_s": 0}',
    "huge since (int)": b'{"role": "watcher", "pid": 7, "since_s": 1' + b"0" * 400 + b"}",
    "since 1e300": b'{"role": "watcher", "pid": 7, "since_s": 1e300}',
    "since 1e99": b'{"role": "watcher", "pid": 7, "since_s": 1e99}',
    "since NaN": b'{"role": "watcher", "pid": 7, "since_s": NaN}',
    "since Infinity": b'{"role": "watcher", "pid": 7, "since_s": Infinity}',
    "since negative": b'{"role": "watcher", "pid": 7, "since_s": -1e12}',
    "since text": b'{"role": "watcher", "pid": 7, "since_s": "yesterday"}',
    "pid true": b'{"role": "watcher", "pid": true, "since_s": 0}',
    "pid negative": b'{"role": "watcher", "pid": -5, "since_s": 0}',
    "unknown role": b'{"role": "admin", "pid": 7, "since_s": 0}',
    "a list": b'[1, 2, 3]',
    "too large": b'{"role": "watcher", "pid": 7, "since_s": 0, "pad": "' + b"x" * 10_000 + b'"}',
    "empty": b"",
}


@pytest.mark.parametrize("content", HOSTILE_HOLDERS.values(), ids=HOSTILE_HOLDERS.keys())
def test_a_hostile_holder_file_still_names_the_lock_as_held(tmp_path: Path, content: bytes) -> None:
    with WriterLock.acquire(tmp_path, WATCHER):
        (tmp_path / HOLDER_FILE_NAME).write_bytes(content)
        assert read_holder(tmp_path) is None  # who holds it is unknown, never a crash
        with pytest.raises(WriterLockHeld, match=r"^another RiskDesk process already monitors"):
            WriterLock.acquire(tmp_path, WATCHER)


def test_a_holder_that_cannot_be_shown_does_not_crash_its_description() -> None:
    for since_s in (1e300, math.nan, math.inf, -1e300):
        text = LockHolder(WATCHER, 7, since_s).describe()
        assert text == "a RiskDesk watcher (process 7)"
    assert LockHolder(WINDOW, 7, 0.0).describe().startswith("the RiskDesk window (process 7, since 19")


def test_the_watcher_refused_by_a_hostile_holder_file_says_so_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [{"name": "Main", "base_url": "http://127.0.0.1:9",
                                                  "api_key": "KEY", "api_secret": "SECRET"}]}))
    config_dir = tmp_path / "config"
    with WriterLock.acquire(config_dir, WINDOW):
        (config_dir / HOLDER_FILE_NAME).write_bytes(HOSTILE_HOLDERS["huge since (int)"])
        code = cli.main(["watch", "--accounts", str(accounts), "--config-dir", str(config_dir),
                         "--no-telegram", "--once"])
    captured = capsys.readouterr()
    assert code == 4 and captured.out == ""
    assert captured.err.splitlines() == [
        f"riskdesk-cli watch: another RiskDesk process already monitors {config_dir} and writes its history; "
        "stop it first, or give this watcher another --config-dir"]


def test_kill_9_of_the_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    code = ("import sys, time; from pathlib import Path\n"
            "from desktop_app.storage.writer_lock import WriterLock\n"
            "lock = WriterLock.acquire(Path(sys.argv[1]), 'watcher')\n"
            "print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WriterLockHeld) as held:
            WriterLock.acquire(tmp_path, WINDOW)
        assert held.value.holder is not None and held.value.holder.pid == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(5)
    finally:
        if holder.poll() is None:
            holder.kill()
        if holder.stdout is not None:
            holder.stdout.close()
    with WriterLock.acquire(tmp_path, WINDOW) as lock:  # the system dropped the dead holder's lock
        assert lock.holder.pid == os.getpid()
