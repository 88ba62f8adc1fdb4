"""Keyring facade: API secrets and tokens live only in the OS keyring, never in a file we write.

Service name `RiskDesk`; one entry per account (username = account id) and named entries such as
`telegram-bot-token`. The backend is looked up on every call, so `keyring.set_keyring` (tests,
a user's keyring configuration) takes effect immediately.
"""

from __future__ import annotations

import secrets
import sys
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.storage.errors import MissingSecretError, SecretStoreError


class AccountKey(Protocol):
    """What the store needs to know of an account to build its credentials (`AccountConfig` is one)."""

    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def key_type(self) -> str: ...


SERVICE_NAME = "RiskDesk"
TELEGRAM_BOT_TOKEN = "telegram-bot-token"
# Errors that mean "the keyring is not set up or locked" rather than "this one entry failed".
_SETUP_ERRORS = (keyring.errors.NoKeyringError, keyring.errors.KeyringLocked, keyring.errors.InitError)


def _is_plaintext(backend: keyring.backend.KeyringBackend) -> bool:
    # keyrings.alt's PlaintextKeyring stores passwords readable by anyone with the file.
    cls = type(backend)
    return cls.__module__.startswith("keyrings.alt") and "plaintext" in cls.__name__.lower()


def _usable_backends(backend: keyring.backend.KeyringBackend) -> list[keyring.backend.KeyringBackend]:
    if isinstance(backend, chainer.ChainerBackend):
        return [b for b in backend.backends if not isinstance(b, fail.Keyring | null.Keyring)]
    if isinstance(backend, fail.Keyring | null.Keyring):
        return []
    return [backend]


def fix_hint(platform: str = sys.platform) -> str:
    """What the user can do to get a working keyring on `platform` (a `sys.platform` value)."""
    if platform.startswith("win"):
        return ("RiskDesk uses Windows Credential Manager. Make sure you are logged in to a normal "
                "Windows user session (not a service account) and that Credential Manager is enabled.")
    if platform == "darwin":
        return ("RiskDesk uses the macOS Keychain. Unlock your login keychain in Keychain Access "
                "and allow RiskDesk to use it.")
    return ("Install and unlock a Secret Service provider such as GNOME Keyring (gnome-keyring) or "
            "KWallet, then restart RiskDesk. Only if you accept that secrets are stored in a plain-text "
            "file, you may instead run `pip install keyrings.alt`.")


class SecretStore:
    """Reads and writes `Secret` values in the OS keyring. Every failure is a `SecretStoreError`
    whose message contains no secret."""

    def __init__(self, service: str = SERVICE_NAME, *, platform: str = sys.platform) -> None:
        self._service = service
        self._platform = platform

    @property
    def service(self) -> str:
        return self._service

    def backend_name(self) -> str:
        """A display name of the active keyring backend (for an About/diagnostics view)."""
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def usable_backend_name(self) -> str | None:
        """The active backend's name when it can store secrets here, None when none can (the self-test
        reports it: a frozen build that lost keyring's backends or their discovery shows None)."""
        try:
            usable = _usable_backends(keyring.get_keyring())
        except Exception:  # a broken backend can fail while being discovered: nothing usable
            return None
        return ", ".join(f"{type(b).__module__}.{type(b).__name__}" for b in usable) or None

    def available(self) -> tuple[bool, str]:
        """Whether a usable keyring backend is configured, and a message for the user.

        The message is empty when all is well, a warning when secrets would land in a plain-text
        file (the user chose that by installing keyrings.alt), and a fix otherwise. No keyring
        operation is performed, so no unlock prompt appears.
        """
        try:
            backend = keyring.get_keyring()
            usable = _usable_backends(backend)
        except Exception as exc:  # a broken backend can fail while being discovered
            return False, (f"The system keyring could not be opened ({type(exc).__name__}). "
                           f"{fix_hint(self._platform)}")
        if not usable:
            return False, ("No secure password store (keyring) is available, so API secrets cannot be "
                           f"saved. {fix_hint(self._platform)}")
        if all(_is_plaintext(b) for b in usable):
            return True, ("Warning: secrets are stored by keyrings.alt in a PLAIN-TEXT file. Anyone who "
                          "can read your files can read your API secrets. Uninstall keyrings.alt and "
                          "set up a system keyring to store them securely.")
        return True, ""

    def round_trip_problem(self) -> str | None:
        """Store, read back and delete a throw-away secret under a random name: None when all three
        worked, else what went wrong (text without the secret). The self-test runs it, so a build
        proves the keyring works rather than only that a backend exists. The entry is deleted also
        after a failed read; a backend that failed to delete it keeps it (and it is said so)."""
        name = f"self-test-{secrets.token_hex(8)}"
        probe = Secret(secrets.token_urlsafe(24))
        try:
            self.set(name, probe)
        except SecretStoreError as exc:
            return str(exc)
        problem: str | None = None
        try:
            read = self.get(name)
            if read is None:
                problem = "a stored entry read back as missing"
            elif read.reveal() != probe.reveal():
                problem = "a stored entry read back with another value"
        except SecretStoreError as exc:
            problem = str(exc)
        try:
            if not self.delete(name) or self.get(name) is not None:
                problem = problem or f"the entry {name!r} could not be deleted"
        except SecretStoreError as exc:
            problem = problem or str(exc)
        return problem

    # --- generic named entries -------------------------------------------------------------

    def get(self, name: str) -> Secret | None:
        """The secret stored under `name`, or None when there is none.

        May raise: SecretStoreError.
        """
        try:
            value = keyring.get_password(self._service, name)
        except Exception as exc:
            raise self._error("read", name, exc, None) from None
        return None if value is None else Secret(value)

    def set(self, name: str, secret: Secret) -> None:
        """Store (or replace) the secret under `name`.

        May raise: SecretStoreError (also for an empty secret), TypeError when `secret` is not a Secret.
        """
        if not isinstance(secret, Secret):
            raise TypeError("SecretStore.set expects a Secret")
        if not secret.reveal():
            raise SecretStoreError(f"Refusing to store an empty secret for {name!r}.")
        try:
            keyring.set_password(self._service, name, secret.reveal())
        except Exception as exc:
            raise self._error("save", name, exc, secret) from None

    def delete(self, name: str) -> bool:
        """Remove the entry `name`; returns False when there was none.

        May raise: SecretStoreError.
        """
        try:
            if keyring.get_password(self._service, name) is None:
                return False
            keyring.delete_password(self._service, name)
        except keyring.errors.PasswordDeleteError:
            return False  # raced with another delete, or the backend cannot see it: nothing to remove
        except Exception as exc:
            raise self._error("delete", name, exc, None) from None
        return True

    # --- accounts ------------------------------------------------------------------------

    def get_account_secret(self, account_id: str) -> Secret | None:
        """May raise: SecretStoreError."""
        return self.get(account_id)

    def set_account_secret(self, account_id: str, secret: Secret) -> None:
        """For RSA keys `secret` is the PEM private key text. May raise: SecretStoreError."""
        self.set(account_id, secret)

    def delete_account_secret(self, account_id: str) -> bool:
        """May raise: SecretStoreError."""
        return self.delete(account_id)

    def credentials_for(self, config: AccountKey) -> Credentials:
        """The signing credentials of an account: its metadata plus the secret from the keyring.

        May raise: MissingSecretError (no secret stored), SecretStoreError.
        """
        secret = self.get(config.account_id)
        if secret is None:
            raise MissingSecretError(
                f"No API secret is stored for account {config.name!r}. Edit the account and enter "
                "its API secret again."
            )
        return Credentials(api_key=config.api_key, secret=secret, key_type=KeyType(config.key_type))

    # --- helpers -------------------------------------------------------------------------

    def _error(self, action: str, name: str, exc: Exception, secret: Secret | None) -> SecretStoreError:
        detail = str(exc)
        if secret is not None and secret.reveal():
            # Some backends echo their arguments in error text; never let the secret through.
            detail = detail.replace(secret.reveal(), "***")
        hint = ""
        if isinstance(exc, _SETUP_ERRORS):
            hint = f" {fix_hint(self._platform)}"
        return SecretStoreError(
            f"Could not {action} the keyring entry {name!r} ({type(exc).__name__}: {detail}).{hint}")
