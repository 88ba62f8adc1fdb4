"""File → Settings: language, refresh interval, alert thresholds, Telegram.

OK validates everything first (the error names the field and focuses it, the dialog stays open),
then stores the bot token in the keyring, then writes settings.json; only when all of that worked
does the dialog close, and the window pushes the new settings to the worker. In demo mode nothing is
written: the settings and a typed token apply to this session only.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import i18n
from desktop_app.domain.credentials import Secret
from desktop_app.storage.errors import ConfigError, SecretStoreError, StorageError
from desktop_app.storage.secrets import TELEGRAM_BOT_TOKEN
from desktop_app.storage.settings import Settings, save_settings
from desktop_app.ui import format as fmt
from desktop_app.ui.alerts.settings_page import AlertThresholdsEditor, SettingsProblem
from desktop_app.ui.alerts.telegram_page import TelegramSettingsPanel, make_telegram_settings
from desktop_app.ui.context import AppContext


def stored_telegram_token(context: AppContext, session_token: Secret | None) -> Secret | None:
    """The bot token to use: the session's in demo mode, else the keyring's (None when none).

    May raise: SecretStoreError.
    """
    if context.demo:
        return session_token
    return context.secrets.get(TELEGRAM_BOT_TOKEN)


class SettingsDialog(QDialog):
    """After `exec()` returns Accepted, `settings` holds the saved settings and `session_token` the
    demo-mode token; the caller pushes them to the worker."""

    def __init__(self, context: AppContext, worker: Any, *, session_token: Secret | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(720)
        self.context = context
        self.worker = worker
        self.session_token = session_token
        self.settings: Settings | None = None
        self.telegram_touched = False  # a test or a removed token changed what the worker has

        general = QWidget(self)
        self.interval_spin = QDoubleSpinBox(general)
        self.interval_spin.setObjectName("refresh_interval_s")
        self.interval_spin.setRange(1.0, 3600.0)
        self.interval_spin.setDecimals(1)
        self.interval_spin.setSuffix(self.tr(" s"))
        self.interval_spin.setValue(context.settings.refresh_interval_s)
        self.language_box = QComboBox(general)
        self.language_box.setObjectName("language")
        self.language_box.addItem(self.tr("As the system"), "")
        for code in i18n.LANGUAGES:
            self.language_box.addItem(i18n.LANGUAGE_NAMES[code], code)  # each in its own language
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(context.settings.language)))
        self.deadline_spin = QDoubleSpinBox(general)
        self.deadline_spin.setObjectName("request_deadline_s")
        self.deadline_spin.setRange(1.0, 120.0)
        self.deadline_spin.setDecimals(0)
        self.deadline_spin.setSuffix(self.tr(" s"))
        self.deadline_spin.setValue(context.settings.request_deadline_s)
        form = QFormLayout(general)
        form.addRow(self.tr("Language:"), self.language_box)
        language_note = QLabel(self.tr("A new language applies when RiskDesk starts again. `riskdesk --lang` "
                                       "overrides it for one start."), general)
        language_note.setWordWrap(True)
        form.addRow(language_note)
        form.addRow(self.tr("Refresh every:"), self.interval_spin)
        form.addRow(self.tr("Give up on an answer after:"), self.deadline_spin)
        note = QLabel(self.tr("Every account is read over REST this often. Between refreshes, figures are "
                              "recomputed from streamed prices where available. An account whose server "
                              "has not answered completely within the time limit is shown as failed."),
                      general)
        note.setWordWrap(True)
        form.addRow(note)

        self.alerts = AlertThresholdsEditor(context.settings.alerts, self)
        keyring_ok, keyring_message = context.secrets.available()
        token_stored = False
        try:
            token_stored = stored_telegram_token(context, session_token) is not None
        except SecretStoreError as exc:
            keyring_ok, keyring_message = False, str(exc)
        self.telegram = TelegramSettingsPanel(
            chat_id=context.settings.telegram_chat_id, token_stored=token_stored,
            keyring_problem="" if keyring_ok else keyring_message, demo=context.demo, parent=self)
        self.telegram.sig_test_requested.connect(self._send_test)
        self.telegram.sig_remove_token.connect(self._remove_token)
        if hasattr(worker, "sig_telegram_result"):
            worker.sig_telegram_result.connect(self.telegram.on_telegram_result)
        else:
            self.telegram.test_button.setEnabled(False)
            self.telegram.test_button.setToolTip(self.tr("This build cannot send Telegram messages."))

        self.tabs = QTabWidget(self)
        self.tabs.addTab(general, self.tr("General"))
        self.tabs.addTab(self.alerts, self.tr("Alerts"))
        self.tabs.addTab(self.telegram, self.tr("Telegram"))
        self.error_label = QLabel(self)
        self.error_label.setObjectName("settingsError")
        self.error_label.setWordWrap(True)
        fmt.set_severity_style(self.error_label, fmt.Severity.DANGER, bold=True)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        if context.demo:
            demo_note = QLabel(self.tr("Demo mode: changes apply to this session only and are not saved."),
                               self)
            fmt.set_severity_style(demo_note, fmt.Severity.WARN)
            layout.insertWidget(1, demo_note)

    # -- validation and saving ----------------------------------------------------------------------

    def field_label(self, field: str) -> str:
        return {"refresh_interval_s": self.tr("Refresh interval"),
                "request_deadline_s": self.tr("Time limit of an answer"),
                "telegram_chat_id": self.tr("Telegram chat id")}.get(field, field)

    def edited_settings(self) -> Settings:
        """The settings as edited. May raise: SettingsProblem, ConfigError (both name the field)."""
        alerts = self.alerts.config()
        return dataclasses.replace(self.context.settings, refresh_interval_s=self.interval_spin.value(),
                                   request_deadline_s=self.deadline_spin.value(),
                                   telegram_chat_id=self.telegram.chat_id(), alerts=alerts,
                                   language=str(self.language_box.currentData() or ""))

    def show_error(self, text: str, *, tab: QWidget | None = None, focus: QWidget | None = None) -> None:
        self.error_label.setText(text)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
        if focus is not None:
            focus.setFocus()

    def accept(self) -> None:
        try:
            settings = self.edited_settings()
        except SettingsProblem as exc:
            self.show_error(exc.message, tab=self.alerts, focus=self.alerts.edit_for(exc.field))
            return
        except ConfigError as exc:
            tab = self.telegram if exc.field == "telegram_chat_id" else self.tabs.widget(0)
            focus = {"telegram_chat_id": self.telegram.chat_edit,
                     "request_deadline_s": self.deadline_spin}.get(exc.field, self.interval_spin)
            self.show_error(self.tr("{field}: {problem}").format(field=self.field_label(exc.field),
                                                                 problem=exc.problem), tab=tab, focus=focus)
            return
        token = self.telegram.typed_token()
        if token is not None:
            if self.context.demo:
                self.session_token = token
            else:
                try:
                    self.context.secrets.set(TELEGRAM_BOT_TOKEN, token)
                except SecretStoreError as exc:
                    self.show_error(str(exc), tab=self.telegram)
                    return
            self.telegram.clear_token()
            self.telegram.set_token_stored(True)
        if not self.context.demo:
            try:
                save_settings(self.context.paths.settings_file, settings)
            except StorageError as exc:
                self.show_error(str(exc))
                return
        self.settings = settings
        self.error_label.clear()
        super().accept()

    def done(self, result: int) -> None:
        self.telegram.clear_token()  # a typed token never outlives the dialog
        if hasattr(self.worker, "sig_telegram_result"):
            with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
                self.worker.sig_telegram_result.disconnect(self.telegram.on_telegram_result)
        super().done(result)

    # -- Telegram ------------------------------------------------------------------------------------

    @Slot()
    def _send_test(self) -> None:
        chat_id = self.telegram.chat_id()
        if not chat_id:
            self.telegram.show_problem(self.tr("Enter the chat id first."))
            return
        try:
            dataclasses.replace(self.context.settings, telegram_chat_id=chat_id)
        except ConfigError as exc:
            self.telegram.show_problem(self.tr("{field}: {problem}").format(
                field=self.field_label(exc.field), problem=exc.problem))
            return
        try:
            token = self.telegram.typed_token() or stored_telegram_token(self.context, self.session_token)
        except SecretStoreError as exc:
            self.telegram.show_problem(str(exc))
            return
        if token is None:
            self.telegram.show_problem(self.tr("Enter the bot token first."))
            return
        # Both commands are posted to the worker's loop: the GUI never waits for Telegram.
        self.worker.set_telegram(make_telegram_settings(token, chat_id))
        self.worker.send_telegram_test()
        self.telegram_touched = True
        self.telegram.test_started()

    @Slot()
    def _remove_token(self) -> None:
        try:
            if self.context.demo:
                self.session_token = None
            else:
                self.context.secrets.delete(TELEGRAM_BOT_TOKEN)
        except SecretStoreError as exc:
            self.telegram.show_problem(str(exc))
            return
        self.telegram_touched = True
        self.telegram.set_token_stored(False)
