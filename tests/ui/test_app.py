"""Start-up: --self-test in demo mode prints its line and exits 0; the single-instance handshake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from desktop_app.storage.secrets import SecretStore
from desktop_app.ui.self_test import keyring_status
from desktop_app.ui.single_instance import InstanceServer, activate_running, server_name
from tests.keyring_memory import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, config_dir: Path, keyring_backend: str = "keyring.backends.fail.Keyring",
         ) -> subprocess.CompletedProcess[str]:
    # keyring's own override: the child must not find whatever keyring the machine running the tests has.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND=keyring_backend)
    command = [sys.executable, "-m", "desktop_app.ui.app", *args, "--config-dir", str(config_dir)]
    return subprocess.run(command,
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_self_test_demo_exits_zero_with_one_line(tmp_path: Path) -> None:
    result = _run("--self-test", "--demo", config_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    # The demo set has 5 accounts (Main, Isolated, Portfolio, Classic, Hedge).
    assert result.stdout.startswith("self-test ok: 5 accounts, ")
    # keyring's fail backend stands for a machine without a Secret Service: said, not fatal.
    assert result.stdout.rstrip("\n").endswith("; keyring: none usable")


def test_self_test_names_the_keyring_backend_it_finds(tmp_path: Path) -> None:
    result = _run("--self-test", "--demo", config_dir=tmp_path,
                  keyring_backend="tests.keyring_memory.MemoryKeyring")
    assert result.returncode == 0, result.stderr
    # The backend stored, read back and deleted a throw-away secret in the child process.
    assert result.stdout.rstrip("\n").endswith("; keyring: tests.keyring_memory.MemoryKeyring, round-trip ok")
    assert result.stdout.count("\n") == 1
    # Demo mode writes no account config (keys stay in memory).
    assert not (tmp_path / "accounts.json").exists()


def test_self_test_keyring_status_line(memory_keyring: MemoryKeyring) -> None:
    assert keyring_status(SecretStore()) == "tests.keyring_memory.MemoryKeyring, round-trip ok"
    memory_keyring.fail_with = keyring.errors.PasswordSetError("denied")
    assert keyring_status(SecretStore()).startswith(
        "tests.keyring_memory.MemoryKeyring, round-trip failed: Could not save the keyring entry")
    keyring.set_keyring(fail.Keyring())  # the fixture restores the previous backend
    assert keyring_status(SecretStore()) == "none usable"


def test_self_test_without_accounts_fails_with_reason(tmp_path: Path) -> None:
    result = _run("--self-test", config_dir=tmp_path)
    assert result.returncode == 1
    assert "self-test failed: no enabled accounts are configured" in result.stderr


def test_self_test_without_a_keyring_says_so_when_accounts_are_configured(tmp_path: Path) -> None:
    import json

    from desktop_app.storage.accounts import AccountConfig

    config = AccountConfig.new(name="Main", env_kind="mainnet", rest_url="https://api.bybit.com",
                               api_key="KEYKEYKEY123")
    (tmp_path / "accounts.json").write_text(json.dumps({"version": 1, "accounts": [config.to_json()]}))
    result = _run("--self-test", config_dir=tmp_path)  # keyring's fail backend: no keyring at all
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("self-test failed: 1 account is configured, but no usable keyring is available "
                           "to read the API secrets. No secure password store (keyring) is available")
    assert "no enabled accounts are configured" not in result.stderr


def test_second_start_activates_the_first(qtbot, tmp_path: Path) -> None:
    name = server_name(tmp_path)
    assert name != server_name(tmp_path / "other")  # another config dir is never blocked
    assert name != server_name(tmp_path, demo=True)
    assert not activate_running(name)  # nobody listens yet
    server = InstanceServer(name)
    assert server.listen()
    try:
        with qtbot.waitSignal(server.sig_activate, timeout=5000):
            assert activate_running(name)
    finally:
        server.close()


def test_the_installer_mutex_is_held_on_windows_only(monkeypatch) -> None:
    import ctypes
    import types

    from desktop_app.ui.single_instance import WINDOWS_MUTEX_NAMES, hold_installer_mutex

    assert hold_installer_mutex("linux") == []
    created: list[str] = []

    def create_mutex(attributes: object, initial_owner: bool, name: str) -> int:
        created.append(name)
        return 0 if name.startswith("Global\\") else 42  # the global namespace refused, as without privilege

    fake = types.SimpleNamespace(kernel32=types.SimpleNamespace(CreateMutexW=create_mutex))
    monkeypatch.setattr(ctypes, "windll", fake, raising=False)
    assert hold_installer_mutex("win32") == [42]
    # The names Inno Setup's AppMutex checks (packaging/windows/riskdesk.iss).
    assert created == list(WINDOWS_MUTEX_NAMES)
    assert created == ["RiskDeskSingleInstance", "Global\\RiskDeskSingleInstance"]


def test_copytrade_option_opens_the_calculator_alone(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui import app as app_module
    from desktop_app.ui.copytrade.dialog import CopyTradeDialog
    from desktop_app.ui.window.main_window import MainWindow

    shown: list[str] = []

    def exec_once(*_args: object) -> int:
        shown.extend(type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible())
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, CopyTradeDialog):
                widget.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_once)
    assert app_module.main(["--copytrade", "--lang", "en", "--config-dir", str(tmp_path)]) == 0
    assert CopyTradeDialog.__name__ in shown and MainWindow.__name__ not in shown
