"""What the window works on: where files live, the configured accounts (or the demo's), settings.

In demo mode the simulator's accounts are held in memory only: nothing is read from or written to
the keyring or the accounts file, and the account editor is disabled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_app.domain.snapshot import AccountSpec
from desktop_app.storage.accounts import AccountConfig, AccountStore
from desktop_app.storage.errors import SecretStoreError
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SecretStore
from desktop_app.storage.settings import Settings, load_settings
from desktop_app.storage.writer_lock import LockHolder, WriterLock


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    secrets: SecretStore
    store: AccountStore | None  # None in demo mode
    demo_specs: tuple[AccountSpec, ...] = ()
    messages: list[str] = field(default_factory=list)  # for the user, shown once at start-up
    # The watcher that writes this configuration (history, Telegram) while the window is open, or
    # None when the window is the writer (storage/writer_lock.py): the window then only watches.
    watched_by: LockHolder | None = None
    writer: WriterLock | None = None  # held while this window is the writer; released at exit

    @property
    def demo(self) -> bool:
        return self.store is None

    def specs(self) -> tuple[tuple[AccountSpec, ...], tuple[str, ...]]:
        """The accounts the worker refreshes, and one problem text per account that cannot run.

        An account whose secret is missing from the keyring (or a keyring that fails) is left out
        with a message rather than shown with zeros.
        """
        if self.store is None:
            return self.demo_specs, ()
        specs: list[AccountSpec] = []
        problems: list[str] = []
        for config in self.store.accounts:
            if not config.enabled:
                continue
            try:
                specs.append(spec_for(config, self.secrets))
            except SecretStoreError as exc:
                problems.append(str(exc))
        return tuple(specs), tuple(problems)


    def why_no_usable_accounts(self) -> str | None:
        """Why enabled accounts are configured but none can run (the keyring is missing, or their
        secrets cannot be read); None when there are none configured, or some can run."""
        if self.store is None:
            return None
        enabled = [c for c in self.store.accounts if c.enabled]
        specs, problems = self.specs()
        if not enabled or specs:
            return None
        count = f"{len(enabled)} account{'s are' if len(enabled) > 1 else ' is'} configured"
        keyring_ok, keyring_message = self.secrets.available()
        if not keyring_ok:
            return f"{count}, but no usable keyring is available to read the API secrets. {keyring_message}"
        return f"{count}, but no API secret could be read from the keyring: {problems[0] if problems else ''}"


def spec_for(config: AccountConfig, secrets: SecretStore) -> AccountSpec:
    """May raise: SecretStoreError (MissingSecretError when no secret is stored)."""
    return AccountSpec(account_id=config.account_id, name=config.name, environment=config.to_environment(),
                       credentials=secrets.credentials_for(config), enabled=config.enabled)


def load_context(paths: AppPaths) -> AppContext:
    """Settings, accounts and the keyring state for a normal start. Never raises."""
    messages: list[str] = []
    settings_load = load_settings(paths.settings_file)
    messages.extend(settings_load.messages)
    secrets = SecretStore()
    ok, keyring_message = secrets.available()
    if keyring_message:
        messages.append(keyring_message)
    store = AccountStore(paths.accounts_file, secrets if ok else None)
    accounts_load = store.load()
    if accounts_load.message:
        messages.append(accounts_load.message)
    return AppContext(paths=paths, settings=settings_load.settings, secrets=secrets, store=store,
                      messages=messages)


def demo_context(paths: AppPaths, specs: Sequence[AccountSpec]) -> AppContext:
    settings_load = load_settings(paths.settings_file)
    return AppContext(paths=paths, settings=settings_load.settings, secrets=SecretStore(), store=None,
                      demo_specs=tuple(specs), messages=list(settings_load.messages))
