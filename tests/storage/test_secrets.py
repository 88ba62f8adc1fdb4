from __future__ import annotations

from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.storage.accounts import AccountConfig
from desktop_app.storage.errors import MissingSecretError, SecretStoreError
from desktop_app.storage.secrets import SERVICE_NAME, TELEGRAM_BOT_TOKEN, SecretStore
from tests.keyring_memory import MemoryKeyring

HMAC_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"


def _account(key_type: str = "hmac") -> AccountConfig:
    return AccountConfig.new(name="Main", env_kind="testnet", rest_url="https://api-testnet.bybit.com",
                             api_key="XXXXXXXXXXXXXXXXXX", key_type=key_type)


@pytest.fixture
def installed(request: pytest.FixtureRequest) -> object:
    """Install a given backend for one test and restore the previous one afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(request.param)
    yield request.param
    keyring.set_keyring(previous)


def test_round_trip_under_service_and_account_id(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set_account_secret("a" * 32, Secret(HMAC_SECRET))
    assert memory_keyring.entries == {(SERVICE_NAME, "a" * 32): HMAC_SECRET}
    assert store.get_account_secret("a" * 32) == Secret(HMAC_SECRET)
    assert store.get_account_secret("b" * 32) is None
    assert store.available() == (True, "")


def test_generic_named_entry_for_telegram_token(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set(TELEGRAM_BOT_TOKEN, Secret("123456:ABC-token"))
    assert memory_keyring.entries == {("RiskDesk", "telegram-bot-token"): "123456:ABC-token"}
    assert store.get(TELEGRAM_BOT_TOKEN) == Secret("123456:ABC-token")
    assert store.delete(TELEGRAM_BOT_TOKEN) is True
    assert store.delete(TELEGRAM_BOT_TOKEN) is False  # missing entry: no error
    assert memory_keyring.entries == {}


def test_set_replaces_and_refuses_empty(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("x", Secret("one"))
    store.set("x", Secret("two"))
    assert store.get("x") == Secret("two")
    with pytest.raises(SecretStoreError, match="empty"):
        store.set("x", Secret(""))
    with pytest.raises(TypeError):
        store.set("x", "plain str")  # type: ignore[arg-type]


@pytest.mark.parametrize(("key_type", "secret_text"), [("hmac", HMAC_SECRET), ("rsa", PEM)])
def test_credentials_for_account(memory_keyring: MemoryKeyring, key_type: str, secret_text: str) -> None:
    store = SecretStore()
    config = _account(key_type)
    store.set_account_secret(config.account_id, Secret(secret_text))
    credentials = store.credentials_for(config)
    assert credentials == Credentials("XXXXXXXXXXXXXXXXXX", Secret(secret_text), KeyType(key_type))
    assert credentials.secret.reveal() == secret_text  # the PEM keeps its newlines
    assert secret_text not in repr(credentials)


def test_credentials_for_missing_secret_names_account(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(MissingSecretError, match="'Main'"):
        SecretStore().credentials_for(_account())


def test_backend_error_is_wrapped_without_the_secret(memory_keyring: MemoryKeyring) -> None:
    # A backend that echoes its arguments in the error text must not leak the secret through us.
    memory_keyring.fail_with = keyring.errors.PasswordSetError(f"cannot store {HMAC_SECRET} now")
    with pytest.raises(SecretStoreError) as info:
        SecretStore().set("acct", Secret(HMAC_SECRET))
    text = str(info.value)
    assert HMAC_SECRET not in text
    assert "PasswordSetError" in text and "'acct'" in text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_locked_keyring_error_explains_the_fix(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.fail_with = keyring.errors.KeyringLocked("Failed to unlock the collection!")
    with pytest.raises(SecretStoreError, match="GNOME Keyring"):
        SecretStore(platform="linux").get("acct")
    with pytest.raises(SecretStoreError, match="KeyringLocked"):
        SecretStore(platform="linux").delete("acct")


@pytest.mark.parametrize("installed", [fail.Keyring(), null.Keyring()], indirect=True)
def test_no_usable_backend_is_detected_with_a_fix(installed: object) -> None:
    ok, message = SecretStore(platform="linux").available()
    assert ok is False
    assert "GNOME Keyring" in message and "KWallet" in message
    assert "keyrings.alt" in message and "plain-text" in message


@pytest.mark.parametrize("installed", [fail.Keyring()], indirect=True)
@pytest.mark.parametrize(("platform", "expected"), [("win32", "Windows Credential Manager"),
                                                    ("darwin", "macOS Keychain")])
def test_fix_message_per_platform(installed: object, platform: str, expected: str) -> None:
    ok, message = SecretStore(platform=platform).available()
    assert not ok
    assert expected in message
    assert "keyrings.alt" not in message


@pytest.mark.parametrize("installed", [fail.Keyring()], indirect=True)
def test_fail_backend_never_falls_back_to_a_file(installed: object, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SecretStoreError, match="NoKeyringError") as info:
        SecretStore(platform="linux").set("acct", Secret(HMAC_SECRET))
    assert "Secret Service" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_chainer_without_viable_backends_is_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [fail.Keyring(), null.Keyring()])
    previous = keyring.get_keyring()
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        ok, message = SecretStore(platform="linux").available()
    finally:
        keyring.set_keyring(previous)
    assert not ok
    assert "Secret Service" in message


def test_chainer_with_a_real_backend_is_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    previous = keyring.get_keyring()
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        assert SecretStore().available() == (True, "")
    finally:
        keyring.set_keyring(previous)


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (detected by module and class name)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize("installed", [PlaintextKeyring()], indirect=True)
def test_plaintext_backend_is_usable_but_never_silent(installed: object) -> None:
    ok, message = SecretStore().available()
    assert ok is True
    assert "PLAIN-TEXT" in message


@pytest.mark.parametrize("installed", [fail.Keyring(), null.Keyring()], indirect=True)
def test_no_usable_backend_has_no_name(installed: object) -> None:
    assert SecretStore().usable_backend_name() is None


def test_usable_backend_is_named_by_module_and_class(memory_keyring: MemoryKeyring) -> None:
    assert SecretStore().usable_backend_name() == "tests.keyring_memory.MemoryKeyring"


def test_chainer_names_only_its_usable_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [fail.Keyring(), MemoryKeyring()])
    previous = keyring.get_keyring()
    keyring.set_keyring(chainer.ChainerBackend())
    try:
        assert SecretStore().usable_backend_name() == "tests.keyring_memory.MemoryKeyring"
    finally:
        keyring.set_keyring(previous)


# --- the self-test's round trip ------------------------------------------------------------------

class _ForgetfulKeyring(MemoryKeyring):
    """Accepts every write and forgets it: what a keyring daemon that drops entries looks like."""

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()


class _ScramblingKeyring(MemoryKeyring):
    """Stores a different value than it was given (a backend with an encoding bug)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password[::-1] + "x")


class _StickyKeyring(MemoryKeyring):
    """Says it deleted, keeps the entry."""

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()


def test_round_trip_stores_reads_back_and_leaves_nothing(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE_NAME, "acc-1", HMAC_SECRET)  # the user's own entry stays
    assert SecretStore().round_trip_problem() is None
    assert memory_keyring.entries == {(SERVICE_NAME, "acc-1"): HMAC_SECRET}


@pytest.mark.parametrize(("backend", "expected"), [
    (_ForgetfulKeyring(), "a stored entry read back as missing"),
    (_ScramblingKeyring(), "a stored entry read back with another value"),
], ids=["forgets", "scrambles"])
def test_round_trip_names_a_read_that_does_not_match(backend: MemoryKeyring, expected: str) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        assert SecretStore().round_trip_problem() == expected
    finally:
        keyring.set_keyring(previous)
    assert backend.entries == {}  # deleted again after the failed read


def test_round_trip_names_an_entry_that_survives_deletion() -> None:
    backend = _StickyKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        problem = SecretStore().round_trip_problem()
    finally:
        keyring.set_keyring(previous)
    ((service, name),) = backend.entries
    assert service == SERVICE_NAME and name.startswith("self-test-")
    assert problem == f"the entry {name!r} could not be deleted"


def test_round_trip_failure_says_why_without_the_secret(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.fail_with = keyring.errors.KeyringLocked("Collection is locked")
    problem = SecretStore(platform="linux").round_trip_problem()
    assert problem is not None
    assert problem.startswith("Could not save the keyring entry 'self-test-")
    assert "KeyringLocked: Collection is locked" in problem and "GNOME Keyring" in problem

