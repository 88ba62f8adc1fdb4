"""One writer per configuration directory: the window or one `riskdesk-cli watch`, never two at once.

The writer records the history, sends the Telegram alerts and keeps the alert state; two of them
would write every row and send every message twice. The lock is the operating system's own lock
on an open file (`flock` on Linux and macOS, `LockFileEx` through `msvcrt.locking` on Windows),
held for the writer's whole life: the system drops it when the process ends, however it ends, so
a `kill -9`, a crash or a power cut never leaves a stale lock behind. The lock file is never
truncated or deleted (a second process may hold it open; deleting it would let a third lock a new
file of the same name). Who holds it is written beside it, for the message the others show; that
file is only read while the lock is held by someone, so a stale one is never believed, and any
content that is not exactly what a holder writes (a file built to crash a parser included) reads
as "holder unknown".
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop_app.storage.atomic import PRIVATE_FILE_MODE, atomic_write_json, ensure_private_dir
from desktop_app.storage.safe_json import JsonInputError, loads_bounded_bytes

LOCK_FILE_NAME = "writer.lock"
HOLDER_FILE_NAME = "writer.json"
WATCHER, WINDOW = "watcher", "window"
_MAX_HOLDER_BYTES = 4096
_MAX_PID = 2**32  # process ids are 32-bit everywhere we run
_MAX_SINCE_S = 253_402_300_799.0  # 9999-12-31T23:59:59Z: the last moment datetime can show


@dataclass(frozen=True, slots=True)
class LockHolder:
    role: str  # WATCHER or WINDOW
    pid: int
    since_s: float  # epoch seconds

    def describe(self) -> str:
        """'a RiskDesk watcher (process 4242, since 2026-01-01 09:30)'."""
        what = "a RiskDesk watcher" if self.role == WATCHER else "the RiskDesk window"
        try:
            since = datetime.fromtimestamp(self.since_s).strftime("%Y-%m-%d %H:%M")
        except (OverflowError, OSError, ValueError):  # a time the platform cannot show: leave it out
            return f"{what} (process {self.pid})"
        return f"{what} (process {self.pid}, since {since})"


class WriterLockHeld(Exception):
    """Another process writes this configuration; `holder` says who when it could be read."""

    def __init__(self, config_dir: Path, holder: LockHolder | None) -> None:
        who = holder.describe() if holder is not None else "another RiskDesk process"
        super().__init__(f"{who} already monitors {config_dir} and writes its history")
        self.config_dir = config_dir
        self.holder = holder


class WriterLock:
    """Held from `acquire` until `release` (or the process ends)."""

    def __init__(self, config_dir: Path, fd: int, holder: LockHolder) -> None:
        self.config_dir = config_dir
        self.holder = holder
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, config_dir: Path, role: str) -> WriterLock:
        """Take the lock of `config_dir` at once or not at all (it never waits).

        May raise: WriterLockHeld, OSError (the directory or file cannot be created or opened).
        """
        ensure_private_dir(config_dir)
        fd = os.open(config_dir / LOCK_FILE_NAME, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            if not _try_lock(fd):
                raise WriterLockHeld(config_dir, read_holder(config_dir))
        except BaseException:
            os.close(fd)
            raise
        holder = LockHolder(role, os.getpid(), time.time())
        lock = cls(config_dir, fd, holder)
        with contextlib.suppress(OSError):  # only the others' message would lose its detail
            atomic_write_json(config_dir / HOLDER_FILE_NAME,
                              {"role": holder.role, "pid": holder.pid, "since_s": holder.since_s})
        return lock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Idempotent. The holder file goes first, so nobody reads it as ours after the lock drops."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            (self.config_dir / HOLDER_FILE_NAME).unlink()
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_holder(config_dir: Path) -> LockHolder | None:
    """The holder file's content, or None when it is missing, unreadable or not what a holder writes
    (only trust it while the lock is held). Never raises."""
    try:
        with (config_dir / HOLDER_FILE_NAME).open("rb") as handle:
            raw = handle.read(_MAX_HOLDER_BYTES + 1)
        data = loads_bounded_bytes(raw, where=HOLDER_FILE_NAME, max_bytes=_MAX_HOLDER_BYTES, exact=False)
    except (OSError, JsonInputError):
        return None
    if not isinstance(data, dict):
        return None
    role, pid, since_s = data.get("role"), data.get("pid"), data.get("since_s")
    if role not in (WATCHER, WINDOW) or isinstance(pid, bool) or not isinstance(pid, int) \
            or not 0 < pid < _MAX_PID:
        return None
    if isinstance(since_s, bool) or not isinstance(since_s, int | float):
        return None
    since = float(since_s)  # no overflow: the reader refuses numbers longer than 40 characters
    if not math.isfinite(since) or not 0.0 <= since <= _MAX_SINCE_S:
        return None
    return LockHolder(str(role), pid, since)


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows build, not on Linux CI
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks from the current position: always byte 0
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
