"""API credentials. The secret is typed so that it cannot leak through `repr`, `str` or logging."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class KeyType(StrEnum):
    HMAC = "hmac"  # system-generated key: HMAC-SHA256, lowercase hex
    RSA = "rsa"  # self-generated key: RSASSA-PKCS1-v1_5 / SHA-256, base64; the secret is a PEM private key


class Secret:
    """Holds a secret string; every textual form of it is redacted."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself. Call only where it is used: signing and the keyring."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the secret somewhere we do not control.
        raise TypeError("Secret cannot be pickled")


@dataclass(frozen=True, slots=True)
class Credentials:
    api_key: str
    secret: Secret
    key_type: KeyType = KeyType.HMAC

    def __repr__(self) -> str:
        key = redact_key(self.api_key)
        return f"Credentials(api_key={key!r}, secret=***, key_type={self.key_type.value})"

    __str__ = __repr__


def redact_key(api_key: str) -> str:
    """An API key shortened for display: enough to recognise it, not enough to use it."""
    if len(api_key) <= 6:
        return "***"
    return f"{api_key[:4]}…{api_key[-2:]}"
