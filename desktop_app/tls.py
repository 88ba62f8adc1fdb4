"""One TLS context for the whole process, built on first use.

Building a verifying context loads the certificate bundle: ~20-25 ms, and httpx does it for every new
client unless it is handed a context. RiskDesk keeps one HTTP client per API key, so a report of 20
accounts paid for 20 bundles before its first request. An `ssl.SSLContext` may be shared by any
number of connections and threads once configured, so every client (Bybit's REST pool, Telegram, the
WebSocket streams) shares this one. A client that only speaks plain http (the simulator on loopback)
gets a context without trust anchors, which costs nothing and could verify no server if it were used.
"""

from __future__ import annotations

import ssl
import threading

_lock = threading.Lock()
_verifying: ssl.SSLContext | None = None
_unused: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """The process's verifying context (httpx's defaults: certifi's bundle, or SSL_CERT_FILE /
    SSL_CERT_DIR when set), built once."""
    global _verifying
    with _lock:
        if _verifying is None:
            import httpx  # here, not at import time: the CLI's start-up pays for what it uses

            _verifying = httpx.create_ssl_context()
        return _verifying


def context_for(url: str) -> ssl.SSLContext:
    """The context a client of `url` needs: the shared verifying one for https/wss; for plain http a
    context with no trust anchors (httpx wants one; it is never used, and would accept no server)."""
    if url.lower().startswith(("https:", "wss:")):
        return shared_ssl_context()
    global _unused
    with _lock:
        if _unused is None:
            _unused = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with nothing to verify against
        return _unused
