"""Where `report` and `stress` get their accounts: an `--accounts FILE`, or the app's configuration.

The file form (`{"accounts": [{"name", "base_url", "api_key", "api_secret"}]}`) exists for scripts
and tests; it holds secrets in plain text, which README warns about. The configured form reads
metadata from the accounts file and secrets from the OS keyring.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from desktop_app.bybit.environments import from_rest_url
from desktop_app.bybit.http import DEFAULT_DEADLINE_S
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.storage.safe_json import JsonInputError, load_json_file

REQUIRED_KEYS = ("name", "base_url", "api_key", "api_secret")
MAX_DEADLINE_S = 600.0


class AccountsFileError(Exception):
    """The accounts file or configuration is unusable; the message names the fault in one line."""


DEADLINE_HELP = (f"give up on an account whose server has not answered completely within SECONDS "
                 f"(default {DEFAULT_DEADLINE_S:g})")


def add_accounts_arguments(parser: argparse.ArgumentParser, *, deadline_help: str = DEADLINE_HELP) -> None:
    parser.add_argument("--accounts", metavar="FILE", type=Path,
                        help="JSON file with accounts and their secrets (instead of the app's configuration)")
    parser.add_argument("--config-dir", metavar="DIR", type=Path,
                        help="the app's configuration directory (default: the platform's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--deadline", metavar="SECONDS", type=deadline_seconds, default=DEFAULT_DEADLINE_S,
                        help=deadline_help)


def seconds_option(option: str, low_s: float, high_s: float) -> Callable[[str], float]:
    """The argparse `type` of an option that takes seconds from `low_s` to `high_s`; it raises
    argparse.ArgumentTypeError naming `option` (NaN and infinities are out of range)."""
    def parse(text: str) -> float:
        try:
            seconds = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} must be a number of seconds, not {text!r}") from None
        if not low_s <= seconds <= high_s:  # NaN fails this too
            raise argparse.ArgumentTypeError(f"{option} must be from {low_s:g} to {high_s:g} seconds")
        return seconds

    return parse


deadline_seconds = seconds_option("--deadline", 0.1, MAX_DEADLINE_S)  # a request deadline


def load_accounts_file(path: Path) -> tuple[AccountSpec, ...]:
    """Accounts from a JSON file.

    May raise: AccountsFileError naming the file, entry and field at fault (never the secret).
    """
    try:
        document = load_json_file(path)
    except OSError as exc:
        raise AccountsFileError(f"cannot read accounts file {path}: {exc.strerror or exc}") from None
    except JsonInputError as exc:
        raise AccountsFileError(f"accounts file {exc}") from None
    entries = document.get("accounts") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise AccountsFileError(f"accounts file {path}: 'accounts' must be a non-empty list")
    specs: list[AccountSpec] = []
    for index, entry in enumerate(entries):
        where = f"accounts file {path}: accounts[{index}]"
        if not isinstance(entry, dict):
            raise AccountsFileError(f"{where} is not an object")
        for key in REQUIRED_KEYS:
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise AccountsFileError(f"{where}: '{key}' must be a non-empty string")
        try:
            environment = from_rest_url(entry["base_url"])
        except ValueError:
            raise AccountsFileError(f"{where}: 'base_url' is not an http(s) URL") from None
        key_type_text = entry.get("key_type", KeyType.HMAC.value)
        if key_type_text not in {k.value for k in KeyType}:
            raise AccountsFileError(f"{where}: 'key_type' must be 'hmac' or 'rsa'")
        name = entry["name"].strip()
        if any(s.name == name for s in specs):
            raise AccountsFileError(f"{where}: duplicate name {name!r}")
        credentials = Credentials(
            entry["api_key"].strip(), Secret(entry["api_secret"]), KeyType(key_type_text)
        )
        specs.append(AccountSpec(account_id=f"file-{index}", name=name, environment=environment,
                                 credentials=credentials))
    return tuple(specs)


def resolve_accounts(args: argparse.Namespace) -> tuple[AccountSpec, ...]:
    """The accounts the command works on.

    May raise: AccountsFileError.
    """
    if args.accounts is not None:
        return load_accounts_file(args.accounts)
    from desktop_app.storage.configured import configured_accounts
    from desktop_app.storage.errors import StorageError

    try:
        specs = configured_accounts(args.config_dir)
    except StorageError as exc:
        raise AccountsFileError(str(exc)) from None
    if not specs:
        raise AccountsFileError("no accounts configured: add one in the app, or pass --accounts FILE")
    return specs
