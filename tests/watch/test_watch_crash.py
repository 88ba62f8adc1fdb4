"""The watcher as a trader runs it: a real subprocess against the simulator's crash scenario, alerts
to a local Telegram stand-in, stopped with SIGTERM.

Accounts: the demo's Main and Hedge (tests/test_e2e_crash_alerts.py derives their figures). Only the
MM-rate rule is on: warning at 50%, critical at 80%, clear margin 20 points, so the alert eases back
to warning below 60% and clears only below 30%. Hedge's MM rate on the frozen crash path, measured
once with RiskService (BTC falls 0.1% per 4 s of price time): 38% at 360 s, 41% at 364, 46% at 368,
51% at 372, 57% at 376, 65% at 380, 76% at 384, 101% at 390. So 4-s steps from 364 s raise the
warning (at 372 s) before they escalate it (at 388 s), each in a step of its own. Then BTC is lifted
0.2% at a time (every coin by its beta, at once): the rate falls through 60% (eased), through the
[30%, 50%) band where hysteresis keeps the alert raised, and clears below 30%.
"""

from __future__ import annotations

import signal
import socket
from pathlib import Path

from desktop_app.exchange_sim import Simulator
from desktop_app.storage.history import HistoryError, HistoryReader
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

HEDGE = "file-1"  # the accounts file's second entry
KEY = ("mm_rate", "Hedge")


def _rates(db: Path) -> tuple[list[float], list[float]]:
    try:
        with HistoryReader(db) as reader:
            times, rates = reader.mm_rate_series(HEDGE, 0.0)
    except HistoryError:  # not created yet, or still being created by the watcher
        return [], []
    return list(times), list(rates)


def _after_two_polls(watcher: Watcher, db: Path) -> None:
    """Two refreshes written after this moment: the second one began after it, so it saw the price
    the test has just set (the first may have been in flight)."""
    seen = len(_rates(db)[0])
    watcher.wait_for(lambda: len(_rates(db)[0]) >= seen + 2, 10.0, "two more refreshes in the history")


def test_crash_alerts_on_telegram_with_hysteresis_then_sigterm(tmp_path: Path, crash_sim: Simulator,
                                                               telegram: TelegramStandIn,
                                                               sandbox: dict[str, str]) -> None:
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate())
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    db = config_dir / "history.sqlite3"
    watcher = Watcher(["--accounts", str(accounts), "--config-dir", str(config_dir), "--interval", "0.5",
                       "--telegram-chat", CHAT, "--telegram-api-url", telegram.url], sandbox)
    try:
        banner = watcher.line_with("watching: 2 accounts (Main, Hedge)")
        assert f"chat {CHAT}" in banner
        _after_two_polls(watcher, db)
        crash_sim.step(364.0)
        _after_two_polls(watcher, db)
        for _ in range(15):  # 4 s of price time: BTC down 0.1% a step
            if any("alert escalated" in line for line in watcher.out):
                break
            crash_sim.step(4.0)
            _after_two_polls(watcher, db)
        watcher.line_with("alert escalated: CRITICAL Hedge: MM rate")
        for _ in range(15):  # BTC up 0.2% a step, every coin by its beta
            if any("alert cleared" in line for line in watcher.out):
                break
            crash_sim.trigger_crash(-0.002, duration_s=0.001)
            crash_sim.step(0.001)
            _after_two_polls(watcher, db)
        watcher.line_with("alert cleared: WARNING Back to normal: Hedge: MM rate")
        code, took_s = watcher.stop(signal.SIGTERM)
    finally:
        watcher.kill()
    assert code == 0 and took_s < 5.0, (code, took_s, watcher.err)
    assert watcher.out[-1].endswith(" stopped") and watcher.out[-2].endswith(" SIGTERM received: stopping")
    assert watcher.err == []

    # The lines: raised at warning, escalated, eased, cleared, each once and in that order.
    kinds = [line.split(" ", 1)[1].split(":", 1)[0] for line in watcher.out if " alert " in f" {line}"]
    assert kinds == ["alert raised", "alert escalated", "alert eased", "alert cleared"]
    assert next(line for line in watcher.out if "alert raised" in line).split(" ", 1)[1].startswith(
        "alert raised: WARNING Hedge: MM rate")

    # Telegram got the two that deserve a message (raised, escalated), naming the account.
    assert [(s.token, s.chat_id) for s in telegram.sent] == [(TOKEN, CHAT)] * 2
    first, second = telegram.texts()
    assert first.startswith("RiskDesk\n") and "WARNING: Hedge: MM rate" in first
    assert "CRITICAL: Hedge: MM rate" in second

    # The history, as the window's reader sees it: every refresh of both accounts, and the alert log
    # whose values show the hysteresis (eased below 60%, cleared below 30%, never at 30-50%).
    with HistoryReader(db) as reader:
        assert {a.name for a in reader.accounts()} == {"Main", "Hedge"}
        log = [e for e in reversed(reader.alert_log()) if e.key == KEY]
    assert [(e.kind.value, e.severity.value) for e in log] == [
        ("raised", "warning"), ("escalated", "critical"), ("eased", "warning"), ("cleared", "warning")]
    raised, escalated, eased, cleared = log
    assert 0.5 <= raised.value < 0.8 and escalated.value >= 0.8
    assert eased.value < 0.6 and cleared.value < 0.3
    times, rates = _rates(db)
    held = [r for t, r in zip(times, rates, strict=True) if eased.time_s <= t < cleared.time_s]
    assert any(0.3 <= r < 0.5 for r in held), held  # under the warning level, and still raised

    # The token is nowhere but in the requests; nothing was written outside the config dir.
    assert not any(TOKEN in line for line in watcher.out + watcher.err)
    assert not any(TOKEN.encode() in path.read_bytes() for path in files_under(config_dir))
    assert files_under(Path(sandbox["HOME"])) == []
    assert {p.name for p in files_under(config_dir)} >= {"history.sqlite3", "watch-state.json", "writer.lock"}


def test_ctrl_c_while_every_request_hangs_exits_0_at_once(tmp_path: Path, crash_sim: Simulator,
                                                          sandbox: dict[str, str]) -> None:
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    watcher = Watcher(["--accounts", str(accounts), "--config-dir", str(tmp_path / "config"),
                       "--interval", "0.5", "--no-telegram", "--verbose"], sandbox)
    try:
        watcher.line_with("summary: 2/2 accounts ok")
        crash_sim.faults.timeout_mode = "hold"
        crash_sim.faults.timeout_rate = 1.0  # every request from now on is held open, never answered
        before = crash_sim.stats.requests
        watcher.wait_for(lambda: crash_sim.stats.requests > before + 2, 5.0, "requests held open")
        code, took_s = watcher.stop(signal.SIGINT)
    finally:
        watcher.kill()
    assert code == 0 and took_s < 5.0, (code, took_s, watcher.err)
    assert watcher.out[-2].endswith(" SIGINT received: stopping") and watcher.out[-1].endswith(" stopped")
    assert watcher.err == [] and watcher.out[0].endswith("; Telegram off")


def test_telegram_unreachable_is_said_without_the_token_and_the_next_run_delivers(
        tmp_path: Path, crash_sim: Simulator, telegram: TelegramStandIn, sandbox: dict[str, str]) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}/bot{TOKEN}/"  # a token in the URL too
    config_dir = tmp_path / "config"
    write_settings(config_dir, alerts=only_mm_rate())
    accounts = write_accounts(tmp_path / "accounts.json", crash_sim)
    crash_sim.step(380.0)  # Hedge's MM rate 65%: a warning at the first refresh
    watcher = Watcher(["--accounts", str(accounts), "--config-dir", str(config_dir), "--interval", "0.5",
                       "--telegram-chat", CHAT, "--telegram-api-url", closed_url], sandbox)
    try:
        watcher.line_with("alert raised: WARNING Hedge")
        line = watcher.line_with("Telegram: Telegram could not be reached", timeout_s=15.0)
        assert line.endswith("; retrying with back-off (up to 6 attempts).")
        _after_two_polls(watcher, config_dir / "history.sqlite3")  # still refreshing and recording
        code, _ = watcher.stop(signal.SIGTERM)
    finally:
        watcher.kill()
    assert code == 0
    assert any("1 alert message(s) not delivered before stopping" in line for line in watcher.out)
    assert not any(TOKEN in line or TOKEN.split(":")[1] in line for line in watcher.out + watcher.err)

    # The next run (cron's --once) delivers what the last one could not, and raises nothing again.
    once = Watcher(["--accounts", str(accounts), "--config-dir", str(config_dir), "--once",
                    "--telegram-chat", CHAT, "--telegram-api-url", telegram.url], sandbox)
    try:
        assert once.finish() == 0
    finally:
        once.kill()
    assert not any(" alert " in line for line in once.out) and once.err == []
    [text] = telegram.texts()
    assert text.startswith("RiskDesk\n") and "WARNING: Hedge: MM rate" in text
