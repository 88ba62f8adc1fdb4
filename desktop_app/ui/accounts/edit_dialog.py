"""Add or edit one account: name, environment, key type, API key and secret (or RSA private key file),
and "Test connection" in the background through the worker.

The secret field is a password field and is cleared when the dialog closes; the secret leaves the
dialog only as a `Secret` inside `AccountDraft`, which the caller hands to the keyring.

A key that can withdraw, transfer or trade is announced at the top of the dialog as soon as the test
finds it, and saving it, or a key whose test failed, asks for a confirmation first. A result belongs
to the fields as they were when its test was sent: a key edited while a test is on its way is not
taken for the key that was tested.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.bybit.environments import STANDARD
from desktop_app.domain.credentials import KeyType, Secret
from desktop_app.domain.environment import EnvKind
from desktop_app.i18n import translate
from desktop_app.storage.accounts import AccountConfig
from desktop_app.ui import format as fmt
from desktop_app.ui.accounts import connection_view
from desktop_app.ui.accounts.form import AccountDraft, FormInput, validate_form

_request_ids = itertools.count(1)


class AccountDialog(QDialog):
    def __init__(self, *, existing: AccountConfig | None = None, other_names: frozenset[str] = frozenset(),
                 worker: Any = None, stored_secret: Callable[[], Secret | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit account") if existing else self.tr("Add account"))
        self.setMinimumWidth(560)
        self._existing = existing
        self._other_names = other_names
        self._worker = worker
        self._stored_secret = stored_secret
        self._request_id = 0
        self._request_fields: tuple[object, ...] | None = None  # what the test on its way tests
        self.draft: AccountDraft | None = None
        # Every test's outcome by the fields it tested: why it failed ("" if it did not), and whether
        # the key can move funds.
        self._results: dict[tuple[object, ...], tuple[str, bool]] = {}
        self.confirm: Callable[[str], bool] = self._ask  # tests replace it
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("keyWarnings")
        self.warning_label.setWordWrap(True)
        self.warning_label.setVisible(False)

        self.name_edit = QLineEdit(self)
        self.env_box = QComboBox(self)
        for env in STANDARD:
            self.env_box.addItem(translate("environments", env.label), env.rest_url)
        self.env_box.addItem(self.tr("Custom URL"), None)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://…")
        self.key_type_box = QComboBox(self)
        self.key_type_box.addItem(self.tr("HMAC (system-generated)"), KeyType.HMAC.value)
        self.key_type_box.addItem(self.tr("RSA (self-generated)"), KeyType.RSA.value)
        self.key_edit = QLineEdit(self)
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.rsa_edit = QLineEdit(self)
        self.rsa_edit.setPlaceholderText(self.tr("Private key file (PEM)"))
        self.rsa_button = QPushButton(self.tr("Browse…"), self)
        self.rsa_row = QWidget(self)
        rsa_layout = QHBoxLayout(self.rsa_row)
        rsa_layout.setContentsMargins(0, 0, 0, 0)
        rsa_layout.addWidget(self.rsa_edit, 1)
        rsa_layout.addWidget(self.rsa_button)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Environment"), self.env_box)
        form.addRow(self.tr("Base URL"), self.url_edit)
        form.addRow(self.tr("Key type"), self.key_type_box)
        form.addRow(self.tr("API key"), self.key_edit)
        form.addRow(self.tr("API secret"), self.secret_edit)
        form.addRow(self.tr("Private key"), self.rsa_row)
        self._form = form

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        danger = fmt.severity_colour(fmt.Severity.DANGER)
        self.error_label.setStyleSheet(f"color: {danger.name()};" if danger else "")
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.result_view = QTextBrowser(self)
        self.result_view.setMinimumHeight(150)
        self.result_view.setPlaceholderText(self.tr(
            "Test the connection to check the key's permissions. "
            "Use a read-only key bound to your IP address."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.test_button)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(self.buttons)

        self.env_box.currentIndexChanged.connect(self._update_visibility)
        self.key_type_box.currentIndexChanged.connect(self._update_visibility)
        self.rsa_button.clicked.connect(self._browse_key)
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if worker is not None:
            worker.sig_connection.connect(self.on_connection_result)
        else:
            self.test_button.setEnabled(False)
        if existing is not None:
            self._load(existing)
        self._update_visibility()

    def _load(self, config: AccountConfig) -> None:
        self.name_edit.setText(config.name)
        index = self.env_box.findData(config.rest_url) if config.env_kind != EnvKind.CUSTOM else -1
        self.env_box.setCurrentIndex(index if index >= 0 else self.env_box.count() - 1)
        self.url_edit.setText(config.rest_url)
        self.key_type_box.setCurrentIndex(max(0, self.key_type_box.findData(config.key_type)))
        self.key_edit.setText(config.api_key)
        self.secret_edit.setPlaceholderText(self.tr("Leave empty to keep the stored secret"))
        self.rsa_edit.setPlaceholderText(self.tr("Leave empty to keep the stored private key"))

    @Slot()
    def _update_visibility(self) -> None:
        custom = self.env_box.currentData() is None
        rsa = self.key_type_box.currentData() == KeyType.RSA.value
        self._form.setRowVisible(self.url_edit, custom)
        self._form.setRowVisible(self.secret_edit, not rsa)
        self._form.setRowVisible(self.rsa_row, rsa)

    @Slot()
    def _browse_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("RSA private key"), "",
                                              self.tr("PEM files (*.pem *.key);;All files (*)"))
        if path:
            self.rsa_edit.setText(path)

    def form_input(self) -> FormInput:
        return FormInput(
            name=self.name_edit.text(), rest_url=self.env_box.currentData(), custom_url=self.url_edit.text(),
            key_type=self.key_type_box.currentData(), api_key=self.key_edit.text(),
            secret=self.secret_edit.text(), rsa_path=self.rsa_edit.text(),
        )

    def validate(self) -> AccountDraft | None:
        """The draft when every field is valid; otherwise None, with the reason shown."""
        draft, error = validate_form(self.form_input(), existing=self._existing,
                                     other_names=self._other_names)
        self.error_label.setText(error or "")
        return draft

    # --- connection test ---------------------------------------------------------------------

    @Slot()
    def test_connection(self) -> None:
        draft = self.validate()
        if draft is None or self._worker is None:
            return
        secret = draft.secret if draft.secret is not None else (
            self._stored_secret() if self._stored_secret is not None else None)
        if secret is None:
            self.error_label.setText(self.tr("Enter the API secret to test the connection."))
            return
        self._request_id = next(_request_ids)
        self._request_fields = self._tested_fields()
        self.test_button.setEnabled(False)
        testing = html.escape(self.tr("Testing the connection…"))  # not in the f-string: lupdate skips those
        self.result_view.setHtml(f"<p>{testing}</p>")
        self._worker.test_connection(self._request_id, draft.spec(secret))

    @Slot(object)
    def on_connection_result(self, outcome: Any) -> None:
        if outcome.request_id != self._request_id:
            return  # an answer to an earlier click, or to another dialog
        self.test_button.setEnabled(True)
        tested = self._request_fields
        assert tested is not None  # set with the request this answers
        if outcome.error is not None:
            self._results[tested] = (outcome.error, False)
            self.result_view.setHtml(connection_view.error_html(outcome.error))
            self._show_warnings("")
        else:
            now = datetime.now(UTC)
            self._results[tested] = ("", connection_view.dangerous_permissions(outcome.report.key))
            self.result_view.setHtml(connection_view.report_html(outcome.report, now))
            self._show_warnings(connection_view.warnings_html(connection_view.key_warnings(outcome.report.key,
                                                                                           now)))

    def _show_warnings(self, warnings_html: str) -> None:
        self.warning_label.setText(warnings_html)
        self.warning_label.setVisible(bool(warnings_html))

    # --- closing -----------------------------------------------------------------------------

    def save_question(self) -> str | None:
        """Why saving needs a confirmation (the last test of these very fields), or None."""
        result = self._results.get(self._tested_fields())
        if result is None:
            return None  # never tested: nothing is known about this key
        failed, dangerous = result
        if failed:
            return self.tr("The connection test failed:\n{reason}\n\nSave this account anyway?").format(
                reason=failed)
        if dangerous:
            return self.tr("This key can move funds (withdraw, transfer or trade). RiskDesk only reads; a "
                           "read-only key is safer.\n\nSave this key anyway?")
        return None

    def _tested_fields(self) -> tuple[object, ...]:
        """What identifies the key being tested; never the secret (it must not outlive its field)."""
        f = self.form_input()
        return (f.rest_url, f.custom_url, f.key_type, f.api_key, f.rsa_path)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.warning(self, self.windowTitle(), question,
                                     QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                                     QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    def accept(self) -> None:
        draft = self.validate()
        if draft is None:
            return
        question = self.save_question()
        if question is not None and not self.confirm(question):
            return
        self.draft = draft
        self._clear_secret()
        super().accept()

    def reject(self) -> None:
        self._clear_secret()
        super().reject()

    def done(self, result: int) -> None:
        if self._worker is not None:
            self._worker.sig_connection.disconnect(self.on_connection_result)
            self._worker = None
        super().done(result)

    def _clear_secret(self) -> None:
        self.secret_edit.clear()
