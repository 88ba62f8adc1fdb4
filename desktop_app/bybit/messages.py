"""User-facing error messages for Bybit failures, built from codes and numbers only.

Each message says what went wrong and what the user can do about it. None quotes request headers
or the secret. Bybit's own `retMsg` is quoted only for codes we do not explain ourselves, shortened,
and with the API key blanked out (10004 echoes `timestamp + key + recv_window + query`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from desktop_app.bybit.errors import BybitError

# Pseudo-codes of ours, next to the negative ones in errors.py: local problems found before any request.
BAD_CREDENTIALS = -104  # empty key/secret or an unreadable RSA private key
NO_CREDENTIALS = -105  # a private endpoint was called by a client without credentials

# retCodes worth retrying: Bybit-side timeouts, rate limits, restarts and overload.
RETRYABLE_RET_CODES = frozenset({10000, 10006, 10016, 429})

_MAX_QUOTED_CHARS = 160
# A request signature a server (or a proxy in front of it) may echo: HMAC-SHA256 as 64 hex digits,
# RSA-SHA256 as long base64. Quoting one would let whoever reads the message replay the request.
_SIGNATURES = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])|[A-Za-z0-9+/]{100,}={0,2}")
# Inside an echoed origin string a signature may be glued to the query; no run of 64 hex digits is
# anything else there (timestamp, key and recv_window together are ~35 characters, and a query has '=').
_SIGNATURES_GLUED = re.compile(r"[0-9a-fA-F]{64,}|[A-Za-z0-9+/]{100,}={0,2}")
_ORIGIN_STRING = re.compile(r"(origin_string\[)([^\]]*)(\])")
_REQ_TS = re.compile(r"req_timestamp\[(\d+)\]")
_SERVER_TS = re.compile(r"server_timestamp\[(\d+)\]")


def _fixed_message(ret_code: int, environment_label: str) -> str | None:
    messages = {
        10000: "Bybit timed out on its side; try again shortly",
        10003: (
            f"API key is invalid — or it belongs to another environment (a mainnet, testnet or demo-trading "
            f"key while the account is set to {environment_label}?) Check the environment and the key."
        ),
        10004: "signature rejected: the API secret does not match the key",
        10005: "permission denied for this key: give it read permission for this data (Contract, Unified)",
        10006: "Bybit's per-account rate limit was hit (too many requests); requests are being slowed down",
        10007: "Bybit could not authenticate this user; check the key and the account",
        10009: "Bybit refuses requests from this region",
        10010: "this IP is not in the key's whitelist: add this computer's public IP to the key on Bybit",
        10016: "Bybit reported a server error or is restarting; try again shortly",
        10017: "Bybit does not know this endpoint on this host (check the environment / base URL)",
        10028: "this data is available only for Unified Trading Accounts",
        33004: "API key expired: create a new key on Bybit and update the account",
        -2015: "API key expired: create a new key on Bybit and update the account",
        429: "Bybit is under high load (429); try again shortly",
    }
    return messages.get(ret_code)


def redact_signatures(text: str) -> str:
    """`text` with anything shaped like a request signature blanked, inside an echoed
    `origin_string[...]` and anywhere else."""
    text = _ORIGIN_STRING.sub(
        lambda m: m.group(1) + _SIGNATURES_GLUED.sub("[signature]", m.group(2)) + m.group(3), text)
    return _SIGNATURES.sub("[signature]", text)


def scrub(text: str, redact: Callable[[str], str] | None) -> str:
    """`text` shortened, with the credentials blanked by `redact` and signatures blanked, fit to quote
    in a message."""
    if redact is not None:
        text = redact(text)
    text = redact_signatures(" ".join(text.split()))
    return text if len(text) <= _MAX_QUOTED_CHARS else text[: _MAX_QUOTED_CHARS - 1] + "…"


def clock_off_message(ret_msg: str, recv_window_ms: int, local_offset_ms: int | None) -> str:
    """Text for a 10002 that survived a clock re-sync: how far off the request was, and why."""
    req = _REQ_TS.search(ret_msg)
    srv = _SERVER_TS.search(ret_msg)
    parts = []
    if req and srv:
        off_s = (int(req.group(1)) - int(srv.group(1))) / 1000
        parts.append(f"clock is off by {off_s:+.1f} s relative to Bybit (after re-sync)")
    else:
        parts.append("request timestamp rejected by Bybit: clock is off (after re-sync)")
    if local_offset_ms is not None:
        parts.append(f"this computer's clock differs from Bybit's by {-local_offset_ms / 1000:+.1f} s")
    parts.append(f"recv_window is {recv_window_ms} ms; sync the system clock (NTP) and check network delay")
    return "; ".join(parts)


def error_for_ret_code(
    ret_code: int, ret_msg: str, *, endpoint: str, environment_label: str,
    redact: Callable[[str], str] | None,
) -> BybitError:
    """The BybitError for a non-zero retCode (10002 is built by the caller, who knows the clock)."""
    fixed = _fixed_message(ret_code, environment_label)
    if fixed is None:
        quoted = scrub(ret_msg, redact) or "no message"
        if ret_code == 10001:
            fixed = f"Bybit rejected the request parameters: {quoted}"
        else:
            fixed = f"Bybit answered retCode {ret_code}: {quoted}"
    return BybitError(ret_code, f"{endpoint}: {fixed}", retryable=ret_code in RETRYABLE_RET_CODES,
                      endpoint=endpoint)


def http_status_message(status: int) -> str:
    """Text for a non-200 HTTP status that carries no Bybit envelope."""
    if status == 401:
        return "Bybit refused the request (HTTP 401): missing or malformed API key headers"
    if status == 404:
        return "not found (HTTP 404): wrong base URL, or a category that does not match the account mode"
    if status == 429:
        return "Bybit is protecting itself from load (HTTP 429); try again shortly"
    if status >= 500:
        return f"Bybit server error (HTTP {status}); try again shortly"
    return f"unexpected HTTP status {status} from Bybit"


def ban_message(host: str, until_text: str) -> str:
    """Text for HTTP 403: the host has rate-limited or banned this IP."""
    return (
        f"{host} answered HTTP 403: this IP is rate-limited or banned by Bybit (too many requests, or a "
        f"forbidden region). No more requests to this host until {until_text}."
    )
