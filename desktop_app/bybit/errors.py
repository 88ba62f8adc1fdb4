"""The one error family the Bybit client raises.

Every failure a caller can see is a `BybitError`: transport failures, Bybit's own retCodes, HTTP
bans and unparseable bodies. Messages are written for the user ("the clock is off by 3.2 s") and
never contain a secret: the client builds them from codes and numbers, not from request headers.
"""

from __future__ import annotations

# retCodes and pseudo-codes (negative values are ours, not Bybit's).
TRANSPORT_ERROR = -100  # connection refused, DNS, TLS
TIMEOUT = -101
HTTP_FORBIDDEN = -403  # IP rate limit ban or forbidden region
HTTP_STATUS = -102  # any other non-200 status
MALFORMED = -103  # body is not Bybit's envelope
# -104 and -105 are messages.BAD_CREDENTIALS and NO_CREDENTIALS.
BODY_TOO_LARGE = -106  # the answer passed the body cap (body.MAX_BODY_BYTES)
IMPLAUSIBLE = -107  # well-formed figures no exchange would send (plausible.py)


class BybitError(Exception):
    """A request to Bybit failed. `ret_code` is Bybit's retCode, or one of the negative codes above."""

    def __init__(self, ret_code: int, message: str, *, retryable: bool = False, endpoint: str = "") -> None:
        super().__init__(message)
        self.ret_code = ret_code
        self.message = message
        self.retryable = retryable
        self.endpoint = endpoint

    def __str__(self) -> str:
        prefix = f"[{self.ret_code}] " if self.ret_code > 0 else ""
        return f"{prefix}{self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ret_code={self.ret_code}, message={self.message!r})"


class BybitParseError(BybitError):
    """A response did not have the shape Bybit documents; the message names the field."""

    def __init__(self, message: str, *, endpoint: str = "") -> None:
        super().__init__(MALFORMED, message, retryable=False, endpoint=endpoint)


class BybitBanError(BybitError):
    """HTTP 403: the host refuses this IP. The client stops calling that host until `until_ms`."""

    def __init__(self, message: str, *, until_ms: int, endpoint: str = "") -> None:
        super().__init__(HTTP_FORBIDDEN, message, retryable=False, endpoint=endpoint)
        self.until_ms = until_ms
