"""The settings dialog: errors name the field, settings persist in settings.json, the Telegram bot token
goes to the keyring only (never into settings.json), the test message result is shown."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop_app.alerts import AlertRule
from desktop_app.domain.credentials import Secret
from desktop_app.live.alerts import TelegramResult, TelegramSettings
from desktop_app.storage.accounts import AccountStore
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SERVICE_NAME, TELEGRAM_BOT_TOKEN, SecretStore
from desktop_app.storage.settings import Settings, load_settings
from desktop_app.ui.context import AppContext, demo_context
from desktop_app.ui.settings_dialog import SettingsDialog
from tests.ui.test_main_window_alerts import FakeWorker

TOKEN = "123456:AAE-very-secret-token"


def real_context(tmp_path: Path) -> AppContext:
    paths = AppPaths.portable(tmp_path)
    secrets = SecretStore()
    return AppContext(paths=paths, settings=Settings(), secrets=secrets,
                      store=AccountStore(paths.accounts_file, secrets))


def make_dialog(qtbot, context: AppContext, worker: FakeWorker | None = None) -> SettingsDialog:
    dialog = SettingsDialog(context, worker or FakeWorker())
    qtbot.addWidget(dialog)
    return dialog


def edit(dialog: SettingsDialog, field: str, text: str) -> None:
    widget = dialog.alerts.edit_for(field)
    widget.setText(text)  # type: ignore[union-attr]


def test_threshold_order_error_names_the_field_and_keeps_the_dialog_open(qtbot, tmp_path, memory_keyring):
    context = real_context(tmp_path)
    dialog = make_dialog(qtbot, context)
    assert dialog.alerts.edit_for("mm_rate.warning").text() == "50"  # 0.50 shown in percent
    edit(dialog, "mm_rate.warning", "90")
    edit(dialog, "mm_rate.critical", "50")
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted and dialog.settings is None
    assert dialog.error_label.text() == \
        "Account MM rate — Critical: must be above the warning level (90 %)"
    assert dialog.tabs.currentWidget() is dialog.alerts
    assert not context.paths.settings_file.exists()


def test_text_that_is_not_a_number_is_named(qtbot, tmp_path, memory_keyring):
    dialog = make_dialog(qtbot, real_context(tmp_path))
    edit(dialog, "drawdown.warning", "five")
    dialog.accept()
    assert dialog.error_label.text() == "Drawdown from session peak — Warning: not a number"


def test_invalid_chat_id_is_named(qtbot, tmp_path, memory_keyring):
    dialog = make_dialog(qtbot, real_context(tmp_path))
    dialog.telegram.chat_edit.setText("my chat")
    dialog.accept()
    assert dialog.error_label.text().startswith("Telegram chat id: must be a numeric chat id")
    assert dialog.tabs.currentWidget() is dialog.telegram


def test_ok_persists_settings_and_puts_the_token_in_the_keyring_only(qtbot, tmp_path, memory_keyring):
    context = real_context(tmp_path)
    dialog = make_dialog(qtbot, context)
    dialog.interval_spin.setValue(10.0)
    assert dialog.deadline_spin.value() == 15.0  # the default time limit of an answer
    dialog.deadline_spin.setValue(30.0)
    edit(dialog, "mm_rate.warning", "40")
    edit(dialog, "mm_rate.critical", "70")
    edit(dialog, "stale.warning", "4")
    edit(dialog, "concentration.critical", "")  # stays off
    dialog.alerts.rows["hedge"].enabled.setChecked(False)
    dialog.alerts.cooldown_min.setValue(10.0)
    dialog.telegram.chat_edit.setText("-1001234567890")
    dialog.telegram.token_edit.setText(TOKEN)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted, dialog.error_label.text()
    assert dialog.telegram.token_edit.text() == ""  # cleared once stored

    raw = context.paths.settings_file.read_bytes()
    assert TOKEN.encode() not in raw and b"very-secret" not in raw
    document = json.loads(raw)
    assert document["refresh_interval_s"] == 10.0
    assert document["request_deadline_s"] == 30.0
    assert document["telegram_chat_id"] == "-1001234567890"
    # 40 % and 70 % are stored as fractions: 40 / 100 = 0.4, 70 / 100 = 0.7.
    assert document["alerts"]["mm_rate"] == {"enabled": True, "warning": 0.4, "critical": 0.7,
                                             "clear_margin": 0.05}
    assert document["alerts"]["stale"]["warning"] == 4.0  # refresh intervals: no scaling
    assert document["alerts"]["hedge"]["enabled"] is False
    assert document["alerts"]["cooldown_s"] == 600.0  # 10 minutes x 60 s
    assert memory_keyring.entries == {(SERVICE_NAME, TELEGRAM_BOT_TOKEN): TOKEN}

    reloaded = load_settings(context.paths.settings_file)
    assert reloaded.messages == ()
    assert reloaded.settings.alerts.mm_rate == AlertRule(True, 0.4, 0.7, 0.05)
    assert reloaded.settings == dialog.settings


def test_without_a_keyring_the_token_cannot_be_entered(qtbot, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        context = real_context(tmp_path)
        dialog = make_dialog(qtbot, context)
        assert not dialog.telegram.token_edit.isEnabled()
        assert dialog.telegram.token_state.text().startswith("No keyring: the bot token cannot be saved.")
        dialog.telegram.chat_edit.setText("@riskdesk_alerts")
        dialog.accept()
        assert dialog.result() == SettingsDialog.DialogCode.Accepted
        assert json.loads(context.paths.settings_file.read_bytes())["telegram_chat_id"] == "@riskdesk_alerts"
    finally:
        keyring.set_keyring(previous)


def test_a_failing_keyring_keeps_the_dialog_open_and_saves_nothing(qtbot, tmp_path, memory_keyring):
    context = real_context(tmp_path)
    dialog = make_dialog(qtbot, context)
    memory_keyring.fail_with = keyring.errors.KeyringLocked("locked")
    dialog.telegram.token_edit.setText(TOKEN)
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "Could not save the keyring entry 'telegram-bot-token'" in dialog.error_label.text()
    assert TOKEN not in dialog.error_label.text()
    assert not context.paths.settings_file.exists()


def test_demo_mode_keeps_the_token_in_memory_and_writes_nothing(qtbot, tmp_path, memory_keyring):
    context = demo_context(AppPaths.portable(tmp_path), ())
    dialog = make_dialog(qtbot, context)
    dialog.telegram.chat_edit.setText("-100123")
    dialog.telegram.token_edit.setText(TOKEN)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.session_token == Secret(TOKEN)
    assert memory_keyring.entries == {}
    assert not context.paths.settings_file.exists()


def test_send_test_message_goes_through_the_worker_and_shows_the_result(qtbot, tmp_path, memory_keyring):
    worker = FakeWorker()
    dialog = make_dialog(qtbot, real_context(tmp_path), worker)
    dialog.telegram.test_button.click()
    assert dialog.telegram.result_label.text() == "Enter the chat id first."
    dialog.telegram.chat_edit.setText("-100123")
    dialog.telegram.test_button.click()
    assert dialog.telegram.result_label.text() == "Enter the bot token first."
    assert worker.calls == []

    dialog.telegram.token_edit.setText(TOKEN)
    dialog.telegram.test_button.click()
    assert worker.called("set_telegram") == [TelegramSettings(Secret(TOKEN), "-100123")]
    assert worker.called("send_telegram_test") == [None]
    assert not dialog.telegram.test_button.isEnabled()  # waiting, but the GUI is not blocked
    assert dialog.telegram.result_label.text() == "Sending…"
    worker.sig_telegram_result.emit(TelegramResult(False, "Telegram error 400: chat not found"))
    assert dialog.telegram.result_label.text() == "Sending failed: Telegram error 400: chat not found"
    assert dialog.telegram.test_button.isEnabled()
    dialog.telegram.test_button.click()
    worker.sig_telegram_result.emit(TelegramResult(True, "Test message sent."))
    assert dialog.telegram.result_label.text() == "Test message sent."
    dialog.reject()
    assert dialog.telegram_touched
    assert dialog.telegram.token_edit.text() == ""  # a typed token never outlives the dialog


def test_the_stored_token_is_used_for_a_test_and_can_be_removed(qtbot, tmp_path, memory_keyring):
    SecretStore().set(TELEGRAM_BOT_TOKEN, Secret(TOKEN))
    worker = FakeWorker()
    dialog = make_dialog(qtbot, real_context(tmp_path), worker)
    assert dialog.telegram.token_state.text().startswith("A bot token is stored in the keyring.")
    dialog.telegram.chat_edit.setText("-100123")
    dialog.telegram.test_button.click()
    assert worker.called("set_telegram") == [TelegramSettings(Secret(TOKEN), "-100123")]
    dialog.telegram.remove_button.click()
    assert memory_keyring.entries == {}
    assert dialog.telegram.token_state.text() == "No bot token is stored."


@pytest.mark.parametrize("typed", ["12,5", "12.5"])
def test_decimal_comma_or_point_is_accepted(qtbot, tmp_path, memory_keyring, typed: str):
    context = real_context(tmp_path)
    dialog = make_dialog(qtbot, context)
    edit(dialog, "liq_distance.warning", typed)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted, dialog.error_label.text()
    # 12.5 % of the mark price: 12.5 / 100 = 0.125.
    assert dialog.settings.alerts.liq_distance.warning == 0.125  # type: ignore[union-attr]


def test_a_bad_rule_in_settings_json_falls_back_alone_with_a_message(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"refresh_interval_s": 7, "alerts": {
        "mm_rate": {"enabled": True, "warning": 0.9, "critical": 0.5, "clear_margin": 0.05},
        "drawdown": {"enabled": False, "warning": 0.03, "critical": 0.06, "clear_margin": 0.01}}}),
        encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings.refresh_interval_s == 7.0
    assert loaded.settings.alerts.mm_rate == AlertRule(True, 0.50, 0.80, 0.05)  # the default
    assert loaded.settings.alerts.drawdown == AlertRule(False, 0.03, 0.06, 0.01)  # kept
    assert loaded.messages == (
        "Alert setting mm_rate.critical: must be above the warning level 0.9; using the default.",)


def test_language_is_chosen_and_saved(qtbot, tmp_path, memory_keyring):
    from desktop_app.storage.settings import load_settings

    context = real_context(tmp_path)
    dialog = make_dialog(qtbot, context)
    # Each language is named in itself, whatever the window's language.
    names = [dialog.language_box.itemText(i) for i in range(dialog.language_box.count())]
    assert names[1:] == ["English", "ไทย", "Українська"]
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("uk"))
    dialog.accept()
    assert dialog.settings is not None and dialog.settings.language == "uk"
    assert load_settings(context.paths.settings_file).settings.language == "uk"
