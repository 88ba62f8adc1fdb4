"""`watch --once` as cron runs it: one refresh, alerts against the state the last run left, exit; the
alerts in the configured language; the settings file followed while the watcher runs.

Hedge's MM rate on the frozen crash path (see test_watch_crash.py): 65% at 380 s (warning), 88% at
388 s (critical). Each run is a new process, so anything not raised again comes from the state file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from desktop_app import cli, i18n
from desktop_app.exchange_sim import Simulator
from tests.watch.conftest import (
    CHAT,
    TOKEN,
    Watcher,
    files_under,
    only_mm_rate,
    write_accounts,
    write_settings,
)
from tests.watch.telegram_standin import TelegramStandIn


def _alert_lines(watcher: Watcher) -> list[str]:
    return [line.split(" ", 1)[1] for line in watcher.out if " alert " in f" {line}" or " account " in line]


def test_once_does_not_raise_again_what_the_last_run_raised(tmp_path: Path, crash_sim: Simulator,
                                                             telegram: TelegramStandIn,
                                                             sandbox: dict[str, str]) -> None:
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate(), telegram_chat_id=CHAT, refresh_interval_s=300)
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    args = ["--accounts", str(accounts), "--config-dir", str(config_dir), "--once",
            "--telegram-api-url", telegram.url]

    def once() -> tuple[int, list[str]]:
        watcher = Watcher(args, sandbox)
        try:
            code = watcher.finish()
        finally:
            watcher.kill()
        assert watcher.err == [] and not any(TOKEN in line for line in watcher.out)
        assert " checking once: 2 accounts (Main, Hedge) every 300 s;" in watcher.out[0]
        return code, _alert_lines(watcher)

    crash_sim.step(380.0)
    code, lines = once()
    assert code == 0 and len(lines) == 1 and lines[0].startswith("alert raised: WARNING Hedge: MM rate 6")
    assert len(telegram.sent) == 1 and "WARNING: Hedge: MM rate" in telegram.texts()[0]

    # Same figures, next cron run: nothing new, nothing sent. Main failing is told once, exit 3.
    crash_sim.faults.fail(crash_sim.account("Main").uid)
    code, lines = once()
    assert code == 3 and len(lines) == 1 and lines[0].startswith("account failed: Main: ")
    code, lines = once()
    assert code == 3 and lines == [] and len(telegram.sent) == 1

    # Worse and Main back: the alert escalates (one message), Main recovers.
    crash_sim.faults.recover(crash_sim.account("Main").uid)
    crash_sim.step(8.0)
    code, lines = once()
    assert code == 0
    assert lines[0] == "account recovered: Main"
    assert lines[1].startswith("alert escalated: CRITICAL Hedge: MM rate") and len(lines) == 2
    assert len(telegram.sent) == 2 and "CRITICAL: Hedge: MM rate" in telegram.texts()[1]

    state = json.loads((config_dir / "watch-state.json").read_text(encoding="utf-8"))
    assert [(a["rule"], a["subject"], a["severity"]) for a in state["engine"]["active"]] == [
        ("mm_rate", "Hedge", "critical")]
    assert files_under(Path(sandbox["HOME"])) == []


def test_alerts_go_out_in_the_configured_language(tmp_path: Path, crash_sim: Simulator,
                                                  telegram: TelegramStandIn, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RISKDESK_TELEGRAM_TOKEN", TOKEN)
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate(), language="uk")
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    crash_sim.step(380.0)  # Hedge's MM rate 65%: a warning
    try:
        code = cli.main(["watch", "--accounts", str(accounts), "--config-dir", str(config_dir), "--once",
                         "--telegram-chat", CHAT, "--telegram-api-url", telegram.url])
    finally:
        i18n.use_language("en")
    assert code == 0
    [text] = telegram.texts()
    assert "ПОПЕРЕДЖЕННЯ: Hedge: коефіцієнт MM 6" in text and "— ліквідація при 100%" in text
    out = capsys.readouterr().out
    assert " alert raised: WARNING Hedge: коефіцієнт MM 6" in out  # the frame stays English for log tools


def test_settings_changed_in_the_window_apply_while_the_watcher_runs(
        tmp_path: Path, crash_sim: Simulator, telegram: TelegramStandIn, sandbox: dict[str, str]) -> None:
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate(0.9, 0.95, 0.05), telegram_chat_id="-100111",
                   refresh_interval_s=1)
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    crash_sim.step(380.0)  # Hedge's MM rate 65%: quiet under a 90% warning, a warning under 50%
    watcher = Watcher(["--accounts", str(accounts), "--config-dir", str(config_dir), "--interval", "0.5",
                       "--telegram-api-url", telegram.url], sandbox)
    try:
        watcher.line_with("watching: 2 accounts (Main, Hedge) every 0.5 s")
        watcher.wait_for(lambda: (config_dir / "history.sqlite3").exists(), 10.0, "the first refresh")
        time.sleep(1.0)  # a few refreshes under the first rules: nothing is raised
        assert not any(" alert " in line for line in watcher.out)
        write_settings(config_dir, alerts=only_mm_rate(), telegram_chat_id="-100222", refresh_interval_s=1)
        line = watcher.line_with("settings changed: ")
        watcher.line_with("alert raised: WARNING Hedge: MM rate")
        watcher.wait_for(lambda: len(telegram.sent) == 1, 10.0, "the alert on Telegram")
        (config_dir / "settings.json").write_bytes(b"{damaged")
        watcher.line_with("settings problem: settings file")
        code, _ = watcher.stop()
    finally:
        watcher.kill()
    # --interval was given: the settings' interval does not override it; the chat was not given.
    assert line.endswith("settings changed: Telegram chat -100222, alert rules")
    assert telegram.sent[0].chat_id == "-100222" and code == 0


def _once_in_process(tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    monkeypatch.setenv("RISKDESK_TELEGRAM_TOKEN", TOKEN)
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate())
    accounts = write_accounts(tmp_path / "accounts.json", sim)
    code = cli.main(["watch", "--accounts", str(accounts), "--config-dir", str(config_dir), "--once",
                     "--no-telegram"])
    captured = capsys.readouterr()
    return code, [line.split(" ", 1)[1] for line in captured.out.splitlines()], captured.err.splitlines()


def test_a_hostile_state_file_starts_afresh_with_a_line(tmp_path: Path, crash_sim: Simulator,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "config" / "watch-state.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(b'{"version": 1, "engine": {"version": 1, "peak_equity_usd": 1' + b"0" * 400 + b"}}")
    crash_sim.step(380.0)
    code, lines, errors = _once_in_process(tmp_path, crash_sim, monkeypatch, capsys)
    assert code == 0 and errors == []
    assert lines[0].startswith(f"state problem: the watcher state {state} is damaged (")
    assert lines[0].endswith("); starting afresh")
    assert any(line.startswith("alert raised: WARNING Hedge: MM rate") for line in lines)
    rewritten = json.loads(state.read_text(encoding="utf-8"))["engine"]
    assert [a["rule"] for a in rewritten["active"]] == ["mm_rate"]  # a fresh state, kept from now on


def test_once_an_unexpected_error_is_exit_1_and_an_exchange_error_exit_3(
        tmp_path: Path, crash_sim: Simulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.bybit.errors import TRANSPORT_ERROR, BybitError
    from desktop_app.service import RiskService

    async def bug(self: RiskService, accounts: object) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(RiskService, "update", bug)
    code, lines, errors = _once_in_process(tmp_path, crash_sim, monkeypatch, capsys)
    assert code == 1 and errors == [
        "riskdesk-cli watch: stopped by an unexpected error (RuntimeError: a bug over two lines)"]

    async def outage(self: RiskService, accounts: object) -> None:
        raise BybitError(TRANSPORT_ERROR, "every host refused the connection")

    monkeypatch.setattr(RiskService, "update", outage)
    code, lines, errors = _once_in_process(tmp_path, crash_sim, monkeypatch, capsys)
    assert code == 3 and errors == [] and lines[-1] == "refresh problem: every host refused the connection"
