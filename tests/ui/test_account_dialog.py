"""The account dialog: valid input, every validation message, RSA key files, the secret field being
cleared, and how a connection test's result or error is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from PySide6.QtCore import QObject, Signal

from desktop_app.domain.account import MarginMode
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.credentials import KeyType, Secret
from desktop_app.service import ConnectionReport, key_warnings
from desktop_app.storage.accounts import AccountConfig
from desktop_app.ui.accounts.edit_dialog import AccountDialog
from desktop_app.ui.worker.worker import ConnectionOutcome

SECRET = "s3cr3t-HMAC-value-xyz"


class FakeWorker(QObject):
    sig_connection = Signal(object)

    def __init__(self, answer: object) -> None:
        super().__init__()
        self.answer = answer
        self.specs: list[object] = []

    def test_connection(self, request_id: int, spec: object) -> None:
        self.specs.append(spec)
        report, error = (None, self.answer) if isinstance(self.answer, str) else (self.answer, None)
        self.sig_connection.emit(ConnectionOutcome(request_id, report, error))


def _fill(dialog: AccountDialog, *, name: str = "Main", env: str = "Testnet", key: str = "KEY123456",
          secret: str = SECRET) -> None:
    dialog.name_edit.setText(name)
    dialog.env_box.setCurrentIndex(dialog.env_box.findText(env))
    dialog.key_edit.setText(key)
    dialog.secret_edit.setText(secret)


def _pem(key: object, *, password: bytes | None = None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)  # type: ignore[attr-defined]


def test_valid_hmac_account_is_accepted_and_secret_field_cleared(qtbot) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.accept()
    assert dialog.draft is not None
    assert dialog.draft.config.name == "Main"
    assert dialog.draft.config.env_kind == "testnet"
    assert dialog.draft.config.rest_url == "https://api-testnet.bybit.com"
    assert dialog.draft.secret == Secret(SECRET)
    assert dialog.secret_edit.text() == ""  # cleared after use
    assert SECRET not in repr(dialog.draft.config)


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "  "}, "Enter a name for the account."),
    ({"name": "main"}, 'An account named "main" already exists.'),
    ({"key": ""}, "Enter the API key."),
    ({"key": "AB CD"}, "The API key must not contain spaces."),
    ({"secret": ""}, "Enter the API secret."),
])
def test_invalid_input_shows_its_message(qtbot, fields: dict[str, str], message: str) -> None:
    dialog = AccountDialog(other_names=frozenset({"Main"}))
    qtbot.addWidget(dialog)
    _fill(dialog, **({"name": "Other"} | fields))
    dialog.accept()
    assert dialog.draft is None
    assert dialog.error_label.text() == message


def test_custom_url_must_be_http(qtbot) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, env="Custom URL")
    dialog.url_edit.setText("ftp://example.com")
    dialog.accept()
    assert dialog.error_label.text().startswith("Enter an http:// or https:// base URL")
    dialog.url_edit.setText("http://127.0.0.1:8080/")
    dialog.accept()
    assert dialog.draft is not None
    assert (dialog.draft.config.env_kind, dialog.draft.config.rest_url) == ("custom", "http://127.0.0.1:8080")


def test_rsa_key_file_messages(qtbot, tmp_path: Path) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, secret="")
    dialog.key_type_box.setCurrentIndex(dialog.key_type_box.findData(KeyType.RSA.value))
    assert dialog.secret_edit.isHidden() and not dialog.rsa_row.isHidden()
    cases = {
        "": "Choose the RSA private key file of this API key.",
        str(tmp_path / "missing.pem"): "Cannot read the private key file: No such file or directory.",
    }
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    cases[str(junk)] = ('The file is not a PEM private key (it should begin with '
                        '"-----BEGIN PRIVATE KEY-----").')
    ec_file = tmp_path / "ec.pem"
    ec_file.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
    cases[str(ec_file)] = "The private key is not an RSA key. Bybit's self-generated keys are RSA."
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    locked = tmp_path / "locked.pem"
    locked.write_bytes(_pem(rsa_key, password=b"pw"))
    cases[str(locked)] = "The private key is protected by a password. Export it without a password."
    for path, message in cases.items():
        dialog.rsa_edit.setText(path)
        dialog.accept()
        assert dialog.draft is None
        assert dialog.error_label.text() == message
    good = tmp_path / "good.pem"
    good.write_bytes(_pem(rsa_key))
    dialog.rsa_edit.setText(str(good))
    dialog.accept()
    assert dialog.draft is not None
    assert dialog.draft.config.key_type == "rsa"
    assert dialog.draft.secret == Secret(good.read_text())


def test_edit_keeps_stored_secret_when_left_empty(qtbot) -> None:
    existing = AccountConfig.new(name="Main", env_kind="mainnet", rest_url="https://api.bybit.com",
                                 api_key="KEY123456")
    dialog = AccountDialog(existing=existing)
    qtbot.addWidget(dialog)
    assert dialog.env_box.currentText() == "Mainnet"
    dialog.name_edit.setText("Main renamed")
    dialog.accept()
    assert dialog.draft is not None
    assert dialog.draft.secret is None
    assert dialog.draft.config.account_id == existing.account_id
    # A new key needs its secret.
    dialog = AccountDialog(existing=existing)
    qtbot.addWidget(dialog)
    dialog.key_edit.setText("OTHERKEY99")
    dialog.accept()
    assert dialog.error_label.text() == "Enter the API secret."


def _key_info(**overrides: object) -> ApiKeyInfo:
    values: dict[str, object] = dict(
        key_id="1", note="", read_only=True, permissions=(("ContractTrade", ()), ("Wallet", ())),
        ips=("203.0.113.7",), deadline_day=None, expires_at=None, created_at=None, is_unified=True,
        user_id=1, is_master=True)
    values.update(overrides)
    return ApiKeyInfo(**values)  # type: ignore[arg-type]


def _Report(key: ApiKeyInfo) -> ConnectionReport:
    return ConnectionReport(margin_mode=MarginMode.CROSS, classic=False, key=key, clock_offset_ms=-1250.0,
                            warnings=key_warnings(key))


def test_connection_test_shows_permissions_and_loud_warnings(qtbot) -> None:
    expires = datetime.now(UTC) + timedelta(days=5, hours=1)
    risky = _key_info(read_only=False, permissions=(("ContractTrade", ("Order", "Position")),
                                                    ("Wallet", ("AccountTransfer", "Withdraw"))),
                      ips=("*",), expires_at=expires)
    worker = FakeWorker(_Report(risky))
    dialog = AccountDialog(worker=worker)
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    text = dialog.result_view.toPlainText()
    assert "Connection OK" in text
    assert "Margin mode\nCross" in text  # Bybit's REGULAR_MARGIN as the Accounts table says it
    assert "Clock offset\n−1.25 s" in text
    assert "ContractTrade: Order, Position; Wallet: AccountTransfer, Withdraw" in text
    warnings = dialog.warning_label.text()  # at the top of the dialog, once: not again in the report
    for warning in ("can WITHDRAW", "can TRANSFER", "can TRADE", "not bound to an IP address",
                    "expires in 5 day(s)"):
        assert warning in warnings and warning not in text
    assert worker.specs[0].credentials.secret == Secret(SECRET)  # type: ignore[attr-defined]


def test_read_only_ip_bound_key_has_no_warning(qtbot) -> None:
    dialog = AccountDialog(worker=FakeWorker(_Report(_key_info())))
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    text = dialog.result_view.toPlainText()
    assert "read-only" in text and "203.0.113.7" in text and "never" in text
    assert "Warning" not in text


def test_connection_error_message_is_shown(qtbot) -> None:
    message = "[10010] Unmatched IP: this API key is bound to other IP addresses."
    dialog = AccountDialog(worker=FakeWorker(message))
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    assert "Connection failed" in dialog.result_view.toPlainText()
    assert message in dialog.result_view.toPlainText()
    assert dialog.test_button.isEnabled()


def test_key_that_can_move_funds_is_announced_at_the_top_and_saving_it_asks_first(qtbot) -> None:
    risky = _key_info(read_only=False, permissions=(("Wallet", ("Withdraw",)),))
    dialog = AccountDialog(worker=FakeWorker(_Report(risky)))
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    assert dialog.warning_label.isVisibleTo(dialog)
    assert "can WITHDRAW" in dialog.warning_label.text()
    # The warning is the first thing in the dialog, above the form.
    assert dialog.layout().indexOf(dialog.warning_label) == 0
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or False
    dialog.accept()
    assert dialog.draft is None and len(questions) == 1 and "move funds" in questions[0]
    dialog.confirm = lambda question: True
    dialog.accept()
    assert dialog.draft is not None


def test_saving_a_key_whose_test_failed_asks_first_but_a_changed_key_does_not(qtbot) -> None:
    message = "[10003] API key is invalid."
    dialog = AccountDialog(worker=FakeWorker(message))
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or False
    dialog.accept()
    assert dialog.draft is None and message in questions[0]
    # Another key was typed after the test: nothing is known about it, so nothing is asked.
    dialog.key_edit.setText("ANOTHERKEY1")
    dialog.secret_edit.setText(SECRET)
    dialog.accept()
    assert dialog.draft is not None and len(questions) == 1


def test_read_only_key_saves_without_a_question(qtbot) -> None:
    dialog = AccountDialog(worker=FakeWorker(_Report(_key_info())))
    qtbot.addWidget(dialog)
    _fill(dialog)
    dialog.test_connection()
    dialog.confirm = lambda question: pytest.fail(f"asked: {question}")
    dialog.accept()
    assert dialog.draft is not None and not dialog.warning_label.isVisibleTo(dialog)


class SlowWorker(QObject):
    """Answers a connection test only when told to (the test is still on its way meanwhile)."""

    sig_connection = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[int] = []

    def test_connection(self, request_id: int, spec: object) -> None:
        self.requests.append(request_id)

    def answer(self, report: object) -> None:
        self.sig_connection.emit(ConnectionOutcome(self.requests[-1], report, None))


def test_a_result_belongs_to_the_key_that_was_tested_not_to_the_one_typed_since(qtbot) -> None:
    risky = _key_info(read_only=False, permissions=(("Wallet", ("Withdraw",)),))
    worker = SlowWorker()
    dialog = AccountDialog(worker=worker)
    qtbot.addWidget(dialog)
    _fill(dialog, key="RISKYKEY01")
    dialog.test_connection()
    worker.answer(_Report(risky))  # the risky key: saving it asks first
    assert dialog.save_question() is not None
    dialog.key_edit.setText("SAFEKEY001")
    dialog.test_connection()
    dialog.key_edit.setText("RISKYKEY01")  # typed back while the safe key's test is on its way
    worker.answer(_Report(_key_info()))  # the safe key's answer arrives now
    question = dialog.save_question()
    assert question is not None and "move funds" in question  # the risky key still asks
    dialog.key_edit.setText("SAFEKEY001")
    assert dialog.save_question() is None  # the safe key was tested and is read-only
