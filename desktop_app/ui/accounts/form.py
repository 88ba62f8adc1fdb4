"""Validation of the account dialog's fields, kept apart from the widgets so each message is testable.

Every message tells the user what to do; none contains the secret.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from desktop_app.bybit.environments import STANDARD, custom
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.environment import EnvKind
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.i18n import tr
from desktop_app.storage.accounts import AccountConfig
from desktop_app.storage.errors import ConfigError

MAX_KEY_FILE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class FormInput:
    name: str
    rest_url: str | None  # a standard environment's URL, or None for "Custom URL"
    custom_url: str
    key_type: str
    api_key: str
    secret: str  # HMAC secret as typed; empty = keep the stored one (edit)
    rsa_path: str  # RSA private key file; empty = keep the stored one (edit)

    def __repr__(self) -> str:
        return f"FormInput(name={self.name!r}, rest_url={self.rest_url!r}, key_type={self.key_type!r})"


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """A validated account; `secret` is None when an edit keeps the stored secret."""

    config: AccountConfig
    secret: Secret | None

    def spec(self, secret: Secret) -> AccountSpec:
        credentials = Credentials(self.config.api_key, secret, KeyType(self.config.key_type))
        return AccountSpec(self.config.account_id, self.config.name, self.config.to_environment(),
                           credentials)


def _env_kind(rest_url: str) -> str:
    for env in STANDARD:
        if env.rest_url == rest_url:
            return env.kind.value
    return EnvKind.CUSTOM.value


def read_rsa_key(path_text: str) -> tuple[Secret | None, str | None]:
    """The PEM text of an RSA private key file, or the reason it cannot be used."""
    path = Path(path_text.strip()).expanduser()
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            return None, tr("The private key file is too large to be a PEM key.")
        data = path.read_bytes()
    except OSError as exc:
        return None, tr("Cannot read the private key file: {reason}.").format(
            reason=exc.strerror or type(exc).__name__)
    try:
        key = load_pem_private_key(data, password=None)
    except TypeError:
        return None, tr("The private key is protected by a password. Export it without a password.")
    except (ValueError, UnsupportedAlgorithm):
        return None, tr("The file is not a PEM private key (it should begin with "
                         "\"-----BEGIN PRIVATE KEY-----\").")
    if not isinstance(key, rsa.RSAPrivateKey):
        return None, tr("The private key is not an RSA key. Bybit's self-generated keys are RSA.")
    return Secret(data.decode("ascii", errors="replace")), None


def validate_form(form: FormInput, *, existing: AccountConfig | None,
                  other_names: frozenset[str]) -> tuple[AccountDraft | None, str | None]:
    """The draft, or None and the first problem found (in field order)."""
    name = form.name.strip()
    if not name:
        return None, tr("Enter a name for the account.")
    if name.casefold() in {n.casefold() for n in other_names}:
        return None, tr("An account named \"{name}\" already exists.").format(name=name)
    if form.rest_url is None:
        try:
            rest_url = custom(form.custom_url).rest_url
        except ValueError:
            return None, tr("Enter an http:// or https:// base URL, for example https://api.bybit.com.")
    else:
        rest_url = form.rest_url
    api_key = form.api_key.strip()
    if not api_key:
        return None, tr("Enter the API key.")
    if any(ch.isspace() for ch in api_key):
        return None, tr("The API key must not contain spaces.")
    key_changed = existing is None or existing.key_type != form.key_type or existing.api_key != api_key
    secret: Secret | None = None
    if form.key_type == KeyType.RSA.value:
        if form.rsa_path.strip():
            secret, problem = read_rsa_key(form.rsa_path)
            if problem:
                return None, problem
        elif key_changed:
            return None, tr("Choose the RSA private key file of this API key.")
    else:
        if form.secret.strip():
            secret = Secret(form.secret.strip())
        elif key_changed:
            return None, tr("Enter the API secret.")
    env_kind = EnvKind.CUSTOM.value if form.rest_url is None else _env_kind(rest_url)
    try:
        if existing is None:
            config = AccountConfig.new(name=name, env_kind=env_kind, rest_url=rest_url, api_key=api_key,
                                       key_type=form.key_type)
        else:
            config = dataclasses.replace(existing, name=name, env_kind=env_kind, rest_url=rest_url,
                                         api_key=api_key, key_type=form.key_type)
    except ConfigError as exc:
        return None, str(exc)
    return AccountDraft(config, secret), None
