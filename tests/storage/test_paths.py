from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop_app.storage.paths import AppPaths


def test_portable_puts_everything_under_one_dir(tmp_path: Path) -> None:
    paths = AppPaths.portable(tmp_path)
    assert paths.config_dir == tmp_path
    assert paths.data_dir == tmp_path
    assert paths.accounts_file == tmp_path / "accounts.json"
    assert paths.settings_file == tmp_path / "settings.json"
    assert paths.history_db == tmp_path / "history.sqlite3"
    assert AppPaths.resolve(str(tmp_path)) == paths


def test_portable_makes_relative_dir_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert AppPaths.portable("cfg").config_dir == tmp_path / "cfg"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG directories are Linux-specific")
def test_default_follows_xdg_dirs_with_app_name_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    paths = AppPaths.default()
    assert paths.config_dir == tmp_path / "conf" / "RiskDesk"
    assert paths.data_dir == tmp_path / "data" / "RiskDesk"
    assert AppPaths.resolve(None) == paths
    assert not paths.config_dir.exists()  # resolving paths creates nothing


def test_paths_are_frozen(tmp_path: Path) -> None:
    paths = AppPaths.portable(tmp_path)
    with pytest.raises(AttributeError):
        paths.config_dir = tmp_path / "other"  # type: ignore[misc]
