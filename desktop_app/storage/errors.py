"""Errors of the storage layer. Their messages are shown to the user, so they never carry a secret."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by `desktop_app.storage`."""


class ConfigError(StorageError, ValueError):
    """Account or settings values that cannot be saved; `field` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class SecretStoreError(StorageError):
    """The OS keyring refused or failed an operation. The message is safe to show and log."""


class MissingSecretError(SecretStoreError):
    """No secret is stored under the requested name (for example after the keyring was reset)."""
