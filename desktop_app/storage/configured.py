"""The app's configured accounts with their secrets, for non-GUI callers (riskdesk-cli).

Unlike `AccountStore.load`, this never moves a damaged file aside: a command-line run reports the
problem and leaves the user's files exactly as they were.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.domain.snapshot import AccountSpec
from desktop_app.storage.accounts import parse_accounts_document
from desktop_app.storage.errors import ConfigError, SecretStoreError, StorageError
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SecretStore


def configured_accounts(config_dir: Path | None = None, *,
                        secret_store: SecretStore | None = None) -> tuple[AccountSpec, ...]:
    """The enabled accounts of the configuration in `config_dir` (default: the platform config dir),
    with credentials from the keyring. No accounts file means no accounts.

    May raise: StorageError (unreadable or damaged accounts file), SecretStoreError (no usable
    keyring, or a keyring failure), MissingSecretError (an enabled account has no stored secret).
    """
    path = AppPaths.resolve(config_dir).accounts_file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StorageError(f"cannot read accounts file {path}: {reason}") from None
    try:
        configs = parse_accounts_document(raw)
    except ConfigError as exc:
        raise StorageError(f"accounts file {path} is damaged: {exc}") from None
    enabled = [config for config in configs if config.enabled]
    if not enabled:
        return ()
    secrets = secret_store or SecretStore()
    ok, message = secrets.available()
    if not ok:
        raise SecretStoreError(message)
    return tuple(
        AccountSpec(account_id=config.account_id, name=config.name, environment=config.to_environment(),
                    credentials=secrets.credentials_for(config), enabled=True)
        for config in enabled
    )
