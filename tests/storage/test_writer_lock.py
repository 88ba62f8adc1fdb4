"""The config dir's writer lock: one holder at a time, told who holds it, never left stale."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.storage.writer_lock import HOLDER_FILE_NAME, WATCHER, WINDOW, WriterLock, WriterLockHeld

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
        assert lock.holder.role == WINDOW


def test_a_damaged_holder_file_still_names_the_lock_as_held(tmp_path: Path) -> None:
    with WriterLock.acquire(tmp_path, WATCHER):
        (tmp_path / HOLDER_FILE_NAME).write_bytes(b"\xff{")
        with pytest.raises(WriterLockHeld, match="another RiskDesk process already monitors"):
            WriterLock.acquire(tmp_path, WATCHER)


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
    started = time.monotonic()
    with WriterLock.acquire(tmp_path, WINDOW) as lock:  # at once: the system dropped the dead holder's lock
        assert lock.holder.pid == os.getpid()
    assert time.monotonic() - started < 1.0
