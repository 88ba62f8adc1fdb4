"""What `riskdesk-cli watch` watches, and where its alerts go: everything checked before it starts.

Accounts come from `--accounts FILE` or the app's configuration (secrets from the keyring); the alert
rules, the refresh interval, the request deadline, the Telegram chat and the language from the config
dir's settings unless given as options. The Telegram bot token comes from `RISKDESK_TELEGRAM_TOKEN`
when set (machines without a keyring), else from the keyring entry the app saves. Any problem is one
`WatchInputError` line (exit 2); none of them holds the token.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app import i18n
from desktop_app.alerts.telegram import TelegramError, TelegramSender
from desktop_app.alerts.text import one_line
from desktop_app.commands.accounts_source import AccountsFileError, resolve_accounts, seconds_option
from desktop_app.domain.credentials import Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.live.alerts import TelegramSettings
from desktop_app.live.loop import MIN_INTERVAL_S
from desktop_app.storage.errors import SecretStoreError
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.safe_json import MAX_FILE_BYTES, JsonInputError, loads_bounded_bytes
from desktop_app.storage.secrets import TELEGRAM_BOT_TOKEN, SecretStore
from desktop_app.storage.settings import Settings, check_telegram_chat_id, settings_from_mapping

TOKEN_ENV = "RISKDESK_TELEGRAM_TOKEN"
MAX_INTERVAL_S = 86_400.0
interval_seconds = seconds_option("--interval", MIN_INTERVAL_S, MAX_INTERVAL_S)


class WatchInputError(Exception):
    """The watcher cannot start as asked; the message is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class WatchPlan:
    paths: AppPaths
    accounts: tuple[AccountSpec, ...]
    settings: Settings
    interval_s: float
    deadline_s: float
    telegram: TelegramSettings | None  # None with --no-telegram
    language: str
    warnings: tuple[str, ...]  # settings that fell back to their default, for the log


def resolve_plan(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> WatchPlan:
    """May raise: WatchInputError."""
    env = os.environ if environ is None else environ
    paths = AppPaths.resolve(args.config_dir)
    settings, warnings = read_settings(paths.settings_file)
    try:
        accounts = resolve_accounts(args)
    except AccountsFileError as exc:
        raise WatchInputError(str(exc)) from None
    except SecretStoreError as exc:
        raise WatchInputError(one_line(str(exc), None)) from None
    telegram = None if args.no_telegram else telegram_settings(args, settings, env)
    language = i18n.resolve_language(args.lang, settings.language, i18n.system_language())
    return WatchPlan(paths=paths, accounts=accounts, settings=settings,
                     interval_s=args.interval if args.interval is not None else settings.refresh_interval_s,
                     deadline_s=args.deadline if args.deadline is not None else settings.request_deadline_s,
                     telegram=telegram, language=language, warnings=warnings)


def read_settings(path: Path) -> tuple[Settings, tuple[str, ...]]:
    """The app's settings as saved; defaults without a file. Unlike the window, a damaged file is not
    moved aside: it is reported and left exactly as it is. May raise: WatchInputError."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return Settings(), ()
    except OSError as exc:
        raise WatchInputError(f"cannot read settings file {path}: {exc.strerror or exc}") from None
    try:
        data = loads_bounded_bytes(raw, where=f"settings file {path}", exact=False)
    except JsonInputError as exc:
        raise WatchInputError(f"{exc}; open the app to rewrite it, or remove it to use the defaults"
                              ) from None
    if not isinstance(data, dict):
        raise WatchInputError(f"settings file {path} does not hold a JSON object")
    loaded = settings_from_mapping(data)
    return loaded.settings, loaded.messages


def telegram_settings(args: argparse.Namespace, settings: Settings,
                      environ: Mapping[str, str]) -> TelegramSettings:
    """The chat (--telegram-chat, else the app's), the token and the Bot API URL, all checked.
    May raise: WatchInputError."""
    raw_chat = args.telegram_chat if args.telegram_chat is not None else settings.telegram_chat_id
    try:
        chat_id = check_telegram_chat_id(raw_chat)
    except ValueError as exc:
        raise WatchInputError(f"--telegram-chat {exc}") from None
    if not chat_id:
        raise WatchInputError("no Telegram chat: pass --telegram-chat ID, set it in the app (File → Settings "
                              "→ Telegram), or pass --no-telegram to only print")
    api_url = check_api_url(args.telegram_api_url)
    token = _token(environ)
    try:
        TelegramSender(token, chat_id, base_url=api_url)  # checks the token's form; opens nothing
    except TelegramError as exc:
        raise WatchInputError(str(exc)) from None
    return TelegramSettings(token=token, chat_id=chat_id, api_url=api_url)


def check_api_url(url: str) -> str:
    """An http(s) base URL with a host and no query. May raise: WatchInputError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or any(c.isspace() for c in url.strip()):
        raise WatchInputError("--telegram-api-url must be an http(s) URL such as https://api.telegram.org")
    return url.strip().rstrip("/")


def _token(environ: Mapping[str, str]) -> Secret:
    from_env = environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return Secret(from_env)
    store = SecretStore()
    available, _ = store.available()
    if not available:
        raise WatchInputError(f"no Telegram bot token: this machine has no usable keyring; set {TOKEN_ENV}")
    try:
        token = store.get(TELEGRAM_BOT_TOKEN)
    except SecretStoreError as exc:
        raise WatchInputError(one_line(str(exc), None)) from None
    if token is None:
        raise WatchInputError(f"no Telegram bot token: save it in the app (File → Settings → Telegram) or "
                              f"set {TOKEN_ENV}")
    return token
