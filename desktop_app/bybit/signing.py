"""Bybit V5 request signing (REST and WebSocket auth), byte for byte as Bybit verifies it.

Bybit signs `timestamp + api_key + recv_window + payload`, where `payload` is the raw query string
exactly as it travels on the wire. So the client builds the query string itself (sorted keys, no
URL-encoding, values already formatted as strings), signs that string, and sends the very same bytes
in the URL. Letting httpx encode `params=` would turn `,` into `%2C` and `%` into `%25` after signing,
and Bybit would answer 10004.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING

from desktop_app.bybit.errors import BybitError
from desktop_app.bybit.messages import BAD_CREDENTIALS
from desktop_app.domain.credentials import Credentials, KeyType, redact_key

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

SIGN_TYPE_HMAC_OR_RSA = "2"  # X-BAPI-SIGN-TYPE sent by pybit and Bybit's own examples for both key types


def build_query(params: Mapping[str, str | None]) -> str:
    """The query string to sign and send: keys sorted by code point, `None` dropped, nothing encoded.

    Values must already be strings (`"200"`, not 200): `str()` of a float or bool would produce
    Python spellings (`1e-05`, `True`) that Bybit does not expect.
    May raise: TypeError when a value is not a string.
    """
    parts: list[str] = []
    for key in sorted(params):
        value = params[key]
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"query value for {key!r} must be a formatted str, not {type(value).__name__}")
        parts.append(f"{key}={value}")
    return "&".join(parts)


def string_to_sign(timestamp_ms: int, api_key: str, recv_window_ms: int, payload: str) -> str:
    """`timestamp + api_key + recv_window + payload`, the origin string Bybit recomputes."""
    return f"{timestamp_ms}{api_key}{recv_window_ms}{payload}"


def ws_auth_payload(expires_ms: int) -> str:
    """The string a private WebSocket `auth` op signs; `expires_ms` must lie in the future."""
    return f"GET/realtime{expires_ms}"


def hmac_sha256_hex(secret: str, message: str) -> str:
    """HMAC-SHA256 of `message` keyed with `secret`, lowercase hex (system-generated keys)."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=32)
def load_rsa_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parse an unencrypted PEM RSA private key, once per process: parsing checks the key (~36 ms of
    CPU holding the GIL, a stall of the window) and the account's REST client, its private stream and
    the journal's sync each need it. A key object signs from any thread. A failure is not cached.

    May raise: BybitError (BAD_CREDENTIALS) when the text is not such a key. The message never
    quotes the text, which is the secret.
    """
    # Imported here: only RSA keys need it, and a command with HMAC keys starts faster without.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # `from None`: the original exception could carry parts of the PEM in its context.
        raise BybitError(
            BAD_CREDENTIALS,
            "the RSA private key could not be read: paste the whole unencrypted PEM private key "
            "(-----BEGIN PRIVATE KEY----- ...) as the secret",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BybitError(BAD_CREDENTIALS, "the private key is not an RSA key (Bybit self-generated keys are)")
    return key


def rsa_sha256_b64(private_key: rsa.RSAPrivateKey, message: str) -> str:
    """RSASSA-PKCS1-v1_5 / SHA-256 signature of `message`, standard padded base64 (self-generated keys)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = private_key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


class Signer:
    """Signs for one credential. Parses an RSA key once, because parsing costs more than signing."""

    __slots__ = ("_credentials", "_rsa_key")

    def __init__(self, credentials: Credentials) -> None:
        """May raise: BybitError (BAD_CREDENTIALS) for an unreadable RSA key or an empty key/secret."""
        if not credentials.api_key.strip() or not credentials.secret.reveal().strip():
            raise BybitError(BAD_CREDENTIALS, "the API key or secret is empty")
        self._credentials = credentials
        self._rsa_key: rsa.RSAPrivateKey | None = None
        if credentials.key_type is KeyType.RSA:
            self._rsa_key = load_rsa_private_key(credentials.secret.reveal())

    @property
    def api_key(self) -> str:
        return self._credentials.api_key

    def sign(self, message: str) -> str:
        """Signature of `message`: hex for HMAC keys, base64 for RSA keys."""
        if self._rsa_key is not None:
            return rsa_sha256_b64(self._rsa_key, message)
        return hmac_sha256_hex(self._credentials.secret.reveal(), message)

    def headers(self, timestamp_ms: int, recv_window_ms: int, payload: str) -> dict[str, str]:
        """The authentication headers for a request whose query string (or body) is `payload`."""
        origin = string_to_sign(timestamp_ms, self.api_key, recv_window_ms, payload)
        return {
            "X-BAPI-API-KEY": self.api_key,
            "X-BAPI-TIMESTAMP": str(timestamp_ms),
            "X-BAPI-SIGN": self.sign(origin),
            "X-BAPI-RECV-WINDOW": str(recv_window_ms),
            "X-BAPI-SIGN-TYPE": SIGN_TYPE_HMAC_OR_RSA,
        }

    def redact(self, text: str) -> str:
        """`text` with this credential's key and secret blanked (for quoting Bybit's messages)."""
        secret = self._credentials.secret.reveal()
        return text.replace(secret, "***").replace(self.api_key, redact_key(self.api_key))

    def __repr__(self) -> str:
        return f"Signer(api_key={redact_key(self.api_key)!r}, key_type={self._credentials.key_type.value})"

    __str__ = __repr__
