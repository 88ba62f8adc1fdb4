"""Crash-safe file replacement, the one place where storage writes files.

A reader sees either the complete old file or the complete new one, never a half-written file:
the data goes to a temporary file in the same directory (same filesystem, so the rename is atomic),
is flushed to disk, and only then replaces the target with `os.replace`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

PRIVATE_FILE_MODE = 0o600  # owner read/write only: these files describe the user's accounts
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(directory: Path) -> None:
    """Create `directory` (and parents) if needed; new directories are owner-only on POSIX.

    May raise: OSError.
    """
    directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace `path` with `data` atomically; on any failure the old file is untouched and no
    temporary file is left behind.

    May raise: OSError.
    """
    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp_path = Path(tmp_name)
    try:
        # Restrict permissions before any byte is written (mkstemp already uses 0600 on POSIX;
        # fchmod makes the intent explicit and applies a caller's stricter or looser mode).
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    _fsync_directory(path.parent)


def atomic_write_json(path: Path, document: object) -> None:
    """Serialise `document` as indented UTF-8 JSON and write it with `atomic_write_bytes`.

    May raise: OSError, TypeError/ValueError when `document` is not JSON-serialisable.
    """
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def move_aside(path: Path, *, now: datetime | None = None) -> Path:
    """Rename an unusable file to `<name>.corrupt-YYYYmmdd-HHMMSS` so that it is kept for the user
    but no longer read; returns the new path (a numeric suffix avoids clobbering an earlier one).

    May raise: OSError.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    return target


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open directories, and a failure
    # here does not make the already-replaced file any less complete.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
