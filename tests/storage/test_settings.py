from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.credentials import Secret
from desktop_app.storage.errors import ConfigError, StorageError
from desktop_app.storage.secrets import TELEGRAM_BOT_TOKEN, SecretStore
from desktop_app.storage.settings import Settings, load_settings, save_settings, settings_from_mapping
from tests.keyring_memory import MemoryKeyring


def test_defaults() -> None:
    s = Settings()
    assert s.refresh_interval_s == 5.0
    assert s.var_confidence_levels == (0.95, 0.99)
    assert s.var_horizon_days == 1
    assert s.history_retention_days == 90
    assert s.telegram_chat_id == ""


def test_missing_file_gives_defaults_without_message(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "settings.json")
    assert (loaded.settings, loaded.messages) == (Settings(), ())


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    chosen = Settings(refresh_interval_s=2.5, var_confidence_levels=(0.975,), var_horizon_days=10,
                      history_retention_days=30, telegram_chat_id="-1001234567890")
    save_settings(path, chosen)
    loaded = load_settings(path)
    assert loaded.messages == ()
    assert loaded.settings == chosen
    assert json.loads(path.read_text("utf-8"))["var_confidence_levels"] == [0.975]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unknown_keys_ignored_and_missing_keys_default() -> None:
    loaded = settings_from_mapping({"version": 7, "future_option": True, "var_horizon_days": 5})
    assert loaded.messages == ()
    assert loaded.settings == Settings(var_horizon_days=5)


def test_values_are_normalised() -> None:
    loaded = settings_from_mapping({"var_confidence_levels": [0.99, 0.95, 0.99], "refresh_interval_s": 3,
                                    "history_retention_days": 30.0, "telegram_chat_id": -100123})
    assert loaded.messages == ()
    assert loaded.settings.var_confidence_levels == (0.95, 0.99)  # sorted, duplicate removed
    assert loaded.settings.refresh_interval_s == 3.0 and isinstance(loaded.settings.refresh_interval_s, float)
    assert loaded.settings.history_retention_days == 30
    assert isinstance(loaded.settings.history_retention_days, int)
    assert loaded.settings.telegram_chat_id == "-100123"


@pytest.mark.parametrize(("key", "bad"), [
    ("refresh_interval_s", 0.5),  # below the minimum of 1 s
    ("refresh_interval_s", True),
    ("refresh_interval_s", "5"),
    ("request_deadline_s", 0.5),  # below the minimum of 1 s
    ("request_deadline_s", 600),  # above the most of 120 s
    ("request_deadline_s", float("nan")),
    ("var_confidence_levels", []),
    ("var_confidence_levels", [0.95, 1.0]),
    ("var_confidence_levels", 0.95),
    ("var_horizon_days", 0),
    ("var_horizon_days", 1.5),
    ("history_retention_days", -1),
    ("history_retention_days", None),
    ("telegram_chat_id", "not a chat"),
    ("telegram_chat_id", ["x"]),
])
def test_bad_value_falls_back_to_default_with_message(key: str, bad: object) -> None:
    data = {key: bad} if key == "var_horizon_days" else {key: bad, "var_horizon_days": 3}
    loaded = settings_from_mapping(data)
    assert getattr(loaded.settings, key) == getattr(Settings(), key)
    assert len(loaded.messages) == 1 and key in loaded.messages[0]
    if key != "var_horizon_days":
        assert loaded.settings.var_horizon_days == 3  # the good value next to the bad one is kept


def test_construction_validates_and_names_field() -> None:
    with pytest.raises(ConfigError) as info:
        Settings(refresh_interval_s=0)
    assert info.value.field == "refresh_interval_s"
    with pytest.raises(ConfigError, match=r"^var_confidence_levels: "):
        Settings(var_confidence_levels=(0.2,))


# Files built to crash a parser: 200,000-deep nesting (RecursionError in json), a 5,000-digit number
# (ValueError from int()), a 2 MB file.
HOSTILE = [
    b"[" * 200_000,
    b'{"refresh_interval_s": ' + b"9" * 5_000 + b"}",
    b'{"x": "' + b"a" * 2_000_000 + b'"}',
]


@pytest.mark.parametrize("raw", [b"{broken", b"[1, 2]", b"\xff", *HOSTILE])
def test_corrupt_file_moved_aside_and_defaults_used(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(raw)
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert len(loaded.messages) == 1 and "moved to" in loaded.messages[0]
    assert not path.exists()
    [aside] = list(tmp_path.iterdir())
    assert aside.name.startswith("settings.json.corrupt-") and aside.read_bytes() == raw


def test_save_failure_is_a_storage_error_and_keeps_old_file(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    save_settings(path, Settings())
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match="Read-only"):
        save_settings(path, Settings(var_horizon_days=2))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_telegram_token_never_in_settings_file(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    token = "7312345678:AAHk-secret-bot-token-value"
    SecretStore().set(TELEGRAM_BOT_TOKEN, Secret(token))
    path = tmp_path / "settings.json"
    save_settings(path, Settings(telegram_chat_id="@riskdesk_alerts"))
    raw = path.read_bytes()
    assert token.encode() not in raw and b"AAHk" not in raw
    assert b"@riskdesk_alerts" in raw
    assert memory_keyring.entries == {("RiskDesk", "telegram-bot-token"): token}


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["refresh_interval_s", "var_confidence_levels", "var_horizon_days",
                                        "history_retention_days", "telegram_chat_id", "other"]), json_values))
def test_any_json_object_loads_into_valid_settings(data: dict[str, object]) -> None:
    loaded = settings_from_mapping(data)
    s = loaded.settings
    assert 1 <= s.refresh_interval_s <= 3600
    assert s.var_confidence_levels and all(0.5 <= c < 1 for c in s.var_confidence_levels)
    assert 1 <= s.var_horizon_days <= 30 and 1 <= s.history_retention_days <= 3650
    assert len(loaded.messages) <= 5
