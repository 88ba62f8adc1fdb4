from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from desktop_app.storage import atomic
from desktop_app.storage.atomic import atomic_write_bytes, atomic_write_json, move_aside


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_writes_new_file_and_replaces_existing(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.json"
    atomic_write_bytes(target, b"old")
    assert target.read_bytes() == b"old"
    atomic_write_json(target, {"a": [1, 2]})
    assert target.read_bytes() == b'{\n  "a": [\n    1,\n    2\n  ]\n}\n'
    assert _siblings(target) == ["f.json"]


def test_failed_replace_keeps_old_file_and_leaves_no_temp(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "accounts.json"
    atomic_write_bytes(target, b"old contents")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_bytes(target, b"new contents")
    assert target.read_bytes() == b"old contents"
    assert _siblings(target) == ["accounts.json"]


def test_failed_fsync_keeps_old_file_and_leaves_no_temp(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "settings.json"
    atomic_write_bytes(target, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert _siblings(target) == ["settings.json"]


def test_unserialisable_json_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    atomic_write_bytes(target, b"old")
    with pytest.raises(ValueError):
        atomic_write_json(target, {"nan": float("nan")})  # allow_nan=False: NaN is not JSON
    assert target.read_bytes() == b"old"
    assert _siblings(target) == ["x.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_file_is_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"world-readable before")
    target.chmod(0o644)
    atomic_write_bytes(target, b"private")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_move_aside_names_file_with_timestamp_and_never_clobbers(tmp_path: Path) -> None:
    when = datetime(2025, 3, 4, 5, 6, 7)
    first = tmp_path / "accounts.json"
    first.write_bytes(b"one")
    moved = move_aside(first, now=when)
    assert moved.name == "accounts.json.corrupt-20250304-050607"
    assert not first.exists()
    first.write_bytes(b"two")
    moved_again = move_aside(first, now=when)
    assert moved_again.name == "accounts.json.corrupt-20250304-050607-1"
    assert moved.read_bytes() == b"one"
    assert moved_again.read_bytes() == b"two"


def test_private_dir_mode(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    atomic.ensure_private_dir(directory)
    assert directory.is_dir()
    if os.name == "posix":
        assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0
