"""Typed application settings, declared once: each field carries its default and its coercion.

`settings.json` holds preferences only. Secrets (the Telegram bot token, API secrets) live in the
keyring. Loading never fails: a bad value falls back to its default with a message for the user.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from desktop_app.alerts.config import AlertConfig, load_alert_config
from desktop_app.i18n import LANGUAGES
from desktop_app.storage.atomic import atomic_write_json, move_aside
from desktop_app.storage.errors import ConfigError, StorageError
from desktop_app.storage.safe_json import JsonInputError, loads_bounded_bytes

SETTINGS_VERSION = 1
_COERCE = "coerce"
_TELEGRAM_CHAT_ID = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")

Coerce = Callable[[object], object]


def _number(*, minimum: float, maximum: float, integer: bool) -> Coerce:
    def coerce(value: object) -> object:
        # bool is an int in Python, but `true` is never a sensible number of seconds.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        if integer and value != int(value):
            raise ValueError("must be a whole number")
        if not minimum <= value <= maximum:
            raise ValueError(f"must be between {minimum:g} and {maximum:g}")
        return int(value) if integer else float(value)

    return coerce


def _confidence_levels(value: object) -> object:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("must be a non-empty list of fractions such as [0.95, 0.99]")
    if len(value) > 5:
        raise ValueError("at most 5 levels")
    levels = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float) or not 0.5 <= item < 1.0:
            raise ValueError("each level must be a fraction from 0.5 up to (not including) 1")
        levels.append(float(item))
    return tuple(sorted(set(levels)))


def _telegram_chat_id(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # Telegram shows numeric ids; accept them unquoted in a hand-edited file
    if not isinstance(value, str):
        raise ValueError("must be text")
    value = value.strip()
    if value and not _TELEGRAM_CHAT_ID.fullmatch(value):
        raise ValueError("must be a numeric chat id (e.g. -1001234567890) or @channelname")
    return value


def check_telegram_chat_id(value: str) -> str:
    """A chat id as Settings keeps it (stripped; "" for none). May raise: ValueError naming the form."""
    return str(_telegram_chat_id(value))


def _alert_config(value: object) -> object:
    # Strict here (construction from code or the settings dialog); `settings_from_mapping` loads the
    # file leniently with `load_alert_config`, rule by rule.
    if isinstance(value, AlertConfig):
        return value
    if not isinstance(value, Mapping):
        raise ValueError("must be an object of alert rules")
    return AlertConfig.from_dict(value)  # AlertConfigError is a ValueError naming the rule field


def _language(value: object) -> object:
    # "" follows the system's language; the codes are those of desktop_app.i18n.LANGUAGES.
    if value == "" or value in LANGUAGES:
        return value
    raise ValueError("must be \"\" (the system's language), \"en\", \"th\" or \"uk\"")


def _spec(coerce: Coerce) -> dict[str, Coerce]:
    return {_COERCE: coerce}


@dataclass(frozen=True, slots=True)
class Settings:
    """User preferences. Construction validates every field (May raise: ConfigError)."""

    refresh_interval_s: float = field(
        default=5.0, metadata=_spec(_number(minimum=1, maximum=3600, integer=False)))
    # The most one request to the exchange, and one account's refresh, may take before it counts as
    # failed (a server that trickles its answer a byte at a time never trips a per-read timeout).
    request_deadline_s: float = field(
        default=15.0, metadata=_spec(_number(minimum=1, maximum=120, integer=False)))
    var_confidence_levels: tuple[float, ...] = field(
        default=(0.95, 0.99), metadata=_spec(_confidence_levels))
    var_horizon_days: int = field(default=1, metadata=_spec(_number(minimum=1, maximum=30, integer=True)))
    history_retention_days: int = field(
        default=90, metadata=_spec(_number(minimum=1, maximum=3650, integer=True)))
    telegram_chat_id: str = field(default="", metadata=_spec(_telegram_chat_id))
    language: str = field(default="", metadata=_spec(_language))
    # Thresholds only; the Telegram bot token lives in the keyring (`secrets.TELEGRAM_BOT_TOKEN`).
    alerts: AlertConfig = field(default=AlertConfig(), metadata=_spec(_alert_config))

    def __post_init__(self) -> None:
        for f in fields(self):
            try:
                coerced = f.metadata[_COERCE](getattr(self, f.name))
            except ValueError as exc:
                raise ConfigError(f.name, str(exc)) from None
            object.__setattr__(self, f.name, coerced)  # normalised form (float, sorted tuple, stripped)

    def to_json(self) -> dict[str, object]:
        document: dict[str, object] = {"version": SETTINGS_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, AlertConfig):
                value = value.to_dict()
            document[f.name] = list(value) if isinstance(value, tuple) else value
        return document


@dataclass(frozen=True, slots=True)
class SettingsLoad:
    settings: Settings
    messages: tuple[str, ...]  # one per value that was replaced by its default; empty when all is well


def settings_from_mapping(data: Mapping[str, object]) -> SettingsLoad:
    """Build settings from a decoded JSON object: unknown keys are ignored, missing keys take their
    default, and invalid values take their default with a message (alert rules one by one)."""
    values: dict[str, object] = {}
    messages: list[str] = []
    for f in fields(Settings):
        if f.name not in data:
            continue
        if f.name == "alerts":
            values[f.name], alert_messages = load_alert_config(data[f.name])
            messages.extend(alert_messages)
            continue
        try:
            values[f.name] = f.metadata[_COERCE](data[f.name])
        except ValueError as exc:
            messages.append(f"Setting {f.name} {exc}; using the default {f.default!r}.")
    return SettingsLoad(Settings(**values), tuple(messages))  # type: ignore[arg-type]


def load_settings(path: Path) -> SettingsLoad:
    """Read settings.json. Never raises: a missing file gives defaults; an unreadable or corrupt
    file is moved aside (kept for the user) and gives defaults with a message."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return SettingsLoad(Settings(), ())
    except OSError as exc:
        return SettingsLoad(Settings(), (_set_aside(path, f"could not be read ({exc.strerror})"),))
    try:
        data = loads_bounded_bytes(raw, where=path.name, exact=False)
    except JsonInputError:
        return SettingsLoad(Settings(), (_set_aside(path, "is not valid JSON"),))
    if not isinstance(data, dict):
        return SettingsLoad(Settings(), (_set_aside(path, "does not hold a JSON object"),))
    return settings_from_mapping(data)


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings.json atomically (owner-only permissions).

    May raise: StorageError.
    """
    try:
        atomic_write_json(path, settings.to_json())
    except OSError as exc:
        raise StorageError(f"Could not save the settings file {path}: "
                           f"{exc.strerror or type(exc).__name__}") from None


def _set_aside(path: Path, reason: str) -> str:
    try:
        moved_to = move_aside(path)
    except OSError:
        return f"The settings file {path} {reason}; default settings are used."
    return f"The settings file {reason}; it was moved to {moved_to} and default settings are used."
