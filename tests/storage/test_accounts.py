from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.bybit import environments
from desktop_app.domain.credentials import Secret
from desktop_app.storage import accounts as accounts_module
from desktop_app.storage.accounts import AccountConfig, AccountStore, parse_accounts_document
from desktop_app.storage.errors import ConfigError, StorageError
from desktop_app.storage.secrets import SecretStore
from tests.keyring_memory import MemoryKeyring

SECRET = "S3cr3t-VALUE-that-must-never-hit-disk"
PEM = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-never-on-disk\n"
       "-----END PRIVATE KEY-----\n")


def _config(name: str = "Main", **changes: object) -> AccountConfig:
    values: dict[str, object] = {"name": name, "env_kind": "mainnet", "rest_url": "https://api.bybit.com",
                                 "api_key": "AbCdEfGhIjKlMnOpQr", "key_type": "hmac"}
    values.update(changes)
    return AccountConfig.new(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path, memory_keyring: MemoryKeyring) -> AccountStore:
    return AccountStore(tmp_path / "accounts.json", SecretStore())


def test_round_trip_of_metadata(store: AccountStore, tmp_path: Path) -> None:
    main = store.add(_config("Main"))
    hedge = store.add(_config("Hedge", env_kind="custom", rest_url="http://127.0.0.1:8080", key_type="rsa",
                              enabled=False))
    fresh = AccountStore(tmp_path / "accounts.json")
    loaded = fresh.load()
    assert loaded.message is None
    assert loaded.accounts == (main, hedge)
    document = json.loads((tmp_path / "accounts.json").read_text("utf-8"))
    assert document["version"] == 1
    assert [row["name"] for row in document["accounts"]] == ["Main", "Hedge"]
    assert set(document["accounts"][0]) == {"account_id", "name", "env_kind", "rest_url", "api_key",
                                            "key_type", "enabled"}


def test_new_normalises_and_generates_uuid4_hex() -> None:
    config = AccountConfig.new(name="  Main ", env_kind="testnet",
                               rest_url=" https://api-testnet.bybit.com/ ", api_key=" KEY ")
    assert (config.name, config.rest_url, config.api_key) == ("Main", "https://api-testnet.bybit.com", "KEY")
    assert len(config.account_id) == 32 and int(config.account_id, 16) >= 0
    assert config.account_id[12] == "4"  # uuid4: version nibble
    assert config.account_id != _config().account_id


def test_missing_file_loads_empty_without_message(store: AccountStore) -> None:
    assert store.load() == accounts_module.AccountsLoad((), None)


@pytest.mark.parametrize("raw", [
    b"{not json",
    b"\xff\xfe garbage",
    b"[]",
    b'{"version": 2, "accounts": []}',
    b'{"version": 1, "accounts": {}}',
    b'{"version": 1, "accounts": [{"name": "x"}]}',
    b"[" * 200_000,  # nesting that crashed json with a RecursionError
    b'{"version": ' + b"1" * 5_000 + b', "accounts": []}',  # a number int() refuses
])
def test_corrupt_file_is_moved_aside_with_message(store: AccountStore, tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "accounts.json"
    path.write_bytes(raw)
    result = store.load()
    assert result.accounts == ()
    assert result.moved_to is not None
    assert result.moved_to.name.startswith("accounts.json.corrupt-")
    assert result.moved_to.read_bytes() == raw  # kept for the user
    assert not path.exists()
    assert result.message is not None and str(result.moved_to) in result.message
    assert "no accounts" in result.message


def test_duplicate_names_in_file_count_as_corrupt(store: AccountStore, tmp_path: Path) -> None:
    rows = [_config("Main").to_json(), _config("main").to_json()]
    (tmp_path / "accounts.json").write_text(json.dumps({"version": 1, "accounts": rows}))
    result = store.load()
    assert result.accounts == ()
    assert result.message is not None and "already exists" in result.message


def test_unreadable_file_is_moved_aside(store: AccountStore, tmp_path: Path) -> None:
    (tmp_path / "accounts.json").mkdir()  # reading a directory fails with an OSError on every platform
    result = store.load()
    assert result.accounts == ()
    assert result.message is not None and "could not be read" in result.message
    assert result.moved_to is not None and result.moved_to.is_dir()


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": "   "}, "name"),
    ({"name": "x" * 65}, "name"),
    ({"name": "tab\there"}, "name"),
    ({"env_kind": "moon"}, "env_kind"),
    ({"rest_url": "ftp://api.bybit.com"}, "rest_url"),
    ({"rest_url": "api.bybit.com"}, "rest_url"),
    ({"env_kind": "custom", "rest_url": "http://"}, "rest_url"),
    ({"rest_url": "https://api-testnet.bybit.com"}, "rest_url"),  # mainnet kind, testnet host
    ({"env_kind": "regional", "rest_url": "https://evil.example"}, "rest_url"),
    ({"api_key": ""}, "api_key"),
    ({"api_key": "has space"}, "api_key"),
    ({"key_type": "dsa"}, "key_type"),
    ({"enabled": "yes"}, "enabled"),
])
def test_validation_error_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as info:
        _config(**changes)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_bad_account_id_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"^account_id: "):
        dataclasses.replace(_config(), account_id="not-hex")


def test_names_must_be_unique_ignoring_case(store: AccountStore) -> None:
    store.add(_config("Main"))
    with pytest.raises(ConfigError, match=r"^name: .*already exists"):
        store.add(_config(" MAIN"))
    second = store.add(_config("Second"))
    with pytest.raises(ConfigError, match=r"^name: "):
        store.update(dataclasses.replace(second, name="main"))
    assert [a.name for a in store.accounts] == ["Main", "Second"]


def test_secret_never_appears_in_accounts_file(store: AccountStore, tmp_path: Path,
                                               memory_keyring: MemoryKeyring) -> None:
    hmac = store.add(_config("Main"), Secret(SECRET))
    rsa = store.add(_config("Rsa", key_type="rsa"), Secret(PEM))
    raw = (tmp_path / "accounts.json").read_bytes()
    assert SECRET.encode() not in raw
    assert b"never-on-disk" not in raw and b"PRIVATE KEY" not in raw
    assert memory_keyring.entries == {("RiskDesk", hmac.account_id): SECRET,
                                      ("RiskDesk", rsa.account_id): PEM}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_accounts_file_is_owner_only(store: AccountStore, tmp_path: Path) -> None:
    store.add(_config())
    assert stat.S_IMODE((tmp_path / "accounts.json").stat().st_mode) == 0o600


def test_remove_deletes_keyring_entry(store: AccountStore, tmp_path: Path,
                                      memory_keyring: MemoryKeyring) -> None:
    keep = store.add(_config("Keep"), Secret("keep-secret"))
    gone = store.add(_config("Gone"), Secret("gone-secret"))
    store.remove(gone.account_id)
    assert memory_keyring.entries == {("RiskDesk", keep.account_id): "keep-secret"}
    assert AccountStore(tmp_path / "accounts.json").load().accounts == (keep,)
    with pytest.raises(ConfigError, match=r"^account_id: "):
        store.remove(gone.account_id)


def test_remove_of_account_without_secret(store: AccountStore) -> None:
    config = store.add(_config())
    store.remove(config.account_id)  # no keyring entry: nothing to delete, no error
    assert store.accounts == ()


def test_update_and_enable_disable_persist(store: AccountStore, tmp_path: Path,
                                           memory_keyring: MemoryKeyring) -> None:
    config = store.add(_config("Main"), Secret("old"))
    renamed = store.update(dataclasses.replace(config, name="Main 2"), Secret("new"))
    store.set_enabled(config.account_id, False)
    loaded = AccountStore(tmp_path / "accounts.json").load().accounts
    assert loaded == (dataclasses.replace(renamed, enabled=False),)
    assert memory_keyring.entries == {("RiskDesk", config.account_id): "new"}
    with pytest.raises(ConfigError, match=r"^account_id: "):
        store.update(_config("Unknown"))


def test_failed_save_rolls_back_secret_and_memory(store: AccountStore, tmp_path: Path,
                                                  memory_keyring: MemoryKeyring,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first = store.add(_config("Main"), Secret("original"))
    before = (tmp_path / "accounts.json").read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match="Permission denied"):
        store.add(_config("Second"), Secret("second"))
    with pytest.raises(StorageError):
        store.update(dataclasses.replace(first, name="Renamed"), Secret("changed"))
    assert store.accounts == (first,)
    assert memory_keyring.entries == {("RiskDesk", first.account_id): "original"}
    assert (tmp_path / "accounts.json").read_bytes() == before


def test_adding_a_secret_without_secret_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no secret store"):
        AccountStore(tmp_path / "accounts.json").add(_config(), Secret("x"))
    assert not (tmp_path / "accounts.json").exists()


def test_repr_redacts_api_key() -> None:
    text = repr(_config(api_key="AbCdEfGhIjKlMnOpQr"))
    assert "AbCdEfGhIjKlMnOpQr" not in text
    assert "AbCd…Qr" in text


@pytest.mark.parametrize("env", environments.STANDARD, ids=lambda e: e.label)
def test_named_environments_map_to_the_standard_list(env: environments.Environment) -> None:
    assert _config(env_kind=env.kind.value, rest_url=env.rest_url).to_environment() is env


def test_custom_and_alias_environments() -> None:
    sim = _config(env_kind="custom", rest_url="http://127.0.0.1:5123").to_environment()
    assert sim == environments.custom("http://127.0.0.1:5123")
    assert sim.public_stream("linear") == "ws://127.0.0.1:5123/v5/public/linear"
    bytick = _config(env_kind="mainnet", rest_url="https://api.bytick.com").to_environment()
    assert bytick.kind == environments.EnvKind.MAINNET and bytick.rest_url == "https://api.bytick.com"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_parser_raises_only_config_error(raw: bytes) -> None:
    with contextlib.suppress(ConfigError):
        parse_accounts_document(raw)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["account_id", "name", "env_kind", "rest_url", "api_key", "key_type",
                                        "enabled"]), json_values))
def test_parser_rejects_malformed_rows_with_config_error(row: dict[str, object]) -> None:
    raw = json.dumps({"version": 1, "accounts": [row]}).encode()
    with contextlib.suppress(ConfigError):
        parse_accounts_document(raw)
