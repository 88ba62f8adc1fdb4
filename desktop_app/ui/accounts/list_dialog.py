"""The account list: add, edit, remove and enable/disable accounts.

Metadata goes to the accounts file (written atomically by AccountStore) and secrets to the OS
keyring; removing an account removes its keyring entry. Without a usable keyring the dialog says
so and how to fix it, and refuses to store secrets anywhere else.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.credentials import Secret, redact_key
from desktop_app.i18n import translate
from desktop_app.storage.accounts import AccountConfig
from desktop_app.storage.errors import StorageError
from desktop_app.ui import format as fmt
from desktop_app.ui.accounts.edit_dialog import AccountDialog
from desktop_app.ui.context import AppContext

_ID_ROLE = Qt.ItemDataRole.UserRole


class AccountsDialog(QDialog):
    def __init__(self, context: AppContext, worker: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert context.store is not None, "the account editor is not available in demo mode"
        self.setWindowTitle(self.tr("Accounts"))
        self.setMinimumSize(520, 320)
        self._context = context
        self._store = context.store
        self._worker = worker
        self.changed = False

        ok, message = context.secrets.available()
        self.keyring_ok = ok
        self.keyring_label = QLabel(message, self)
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setVisible(bool(message))
        colour = fmt.severity_colour(fmt.Severity.DANGER if not ok else fmt.Severity.WARN)
        self.keyring_label.setStyleSheet(f"color: {colour.name()}; font-weight: 600;" if colour else "")

        self.list = QListWidget(self)
        self.add_button = QPushButton(self.tr("Add…"), self)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.add_button.setEnabled(ok)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_label)
        layout.addLayout(row, 1)
        hint = QLabel(self.tr("Tick an account to include it in the refresh."), self)
        hint.setEnabled(False)
        layout.addWidget(hint)
        layout.addWidget(close)

        self.add_button.clicked.connect(self.add_account)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemDoubleClicked.connect(self.edit_selected)
        self.list.currentRowChanged.connect(self._update_buttons)
        close.rejected.connect(self.reject)
        self.refresh_list()

    def refresh_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for config in self._store.accounts:
            item = QListWidgetItem(self._label(config), self.list)
            item.setData(_ID_ROLE, config.account_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if config.enabled else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self._update_buttons()

    def _label(self, config: AccountConfig) -> str:
        env = translate("environments", config.to_environment().label)
        return self.tr("{name} — {env} — key {key}").format(name=config.name, env=env,
                                                            key=redact_key(config.api_key))

    @Slot()
    def _update_buttons(self) -> None:
        selected = self.list.currentItem() is not None
        self.edit_button.setEnabled(selected and self.keyring_ok)
        self.remove_button.setEnabled(selected)

    def _selected(self) -> AccountConfig | None:
        item = self.list.currentItem()
        return None if item is None else self._store.get(item.data(_ID_ROLE))

    def _dialog(self, existing: AccountConfig | None) -> AccountDialog:
        names = frozenset(a.name for a in self._store.accounts
                          if existing is None or a.account_id != existing.account_id)
        loader = None
        if existing is not None:
            account_id = existing.account_id

            def loader() -> Secret | None:
                return self._context.secrets.get_account_secret(account_id)

        return AccountDialog(existing=existing, other_names=names, worker=self._worker, stored_secret=loader,
                             parent=self)

    @Slot()
    def add_account(self) -> None:
        dialog = self._dialog(None)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.draft is not None:
            self._apply(lambda: self._store.add(dialog.draft.config, dialog.draft.secret))

    @Slot()
    def edit_selected(self) -> None:
        existing = self._selected()
        if existing is None or not self.keyring_ok:
            return
        dialog = self._dialog(existing)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.draft is not None:
            self._apply(lambda: self._store.update(dialog.draft.config, dialog.draft.secret))

    @Slot()
    def remove_selected(self) -> None:
        existing = self._selected()
        if existing is None:
            return
        answer = QMessageBox.question(self, self.tr("Remove account"), self.tr(
            "Remove \"{name}\"? Its API secret is deleted from the system keyring.").format(
                name=existing.name))
        if answer == QMessageBox.StandardButton.Yes:
            self._apply(lambda: self._store.remove(existing.account_id))

    @Slot(QListWidgetItem)
    def _on_item_changed(self, item: QListWidgetItem) -> None:
        enabled = item.checkState() == Qt.CheckState.Checked
        account_id = item.data(_ID_ROLE)
        self._apply(lambda: self._store.set_enabled(account_id, enabled))

    def _apply(self, action: Any) -> None:
        try:
            action()
        except (StorageError, ValueError) as exc:
            QMessageBox.critical(self, self.tr("Accounts"), str(exc))
        else:
            self.changed = True
        self.refresh_list()
