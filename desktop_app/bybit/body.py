"""Reading a response body within a byte cap.

httpx reads whatever the server sends. A broken proxy, a captive portal or a hostile endpoint can
send 50 MB (or a gzip bomb) where Bybit sends a few kilobytes; held in memory and parsed, that costs
hundreds of MB. The body is streamed instead and refused as soon as it passes the cap, counting the
decoded bytes, so a small compressed body that expands without end is refused too.
"""

from __future__ import annotations

import httpx

# Bybit's largest answers (instruments-info at limit 1000, option chains) are about 2 MB.
MAX_BODY_BYTES = 8 * 1024 * 1024


class BodyTooLarge(Exception):
    """The body is larger than the cap; `declared` when its Content-Length said so before reading."""

    def __init__(self, limit_bytes: int, *, declared: bool) -> None:
        super().__init__(f"more than {limit_bytes} bytes")
        self.limit_bytes = limit_bytes
        self.declared = declared


def size_text(n_bytes: int) -> str:
    """`8 MB` for a cap in a message (binary megabytes, as the cap is written)."""
    return f"{n_bytes / (1024 * 1024):g} MB" if n_bytes >= 1024 * 1024 else f"{n_bytes} bytes"


async def read_capped(response: httpx.Response, limit_bytes: int) -> bytes:
    """The whole (decoded) body of a streamed response, or BodyTooLarge once it passes `limit_bytes`.

    May raise: BodyTooLarge, httpx.TransportError (the connection broke while reading).
    """
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit_bytes:
        raise BodyTooLarge(limit_bytes, declared=True)
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > limit_bytes:
            raise BodyTooLarge(limit_bytes, declared=False)
        chunks.append(chunk)
    return b"".join(chunks)
