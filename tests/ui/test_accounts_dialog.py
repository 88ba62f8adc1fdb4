"""Account list editing: secrets go to the keyring (memory backend) and never to the accounts file;
removing an account removes its keyring entry; without a keyring the dialog says how to fix it."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop_app.domain.credentials import Secret
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SERVICE_NAME
from desktop_app.ui.accounts.edit_dialog import AccountDialog
from desktop_app.ui.accounts.list_dialog import AccountsDialog
from desktop_app.ui.context import load_context

SECRET = "hmac-secret-for-round-trip"


def _fake_exec(name: str, key: str, secret: str):
    def exec_(self: AccountDialog) -> int:
        if not self.name_edit.text():
            self.name_edit.setText(name)
            self.env_box.setCurrentIndex(self.env_box.findText("Testnet"))
        self.key_edit.setText(key)
        self.secret_edit.setText(secret)
        self.accept()
        return QDialog.DialogCode.Accepted if self.draft is not None else QDialog.DialogCode.Rejected
    return exec_


def test_keyring_round_trip(qtbot, memory_keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = load_context(AppPaths.portable(tmp_path))
    assert context.messages == []
    dialog = AccountsDialog(context)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(AccountDialog, "exec", _fake_exec("Main", "KEY123456", SECRET))
    dialog.add_account()
    assert dialog.changed
    (config,) = context.store.accounts  # type: ignore[union-attr]
    assert memory_keyring.entries == {(SERVICE_NAME, config.account_id): SECRET}
    file_text = (tmp_path / "accounts.json").read_text()
    assert SECRET not in file_text
    assert json.loads(file_text)["accounts"][0]["api_key"] == "KEY123456"

    # The worker gets the secret back from the keyring.
    specs, problems = context.specs()
    assert problems == ()
    assert specs[0].credentials.secret == Secret(SECRET)

    # Disable: the account stays, but is not refreshed.
    item = dialog.list.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)
    assert context.specs() == ((), ())

    # Edit with a new secret replaces the keyring entry.
    dialog.list.setCurrentRow(0)
    monkeypatch.setattr(AccountDialog, "exec", _fake_exec("Main", "KEY123456", "new-secret-value"))
    dialog.edit_selected()
    assert memory_keyring.entries == {(SERVICE_NAME, config.account_id): "new-secret-value"}

    # Remove deletes the keyring entry too.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.list.setCurrentRow(0)
    dialog.remove_selected()
    assert context.store.accounts == ()  # type: ignore[union-attr]
    assert memory_keyring.entries == {}
    assert json.loads((tmp_path / "accounts.json").read_text())["accounts"] == []


def test_missing_secret_is_reported_not_run(qtbot, memory_keyring, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    context = load_context(AppPaths.portable(tmp_path))
    dialog = AccountsDialog(context)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(AccountDialog, "exec", _fake_exec("Main", "KEY123456", SECRET))
    dialog.add_account()
    memory_keyring.delete_password(SERVICE_NAME, context.store.accounts[0].account_id)  # type: ignore[union-attr]
    specs, problems = context.specs()
    assert specs == ()
    assert problems == ("No API secret is stored for account 'Main'. Edit the account and enter its "
                        "API secret again.",)


def test_no_keyring_backend_is_explained_and_blocks_adding(qtbot, tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        context = load_context(AppPaths.portable(tmp_path))
        dialog = AccountsDialog(context)
        qtbot.addWidget(dialog)
        assert not dialog.add_button.isEnabled()
        assert dialog.keyring_label.text().startswith("No secure password store (keyring) is available")
        assert any(m.startswith("No secure password store") for m in context.messages)
    finally:
        keyring.set_keyring(previous)
    assert not (tmp_path / "accounts.json").exists()


def test_corrupt_accounts_file_is_moved_aside_with_a_message(tmp_path: Path, memory_keyring) -> None:
    (tmp_path / "accounts.json").write_text("{not json")
    context = load_context(AppPaths.portable(tmp_path))
    assert context.store is not None and context.store.accounts == ()
    assert any("moved to" in m for m in context.messages)
    assert not (tmp_path / "accounts.json").exists()
