"""One TLS context per process: every client shares it; plain http builds none."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest

from desktop_app import tls
from desktop_app.bybit.http import HttpPool


def _context(client: httpx.AsyncClient) -> ssl.SSLContext:
    return client._transport._pool._ssl_context  # type: ignore[attr-defined]


def test_clients_of_every_key_share_one_verifying_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = httpx.create_ssl_context
    monkeypatch.setattr(tls, "_verifying", None)
    monkeypatch.setattr(httpx, "create_ssl_context", lambda *a, **k: built.append(1) or real(*a, **k))
    pool = HttpPool()
    try:
        plain = pool.client_for("http://127.0.0.1:9", "key-1")
        assert built == []  # plain http: no certificate bundle is loaded
        assert _context(plain).cert_store_stats()["x509_ca"] == 0  # and nothing could be verified
        assert _context(plain).verify_mode is ssl.CERT_REQUIRED
        one, two = (pool.client_for("https://api.bybit.com", key) for key in ("key-1", "key-2"))
        other_host = pool.client_for("https://api-testnet.bybit.com", "key-3")
        assert _context(one) is _context(two) is _context(other_host) is tls.shared_ssl_context()
        assert _context(one).verify_mode is ssl.CERT_REQUIRED and _context(one).check_hostname
        assert built == [1]  # loaded once for the process
    finally:
        asyncio.run(pool.aclose())
