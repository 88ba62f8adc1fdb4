"""Everything the watcher checks before it starts: bad input is one line and exit 2, the token comes
from the environment or the app's keyring entry and never shows, another writer is exit 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.commands.watch_input import resolve_plan
from desktop_app.domain.credentials import Secret
from desktop_app.storage.accounts import AccountConfig, AccountStore
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import TELEGRAM_BOT_TOKEN, SecretStore
from desktop_app.storage.writer_lock import WATCHER, WriterLock
from tests.keyring_memory import MemoryKeyring
from tests.watch.conftest import CHAT, TOKEN, write_settings

ACCOUNTS = {"accounts": [{"name": "Main", "base_url": "http://127.0.0.1:9", "api_key": "KEY",
                          "api_secret": "SECRET-never-shown"}]}


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(ACCOUNTS), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKDESK_TELEGRAM_TOKEN", TOKEN)


def _watch(*args: str) -> list[str]:
    return ["watch", *args]


def _one_line_exit(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 2) -> str:
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert TOKEN not in captured.err and "SECRET-never-shown" not in captured.err
    return lines[0]


@pytest.mark.parametrize(("content", "expected"), [
    (None, "cannot read accounts file"),
    (b"{not json", "not valid JSON"),
    (b'{"accounts": []}', "non-empty list"),
    (b'{"accounts": [{"name": "Main"}]}', "'base_url' must be a non-empty string"),
    (b"[" * 100_000, "nests"),
])
def test_a_bad_accounts_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    content: bytes | None, expected: str) -> None:
    path = tmp_path / "accounts.json"
    if content is not None:
        path.write_bytes(content)
    line = _one_line_exit(_watch("--accounts", str(path), "--config-dir", str(tmp_path / "c"),
                                 "--telegram-chat", CHAT), capsys)
    assert expected in line and line.startswith("riskdesk-cli watch: ")


def test_an_unknown_option_is_one_line_and_exit_2(accounts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(_watch("--accounts", str(accounts), "--bogus"))
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "unrecognized arguments: --bogus" in captured.err


@pytest.mark.parametrize(("option", "value"), [("--interval", "0.1"), ("--interval", "nan"),
                                                ("--deadline", "0"), ("--lang", "xx")])
def test_bad_numbers_and_choices_exit_2(accounts: Path, capsys: pytest.CaptureFixture[str], option: str,
                                        value: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(_watch("--accounts", str(accounts), option, value))
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_no_telegram_chat_is_one_line_and_exit_2(accounts: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_exit(_watch("--accounts", str(accounts), "--config-dir", str(tmp_path / "c")), capsys)
    assert "no Telegram chat" in line and "--no-telegram" in line


@pytest.mark.parametrize(("args", "expected"), [
    (("--telegram-chat", "not a chat"), "numeric chat id"),
    (("--telegram-chat", CHAT, "--telegram-api-url", "ftp://proxy"), "http(s) URL"),
    (("--telegram-chat", CHAT, "--telegram-api-url", "https://proxy/?token=1"), "http(s) URL"),
])
def test_bad_telegram_options_exit_2(accounts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     args: tuple[str, ...], expected: str) -> None:
    argv = _watch("--accounts", str(accounts), "--config-dir", str(tmp_path / "c"), *args)
    line = _one_line_exit(argv, capsys)
    assert expected in line


def test_a_malformed_token_is_refused_without_showing_it(accounts: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RISKDESK_TELEGRAM_TOKEN", "bad token with spaces")
    line = _one_line_exit(_watch("--accounts", str(accounts), "--config-dir", str(tmp_path / "c"),
                                 "--telegram-chat", CHAT), capsys)
    assert "token is missing or malformed" in line and "bad token" not in line


def test_no_token_anywhere_says_where_to_put_it(
        accounts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("RISKDESK_TELEGRAM_TOKEN")
    line = _one_line_exit(_watch("--accounts", str(accounts), "--config-dir", str(tmp_path / "c"),
                                 "--telegram-chat", CHAT), capsys)
    assert "no Telegram bot token" in line and "RISKDESK_TELEGRAM_TOKEN" in line


@pytest.mark.parametrize(("content", "expected"), [
    (b"{broken", "is not valid JSON"), (b'{"a":' * 50_000, "deep; at most"),
    (b'{"refresh_interval_s": 1' + b"0" * 5000 + b"}", "(5001 characters) is longer than 40 characters")])
def test_a_settings_file_that_is_not_json_is_exit_2_and_left_alone(
        accounts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        expected: str) -> None:
    config_dir = tmp_path / "c"
    config_dir.mkdir()
    (config_dir / "settings.json").write_bytes(content)
    line = _one_line_exit(_watch("--accounts", str(accounts), "--config-dir", str(config_dir)), capsys)
    assert "settings file" in line and expected in line
    assert [p.name for p in config_dir.iterdir()] == ["settings.json"]


def test_the_apps_configuration_accounts_rules_chat_and_keyring_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    monkeypatch.delenv("RISKDESK_TELEGRAM_TOKEN")
    paths = AppPaths.portable(tmp_path)
    store = AccountStore(paths.accounts_file, SecretStore())
    store.add(AccountConfig.new(name="Main", env_kind="testnet", rest_url="https://api-testnet.bybit.com",
                                api_key="KEY"), Secret("s1"))
    SecretStore().set(TELEGRAM_BOT_TOKEN, Secret(TOKEN))
    mm_rate = {"enabled": True, "warning": 0.3, "critical": 0.6, "clear_margin": 0.1}
    write_settings(tmp_path, telegram_chat_id=CHAT, refresh_interval_s=30, language="uk",
                   alerts={"mm_rate": mm_rate})
    args = cli.build_parser(["watch"]).parse_args(["watch", "--config-dir", str(tmp_path)])
    plan = resolve_plan(args)
    assert [a.name for a in plan.accounts] == ["Main"] and plan.interval_s == 30
    assert plan.telegram is not None and plan.telegram.chat_id == CHAT
    assert plan.telegram.token is not None and plan.telegram.token.reveal() == TOKEN
    assert plan.settings.alerts.mm_rate.warning == 0.3 and plan.language == "uk"
    assert TOKEN not in repr(plan)
    # Options win over the settings; the environment's token over the keyring's.
    monkeypatch.setenv("RISKDESK_TELEGRAM_TOKEN", "654321:FROM-env")
    args = cli.build_parser(["watch"]).parse_args(["watch", "--config-dir", str(tmp_path), "--interval", "2",
                                                   "--telegram-chat", "@riskdesk_alerts", "--lang", "th"])
    plan = resolve_plan(args)
    assert plan.interval_s == 2 and plan.language == "th"
    assert plan.telegram is not None and plan.telegram.chat_id == "@riskdesk_alerts"
    assert plan.telegram.token is not None and plan.telegram.token.reveal() == "654321:FROM-env"


def test_no_configured_accounts_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_exit(_watch("--config-dir", str(tmp_path), "--no-telegram"), capsys)
    assert "no accounts configured" in line


def test_a_second_writer_is_told_who_holds_the_config_dir(accounts: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    config_dir = tmp_path / "c"
    with WriterLock.acquire(config_dir, WATCHER) as held:
        line = _one_line_exit(_watch("--accounts", str(accounts), "--config-dir", str(config_dir),
                                     "--no-telegram"), capsys, code=4)
    assert f"a RiskDesk watcher (process {held.holder.pid}, since " in line
    assert f"already monitors {config_dir}" in line and "stop it first" in line


