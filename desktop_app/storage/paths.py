"""Where RiskDesk keeps its files: the platform config and data directories, or one explicit
directory given with `--config-dir DIR` (settings, accounts and history all go under DIR)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "RiskDesk"
ACCOUNTS_FILE_NAME = "accounts.json"
SETTINGS_FILE_NAME = "settings.json"
HISTORY_DB_NAME = "history.sqlite3"
WATCH_STATE_FILE_NAME = "watch-state.json"  # the watcher's alerts between runs (storage/watch_state.py)


@dataclass(frozen=True, slots=True)
class AppPaths:
    config_dir: Path  # accounts.json, settings.json (metadata only; secrets live in the keyring)
    data_dir: Path  # history database

    @property
    def accounts_file(self) -> Path:
        return self.config_dir / ACCOUNTS_FILE_NAME

    @property
    def settings_file(self) -> Path:
        return self.config_dir / SETTINGS_FILE_NAME

    @property
    def history_db(self) -> Path:
        return self.data_dir / HISTORY_DB_NAME

    @property
    def watch_state_file(self) -> Path:
        return self.data_dir / WATCH_STATE_FILE_NAME

    @classmethod
    def default(cls) -> AppPaths:
        """The per-user platform directories (XDG on Linux, Application Support on macOS,
        %LOCALAPPDATA% on Windows). Nothing is created."""
        # appauthor=False: no vendor folder level on Windows ("RiskDesk", not "RiskDesk\\RiskDesk").
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def portable(cls, directory: Path | str) -> AppPaths:
        """Everything under one directory (the app's `--config-dir DIR`, tests, a USB stick)."""
        root = Path(directory).expanduser().absolute()
        return cls(config_dir=root, data_dir=root)

    @classmethod
    def resolve(cls, config_dir: Path | str | None = None) -> AppPaths:
        """`portable(config_dir)` when a directory is given, else `default()`."""
        return cls.default() if config_dir is None else cls.portable(config_dir)
