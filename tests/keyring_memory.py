"""An in-memory keyring backend and a pytest fixture that installs it, for any test that stores secrets.

Use it from a test package with `from tests.keyring_memory import memory_keyring  # noqa: F401`
(or list "tests.keyring_memory" in the root conftest's `pytest_plugins`), then request `memory_keyring`.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Keeps passwords in a dict; behaves like a real backend (delete of a missing entry raises).

    Set `fail_with` to an exception to make every operation raise it (to test keyring failures).
    """

    priority = 1  # type: ignore[assignment]  # a plain number is enough for a backend set explicitly

    def __init__(self) -> None:
        super().__init__()
        self._passwords: dict[tuple[str, str], str] = {}
        self.fail_with: BaseException | None = None

    @property
    def entries(self) -> dict[tuple[str, str], str]:
        """A copy of everything stored, keyed by (service, username)."""
        return dict(self._passwords)

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail()
        return self._passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()
        self._passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()
        try:
            del self._passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("Password not found") from None

    def _maybe_fail(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Installs a fresh MemoryKeyring as the process-wide backend; restores the previous one after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
