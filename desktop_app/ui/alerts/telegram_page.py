"""The Telegram page of the settings dialog, and the value handed to the worker.

The chat id is a preference (settings.json). The bot token is a secret: it is typed into a password
field, leaves the page only as a `Secret`, goes to the OS keyring (entry `TELEGRAM_BOT_TOKEN`) and the
field is cleared right after. Without a usable keyring the field is disabled with the reason: the
token is never written anywhere else. "Send test message" is answered by the worker's
`sig_telegram_result`; the page shows it and never waits for it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.credentials import Secret
from desktop_app.ui import format as fmt
from desktop_app.ui.worker.messages import TelegramSettings

TEST_TIMEOUT_MS = 30_000  # the sender retries for a while; after this the page stops waiting


def make_telegram_settings(token: Secret | None, chat_id: str) -> TelegramSettings | None:
    """What `RiskWorker.set_telegram` takes: None (Telegram off) without a chat id or a token."""
    chat_id = chat_id.strip()
    if token is None or not token.reveal() or not chat_id:
        return None
    return TelegramSettings(token=token, chat_id=chat_id)


class TelegramSettingsPanel(QWidget):
    sig_test_requested = Signal()
    sig_remove_token = Signal()

    def __init__(self, *, chat_id: str, token_stored: bool, keyring_problem: str, demo: bool,
                 parent: QWidget | None = None) -> None:
        """`keyring_problem` non-empty: no usable keyring (the token field is disabled with it)."""
        super().__init__(parent)
        self.chat_edit = QLineEdit(chat_id, self)
        self.chat_edit.setObjectName("telegram_chat_id")
        self.chat_edit.setPlaceholderText(self.tr("-1001234567890 or @channelname"))
        self.token_edit = QLineEdit(self)
        self.token_edit.setObjectName("telegram_token")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # No undo/redo or drag: a password field should not keep copies of what was typed.
        self.token_edit.setDragEnabled(False)
        self.token_state = QLabel(self)
        self.token_state.setWordWrap(True)
        self.remove_button = QPushButton(self.tr("Remove stored token"), self)
        self.remove_button.clicked.connect(self.sig_remove_token)
        self.test_button = QPushButton(self.tr("Send test message"), self)
        self.test_button.clicked.connect(self._on_test)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.setInterval(TEST_TIMEOUT_MS)
        self._timeout.timeout.connect(self._on_timeout)

        form = QFormLayout()
        form.addRow(self.tr("Chat id:"), self.chat_edit)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.remove_button)
        form.addRow(self.tr("Bot token:"), token_row)
        form.addRow("", self.token_state)
        help_text = QLabel(self.tr(
            "Create a bot with @BotFather, add it to your chat, and paste the bot's token here. The token "
            "is kept only in the system keyring, never in a settings file. Alerts that notify on the "
            "desktop (raised and escalated) are also sent to this chat."), self)
        help_text.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addLayout(test_row)
        layout.addStretch(1)

        self._demo = demo
        self.keyring_problem = keyring_problem
        if keyring_problem and not demo:
            self.token_edit.setEnabled(False)
            self.remove_button.setEnabled(False)
        self.set_token_stored(token_stored)

    # -- values -------------------------------------------------------------------------------------

    def chat_id(self) -> str:
        return self.chat_edit.text().strip()

    def typed_token(self) -> Secret | None:
        """The token typed now (not yet stored), or None when the field is empty."""
        text = self.token_edit.text().strip()
        return Secret(text) if text else None

    def clear_token(self) -> None:
        """Forget the typed token (after it went to the keyring, or when the dialog closes)."""
        self.token_edit.clear()

    def set_token_stored(self, stored: bool) -> None:
        self.remove_button.setEnabled(stored and self.token_edit.isEnabled())
        if self.keyring_problem and not self._demo:
            text = self.tr("No keyring: the bot token cannot be saved. {reason}").format(
                reason=self.keyring_problem)
            severity = fmt.Severity.DANGER
        elif self._demo:
            text = self.tr("Demo mode: a token entered here is used for this session only and not saved.")
            severity = fmt.Severity.WARN
        elif stored:
            text = self.tr("A bot token is stored in the keyring. Type a new one to replace it.")
            severity = fmt.Severity.OK
        else:
            text = self.tr("No bot token is stored.")
            severity = fmt.Severity.NONE
        placeholder = self.tr("(stored — leave empty to keep)") if stored else self.tr(
            "paste the token from @BotFather")
        self.token_edit.setPlaceholderText(placeholder)
        self.token_state.setText(text)
        fmt.set_severity_style(self.token_state, severity)

    # -- test message -------------------------------------------------------------------------------

    @Slot()
    def _on_test(self) -> None:
        self.sig_test_requested.emit()

    def test_started(self) -> None:
        self.test_button.setEnabled(False)
        self._timeout.start()
        self._show_result(self.tr("Sending…"), fmt.Severity.NONE)

    def show_problem(self, text: str) -> None:
        """A reason the test could not start (no chat id, no token)."""
        self._show_result(text, fmt.Severity.DANGER)

    @Slot(object)
    def on_telegram_result(self, result: Any) -> None:
        """`TelegramResult(ok, message)` from the worker."""
        self._timeout.stop()
        self.test_button.setEnabled(True)
        ok = bool(getattr(result, "ok", False))
        message = str(getattr(result, "message", ""))
        if ok:
            self._show_result(message or self.tr("Test message sent."), fmt.Severity.OK)
        else:
            self._show_result(self.tr("Sending failed: {message}").format(message=message),
                              fmt.Severity.DANGER)

    @Slot()
    def _on_timeout(self) -> None:
        self.test_button.setEnabled(True)
        self._show_result(self.tr("No answer yet; the message may still arrive."), fmt.Severity.WARN)

    def _show_result(self, text: str, severity: fmt.Severity) -> None:
        self.result_label.setText(text)
        fmt.set_severity_style(self.result_label, severity)
