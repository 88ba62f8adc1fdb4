"""Account metadata in `accounts.json`: names, hosts and API keys, never a secret.

The file is `{"version": 1, "accounts": [...]}`, written atomically with owner-only permissions.
An unreadable or corrupt file is moved aside and the app starts with no accounts plus a message,
because a crash at start-up would lock the user out of the very tool that shows their risk.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.bybit.environments import STANDARD, custom, from_rest_url
from desktop_app.domain.credentials import KeyType, Secret, redact_key
from desktop_app.domain.environment import Environment, EnvKind
from desktop_app.storage.atomic import atomic_write_json, move_aside
from desktop_app.storage.errors import ConfigError, StorageError
from desktop_app.storage.safe_json import JsonInputError, loads_bounded_bytes
from desktop_app.storage.secrets import SecretStore

FILE_VERSION = 1
ENV_KINDS: tuple[str, ...] = tuple(kind.value for kind in EnvKind)
KEY_TYPES: tuple[str, ...] = tuple(kind.value for kind in KeyType)
MAX_NAME_CHARS = 64
_ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_BYTICK_MAINNET = "https://api.bytick.com"  # Bybit's documented mainnet alias


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One account's metadata. Construction validates every field (May raise: ConfigError)."""

    account_id: str  # uuid4 hex; also the keyring username of the account's secret
    name: str
    env_kind: str  # one of ENV_KINDS
    rest_url: str
    api_key: str  # public key id; the secret (HMAC secret or RSA PEM) lives in the keyring
    key_type: str = KeyType.HMAC.value
    enabled: bool = True

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def new(cls, *, name: str, env_kind: str, rest_url: str, api_key: str,
            key_type: str = KeyType.HMAC.value, enabled: bool = True) -> AccountConfig:
        """A new account with a fresh id; surrounding blanks and a trailing '/' are removed.

        May raise: ConfigError.
        """
        return cls(uuid.uuid4().hex, _strip(name), _strip(env_kind), _strip(rest_url).rstrip("/"),
                   _strip(api_key), _strip(key_type), enabled)

    def __repr__(self) -> str:
        return (f"AccountConfig(account_id={self.account_id!r}, name={self.name!r}, "
                f"env_kind={self.env_kind!r}, rest_url={self.rest_url!r}, "
                f"api_key={redact_key(self.api_key)!r}, key_type={self.key_type!r}, "
                f"enabled={self.enabled!r})")

    __str__ = __repr__

    def to_environment(self) -> Environment:
        """The Bybit environment (REST and WebSocket hosts) this account talks to."""
        if self.env_kind == EnvKind.CUSTOM:
            return custom(self.rest_url)
        for env in STANDARD:
            if env.kind == self.env_kind and env.rest_url == self.rest_url:
                return env
        return from_rest_url(self.rest_url)  # the bytick mainnet alias

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: object) -> AccountConfig:
        """May raise: ConfigError naming the missing or invalid field."""
        if not isinstance(obj, dict):
            raise ConfigError("account", "expected a JSON object")
        values: dict[str, object] = {}
        for field_name in ("account_id", "name", "env_kind", "rest_url", "api_key", "key_type", "enabled"):
            if field_name not in obj:
                raise ConfigError(field_name, "missing")
            values[field_name] = obj[field_name]
        return cls(**values)  # type: ignore[arg-type]  # types are checked by _validate


def _strip(value: str) -> str:
    return value.strip() if isinstance(value, str) else value


def _validate(config: AccountConfig) -> None:
    if not isinstance(config.account_id, str) or not _ACCOUNT_ID.fullmatch(config.account_id):
        raise ConfigError("account_id", "must be 32 lowercase hex characters (a uuid4 hex)")
    if not isinstance(config.name, str) or not config.name.strip():
        raise ConfigError("name", "must not be empty")
    if len(config.name) > MAX_NAME_CHARS or _CONTROL_CHARS.search(config.name):
        raise ConfigError("name", f"must be at most {MAX_NAME_CHARS} printable characters")
    if config.env_kind not in ENV_KINDS:
        raise ConfigError("env_kind", f"must be one of {', '.join(ENV_KINDS)}; got {config.env_kind!r}")
    _validate_url(config.env_kind, config.rest_url)
    if not isinstance(config.api_key, str) or not config.api_key.strip():
        raise ConfigError("api_key", "must not be empty")
    if any(ch.isspace() for ch in config.api_key) or _CONTROL_CHARS.search(config.api_key):
        raise ConfigError("api_key", "must not contain spaces or control characters")
    if config.key_type not in KEY_TYPES:
        raise ConfigError("key_type", f"must be one of {', '.join(KEY_TYPES)}; got {config.key_type!r}")
    if not isinstance(config.enabled, bool):
        raise ConfigError("enabled", "must be true or false")


def _validate_url(env_kind: str, rest_url: object) -> None:
    if not isinstance(rest_url, str):
        raise ConfigError("rest_url", "must be a text URL")
    parts = urlsplit(rest_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("rest_url", f"must be an http:// or https:// URL with a host; got {rest_url!r}")
    if parts.query or parts.fragment or any(ch.isspace() for ch in rest_url):
        raise ConfigError("rest_url", "must be a plain base URL without spaces, query or fragment")
    if env_kind == EnvKind.CUSTOM:
        return
    known = {env.rest_url for env in STANDARD if env.kind == env_kind}
    if env_kind == EnvKind.MAINNET:
        known.add(_BYTICK_MAINNET)
    if rest_url not in known:
        raise ConfigError("rest_url", f"{rest_url!r} is not a {env_kind} host; choose one of "
                                      f"{', '.join(sorted(known))} or use env_kind 'custom'")


@dataclass(frozen=True, slots=True)
class AccountsLoad:
    accounts: tuple[AccountConfig, ...]
    message: str | None  # for the user; None when the file was fine or absent
    moved_to: Path | None = None  # where an unusable file was moved


def parse_accounts_document(raw: bytes) -> tuple[AccountConfig, ...]:
    """Parse the bytes of accounts.json.

    May raise: ConfigError (bad structure, invalid or duplicate account).
    """
    try:
        document = loads_bounded_bytes(raw, where="accounts.json")
    except JsonInputError as exc:
        raise ConfigError("accounts.json", str(exc).removeprefix("accounts.json").lstrip(": ")) from None
    if not isinstance(document, dict):
        raise ConfigError("accounts.json", "expected a JSON object")
    if document.get("version") != FILE_VERSION:
        raise ConfigError("version", f"unsupported file version {document.get('version')!r}")
    rows = document.get("accounts")
    if not isinstance(rows, list):
        raise ConfigError("accounts", "expected a list")
    accounts = tuple(AccountConfig.from_json(row) for row in rows)
    _check_unique(accounts)
    return accounts


def _check_unique(accounts: tuple[AccountConfig, ...]) -> None:
    ids: set[str] = set()
    names: set[str] = set()
    for account in accounts:
        if account.account_id in ids:
            raise ConfigError("account_id", f"duplicate id {account.account_id}")
        key = account.name.strip().casefold()
        if key in names:
            raise ConfigError("name", f"an account named {account.name.strip()!r} already exists")
        ids.add(account.account_id)
        names.add(key)


class AccountStore:
    """Accounts kept in memory and in `accounts.json`; secrets go to `secret_store` (the keyring).

    Not thread-safe: use it from one thread (the GUI thread owns account editing).
    """

    def __init__(self, path: Path, secret_store: SecretStore | None = None) -> None:
        self._path = path
        self._secrets = secret_store
        self._accounts: tuple[AccountConfig, ...] = ()

    @property
    def accounts(self) -> tuple[AccountConfig, ...]:
        return self._accounts

    def load(self) -> AccountsLoad:
        """Read the file. Never raises: a corrupt or unreadable file is moved aside and reported."""
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            self._accounts = ()
            return AccountsLoad((), None)
        except OSError as exc:
            return self._set_aside(f"it could not be read ({exc.strerror or type(exc).__name__})")
        try:
            accounts = parse_accounts_document(raw)
        except ConfigError as exc:
            return self._set_aside(f"it is damaged ({exc})")
        self._accounts = accounts
        return AccountsLoad(accounts, None)

    def get(self, account_id: str) -> AccountConfig:
        """May raise: ConfigError when there is no such account."""
        for account in self._accounts:
            if account.account_id == account_id:
                return account
        raise ConfigError("account_id", f"no account with id {account_id}")

    def add(self, config: AccountConfig, secret: Secret | None = None) -> AccountConfig:
        """Add an account, storing its secret in the keyring first when given.

        May raise: ConfigError, SecretStoreError, StorageError (file not written; nothing changed).
        """
        if any(a.account_id == config.account_id for a in self._accounts):
            raise ConfigError("account_id", f"an account with id {config.account_id} already exists")
        new_accounts = (*self._accounts, config)
        _check_unique(new_accounts)
        if secret is not None:
            self._secret_store().set_account_secret(config.account_id, secret)
        try:
            self._commit(new_accounts)
        except StorageError:
            if secret is not None:
                self._secret_store().delete_account_secret(config.account_id)
            raise
        return config

    def update(self, config: AccountConfig, secret: Secret | None = None) -> AccountConfig:
        """Replace the account with the same id; a given secret replaces the stored one.

        May raise: ConfigError, SecretStoreError, StorageError.
        """
        self.get(config.account_id)
        new_accounts = tuple(config if a.account_id == config.account_id else a for a in self._accounts)
        _check_unique(new_accounts)
        previous = None
        if secret is not None:
            store = self._secret_store()
            previous = store.get_account_secret(config.account_id)
            store.set_account_secret(config.account_id, secret)
        try:
            self._commit(new_accounts)
        except StorageError:
            if secret is not None:
                self._restore_secret(config.account_id, previous)
            raise
        return config

    def set_enabled(self, account_id: str, enabled: bool) -> AccountConfig:
        """May raise: ConfigError, StorageError."""
        return self.update(replace(self.get(account_id), enabled=enabled))

    def remove(self, account_id: str) -> None:
        """Remove the account and its keyring entry. The secret goes first: if the keyring fails,
        the account stays listed so the user can retry, rather than leaving an orphaned secret.

        May raise: ConfigError, SecretStoreError, StorageError.
        """
        self.get(account_id)
        if self._secrets is not None:
            self._secrets.delete_account_secret(account_id)
        self._commit(tuple(a for a in self._accounts if a.account_id != account_id))

    def _commit(self, accounts: tuple[AccountConfig, ...]) -> None:
        document = {"version": FILE_VERSION, "accounts": [a.to_json() for a in accounts]}
        try:
            atomic_write_json(self._path, document)
        except OSError as exc:
            raise StorageError(f"Could not save the accounts file {self._path}: "
                               f"{exc.strerror or type(exc).__name__}") from None
        self._accounts = accounts

    def _secret_store(self) -> SecretStore:
        if self._secrets is None:
            raise StorageError("This account store has no secret store; secrets cannot be saved")
        return self._secrets

    def _restore_secret(self, account_id: str, previous: Secret | None) -> None:
        store = self._secret_store()
        if previous is None:
            store.delete_account_secret(account_id)
        else:
            store.set_account_secret(account_id, previous)

    def _set_aside(self, reason: str) -> AccountsLoad:
        self._accounts = ()
        try:
            moved_to = move_aside(self._path)
        except OSError as exc:
            return AccountsLoad((), f"The accounts file {self._path} cannot be used: {reason}. It could not "
                                    f"be moved aside either ({exc.strerror or type(exc).__name__}); "
                                    "RiskDesk starts with no accounts.", None)
        message = (f"The accounts file could not be used: {reason}. It was moved to {moved_to} and RiskDesk "
                   "starts with no accounts. API secrets are still in the system keyring; add the accounts "
                   "again or restore the file.")
        return AccountsLoad((), message, moved_to)
