from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop_app.bybit import environments
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.storage.accounts import AccountConfig, AccountStore
from desktop_app.storage.configured import configured_accounts
from desktop_app.storage.errors import MissingSecretError, SecretStoreError, StorageError
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.secrets import SecretStore
from tests.keyring_memory import MemoryKeyring


def _store(tmp_path: Path) -> AccountStore:
    return AccountStore(AppPaths.portable(tmp_path).accounts_file, SecretStore())


def test_enabled_accounts_with_credentials(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    store = _store(tmp_path)
    main = store.add(AccountConfig.new(name="Main", env_kind="demo", rest_url="https://api-demo.bybit.com",
                                       api_key="KEY1"), Secret("s1"))
    store.add(AccountConfig.new(name="Off", env_kind="demo", rest_url="https://api-demo.bybit.com",
                                api_key="KEY2", enabled=False), Secret("s2"))
    [spec] = configured_accounts(tmp_path)
    assert (spec.account_id, spec.name, spec.environment) == (main.account_id, "Main", environments.DEMO)
    assert spec.credentials == Credentials("KEY1", Secret("s1"), KeyType.HMAC)


def test_no_file_means_no_accounts(tmp_path: Path) -> None:
    assert configured_accounts(tmp_path) == ()


def test_damaged_file_is_reported_and_left_in_place(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_bytes(b'{"version": 1, "accounts": [{"name": ""}]}')
    with pytest.raises(StorageError, match="damaged"):
        configured_accounts(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.json"]


def test_missing_secret_names_account(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    _store(tmp_path).add(AccountConfig.new(name="NoSecret", env_kind="testnet",
                                           rest_url="https://api-testnet.bybit.com", api_key="K"))
    with pytest.raises(MissingSecretError, match="'NoSecret'"):
        configured_accounts(tmp_path)


def test_unusable_keyring_is_an_error_with_the_fix(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    config = AccountConfig.new(name="Main", env_kind="testnet", rest_url="https://api-testnet.bybit.com",
                               api_key="K")
    _store(tmp_path).add(config, Secret("s"))
    keyring.set_keyring(fail.Keyring())  # the fixture restores the previous backend afterwards
    with pytest.raises(SecretStoreError, match="keyring"):
        configured_accounts(tmp_path, secret_store=SecretStore(platform="linux"))
