"""Alerts, history and Telegram in the worker, with a scripted service (no exchange): alerts on
each REST update, new thresholds applied at once, one batched Telegram message per evaluation,
test messages and failures reported as TelegramResult values, the token never in them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from desktop_app.alerts import AlertConfig, AlertRule, Severity
from desktop_app.alerts.config import RULE_DIRECTIONS
from desktop_app.alerts.telegram import TelegramSender
from desktop_app.domain.credentials import Secret
from desktop_app.storage.history import HistoryReader
from desktop_app.ui.worker.host import WorkerHost
from desktop_app.ui.worker.messages import AlertUpdate, TelegramResult, TelegramSettings
from tests.ui.factories import make_update
from tests.ui.test_worker import ScriptedService
from tests.ui.test_worker_live import Recorder

TOKEN = "123456:SECRET-token"
WAIT_MS = 5000


class FakeTelegram:
    """A Bot API stand-in: records each sendMessage text; answers 401 when told to."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.refuse = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.refuse:
            return httpx.Response(401, json={"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.texts.append(json.loads(request.content)["text"])
        return httpx.Response(200, json={"ok": True, "result": {}})

    def factory(self, settings: TelegramSettings) -> TelegramSender:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return TelegramSender(settings.token, settings.chat_id, client=client, max_attempts=1)


def _host(tmp_path: Path, fake: FakeTelegram) -> WorkerHost:
    def service() -> ScriptedService:
        return ScriptedService(make_update(), make_update())

    return WorkerHost((), interval_s=3600, service_factory=service,
                      history_path=tmp_path / "history.sqlite3", streams=False,
                      live_options={"telegram_factory": fake.factory})


def test_alerts_history_and_one_telegram_message_per_evaluation(qtbot, tmp_path: Path) -> None:
    fake = FakeTelegram()
    host = _host(tmp_path, fake)
    host.worker.set_telegram(TelegramSettings(Secret(TOKEN), "-1001"))  # queued until the loop runs
    alerts, snapshots = Recorder(host.worker.sig_alerts), Recorder(host.worker.sig_snapshot)
    host.start()
    try:
        first = alerts.wait_for(qtbot, lambda a: True)
        assert isinstance(first, AlertUpdate)
        # The factory's Hedge is short 0.5 BTC at mark 62,000 with liquidation 68,000:
        # (68,000 - 62,000) / 62,000 = 9.7% from liquidation, inside the 10% warning (not the 5% critical).
        liq = [e for e in first.events if e.key == ("liq_distance", "Hedge/BTCUSDT/short")]
        assert [(e.kind.value, e.severity) for e in liq] == [("raised", Severity.WARNING)]
        assert first.worst is not None and first.worst.rank >= Severity.WARNING.rank
        assert {a.key for a in first.active} == {e.key for e in first.events}
        notify = [e for e in first.events if e.kind.notify]
        qtbot.waitUntil(lambda: len(fake.texts) == 1, timeout=WAIT_MS)
        assert fake.texts[0].count("\n") == len(notify)  # "RiskDesk" then one line per event

        # The same figures again: nothing new, so no AlertUpdate and no second message.
        snapshots.wait_for(qtbot, lambda u: True)
        host.worker.refresh_now()
        snapshots.wait_for(qtbot, lambda u: True, after=1)
        qtbot.wait(50)  # an AlertUpdate would be queued right behind the update
        assert len(alerts.items) == 1 and len(fake.texts) == 1

        # Every rule disabled: every active alert clears at once, without waiting for a poll.
        quiet = AlertConfig()
        for name in RULE_DIRECTIONS:
            quiet = quiet.with_rule(name, AlertRule(False, None, None, 0.0))
        host.worker.set_alert_config(quiet)
        cleared = alerts.wait_for(qtbot, lambda a: True, after=1)
        assert cleared.active == () and cleared.worst is None
        assert {e.key for e in cleared.events} == {a.key for a in first.active}
        assert all(e.kind.value == "cleared" for e in cleared.events)
        assert len(fake.texts) == 1  # good news is not sent
    finally:
        assert host.shutdown()
    with HistoryReader(tmp_path / "history.sqlite3") as reader:
        logged = reader.alert_log()
        assert len(logged) == len(first.events) + len(cleared.events)
        assert {a.account_id for a in reader.accounts()} == {"acc-main", "acc-hedge"}


def test_telegram_test_message_and_failure_results(qtbot, tmp_path: Path) -> None:
    fake = FakeTelegram()
    host = _host(tmp_path, fake)
    results = Recorder(host.worker.sig_telegram_result)
    host.start()

    def next_result() -> TelegramResult:
        count = len(results.items)
        return results.wait_for(qtbot, lambda r: True, after=count)

    try:
        host.worker.send_telegram_test()
        unset = next_result()
        assert isinstance(unset, TelegramResult) and not unset.ok  # not set up yet
        host.worker.set_telegram(TelegramSettings(Secret(TOKEN), "-1001"))
        host.worker.send_telegram_test()
        ok = next_result()
        assert ok.ok and fake.texts[-1].startswith("RiskDesk test message")
        fake.refuse = True
        host.worker.send_telegram_test()
        failure = next_result()
        assert not failure.ok and "401" in failure.message and TOKEN not in failure.message
        host.worker.set_telegram(TelegramSettings(Secret("bad token with spaces"), "-1001"))
        malformed = next_result()
        assert not malformed.ok and "bad token" not in malformed.message
    finally:
        assert host.shutdown()


def test_a_window_watching_a_watcher_alerts_but_records_and_sends_nothing(qtbot, tmp_path: Path) -> None:
    fake = FakeTelegram()

    def service() -> ScriptedService:
        return ScriptedService(make_update(), make_update())

    host = WorkerHost((), interval_s=3600, service_factory=service, history_path=tmp_path / "history.sqlite3",
                      record_history=False, streams=False,
                      live_options={"telegram_factory": fake.factory, "send_alerts": False})
    host.worker.set_telegram(TelegramSettings(Secret(TOKEN), "-1001"))
    alerts, results = Recorder(host.worker.sig_alerts), Recorder(host.worker.sig_telegram_result)
    host.start()
    try:
        first = alerts.wait_for(qtbot, lambda a: True)
        assert any(e.kind.notify for e in first.events)  # the tray and the banner still hear of them
        host.worker.send_telegram_test()  # the settings dialog's test still works
        assert results.wait_for(qtbot, lambda r: True).ok
        assert len(fake.texts) == 1 and fake.texts[0].startswith("RiskDesk test message")
        assert not (tmp_path / "history.sqlite3").exists()  # the watcher writes it, not this window

        # The watcher stopped: the window records and sends from now on (alerts raised again here).
        host.worker.start_recording(tmp_path / "history.sqlite3")
        quiet = AlertConfig()
        for name in RULE_DIRECTIONS:
            quiet = quiet.with_rule(name, AlertRule(False, None, None, 0.0))
        host.worker.set_alert_config(quiet)
        alerts.wait_for(qtbot, lambda a: a.active == (), after=1)
        host.worker.set_alert_config(AlertConfig(cooldown_s=0.0))
        alerts.wait_for(qtbot, lambda a: any(e.kind.notify for e in a.events), after=2)
        qtbot.waitUntil(lambda: len(fake.texts) == 2, timeout=WAIT_MS)
    finally:
        assert host.shutdown()
    with HistoryReader(tmp_path / "history.sqlite3") as reader:
        assert {e.kind.value for e in reader.alert_log()} == {"cleared", "raised"}
