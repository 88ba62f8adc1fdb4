"""Server-side request authentication and rate limiting, as Bybit does it (SIGNING_VECTORS.md §8).

The signature is checked over `timestamp + apiKey + recvWindow + raw query string exactly as received`,
so any client ordering or encoding works as long as it signed the bytes it sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections import deque
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from desktop_app.exchange_sim.accounts import SimAccount


@dataclass(frozen=True, slots=True)
class AuthFailure:
    ret_code: int
    ret_msg: str


def check_request(account: SimAccount | None, headers: dict[str, str], raw_query: str, server_ms: int,
                  client_ip: str) -> AuthFailure | None:
    """None when the request may proceed, else Bybit's error: 10003, 10002, 10004, 10010 (in that order)."""
    if account is None:
        return AuthFailure(10003, "API key is invalid.")
    ts_text = headers.get("x-bapi-timestamp", "")
    rw_text = headers.get("x-bapi-recv-window", "")
    try:
        ts = int(ts_text)
        recv_window = int(rw_text) if rw_text else 5000
    except ValueError:
        ts, recv_window = -1, 5000
    if not server_ms - recv_window <= ts < server_ms + 1000:
        return AuthFailure(10002, "invalid request, please check your server timestamp or recv_window param. "
                                  f"req_timestamp[{ts_text}],server_timestamp[{server_ms}],"
                                  f"recv_window[{recv_window}]")
    origin = ts_text + account.api_key + rw_text + raw_query
    if not verify_signature(account, origin, headers.get("x-bapi-sign", "")):
        return AuthFailure(10004, f"error sign! origin_string[{origin}]")
    if "*" not in account.ip_whitelist and client_ip not in account.ip_whitelist:
        return AuthFailure(10010, "Unmatched IP, please check your API key's bound IP addresses.")
    return None


def verify_signature(account: SimAccount, origin: str, signature: str) -> bool:
    """HMAC-SHA256 lowercase hex (case-insensitive), or RSA PKCS#1 v1.5 / SHA-256 in base64."""
    if account.key_type == "rsa":
        public_key = _public_key(account.rsa_public_key)
        try:
            public_key.verify(base64.b64decode(signature, validate=True), origin.encode(),
                              padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
    expected = hmac.new(account.api_secret.encode(), origin.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


_KEYS: dict[str, rsa.RSAPublicKey] = {}


def _public_key(pem: str) -> rsa.RSAPublicKey:
    key = _KEYS.get(pem)
    if key is None:
        loaded = serialization.load_pem_public_key(pem.encode())
        if not isinstance(loaded, rsa.RSAPublicKey):
            raise TypeError("demo RSA key is not RSA")
        key = _KEYS[pem] = loaded
    return key


@dataclass(frozen=True, slots=True)
class LimitStatus:
    allowed: bool
    limit: int
    remaining: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        return {"X-Bapi-Limit": str(self.limit), "X-Bapi-Limit-Status": str(self.remaining),
                "X-Bapi-Limit-Reset-Timestamp": str(self.reset_ms)}


class UidLimiter:
    """Per-UID, per-endpoint rolling 1 s windows (REFERENCE §5). Rejected calls do not count."""

    def __init__(self) -> None:
        self._hits: dict[tuple[int, str], deque[int]] = {}
        self._lock = threading.Lock()

    def hit(self, uid: int, path: str, limit: int, now_ms: int) -> LimitStatus:
        with self._lock:
            hits = self._hits.setdefault((uid, path), deque())
            while hits and hits[0] <= now_ms - 1000:
                hits.popleft()
            if len(hits) >= limit:
                return LimitStatus(False, limit, 0, hits[0] + 1000)
            hits.append(now_ms)
            return LimitStatus(True, limit, limit - len(hits), now_ms)


class IpLimiter:
    """Requests per IP in a rolling window; breaching it bans the IP (HTTP 403) for `ban_s`."""

    def __init__(self, max_requests: int = 600, window_s: float = 5.0, ban_s: float = 600.0) -> None:
        self.max_requests = max_requests
        self.window_s = window_s
        self.ban_s = ban_s
        self._hits: dict[str, deque[float]] = {}
        self._banned_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, ip: str, now_s: float) -> bool:
        with self._lock:
            if self._banned_until.get(ip, 0.0) > now_s:
                return False
            hits = self._hits.setdefault(ip, deque())
            while hits and hits[0] <= now_s - self.window_s:
                hits.popleft()
            if len(hits) >= self.max_requests:
                self._banned_until[ip] = now_s + self.ban_s
                hits.clear()
                return False
            hits.append(now_s)
            return True

    def unban_all(self) -> None:
        with self._lock:
            self._banned_until.clear()
            self._hits.clear()
