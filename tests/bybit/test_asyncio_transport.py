"""The asyncio transport: HTTP through httpx as before, an idle connection the server closed is not
reused, timeouts and refused connections are httpx's exceptions."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

import httpx
import pytest

from desktop_app.bybit.transport import AsyncioBackend, AsyncioTransport
from desktop_app.tls import context_for

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=30.0)
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AsyncioTransport(ssl_context=context_for("http://x"), limits=LIMITS))


async def _serve(handler) -> tuple[asyncio.Server, str]:  # type: ignore[no-untyped-def]
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def test_an_idle_connection_closed_by_the_server_is_not_reused() -> None:
    connections: list[int] = []

    async def once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(OK)
        await writer.drain()
        writer.close()  # keep-alive announced (HTTP/1.1), then the server hangs up anyway

    async def go() -> list[int]:
        server, url = await _serve(once_then_close)
        async with server, _client() as client:
            first = await client.get(url)
            await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
            second = await client.get(url)
            assert isinstance(client._transport._pool._network_backend, AsyncioBackend)  # type: ignore[attr-defined]
            return [first.status_code, second.status_code]

    assert asyncio.run(go()) == [200, 200]
    assert len(connections) == 2  # a new connection for the second request, no error


def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def go() -> None:
        server, url = await _serve(silent)
        async with server, _client() as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(url, timeout=httpx.Timeout(0.2))
        closed = url  # the server is closed now: nothing listens on its port
        async with _client() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(closed, timeout=httpx.Timeout(2.0))

    asyncio.run(go())


def _self_signed(tmp_path) -> tuple[ssl.SSLContext, ssl.SSLContext]:  # type: ignore[no-untyped-def]
    """(server context, client context trusting only that server's certificate for 127.0.0.1)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "riskdesk-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


def test_https_goes_through_tls_and_a_certificate_nobody_trusts_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server_context, client_context = _self_signed(tmp_path)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ssl.SSLError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(OK)
                await writer.drain()

    async def go() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/v5/market/time"
        async with server:
            transport = AsyncioTransport(ssl_context=client_context, limits=LIMITS)
            async with httpx.AsyncClient(transport=transport) as client:
                for _ in range(2):  # the second request reuses the TLS connection
                    response = await client.get(url)
                    assert (response.status_code, response.json()) == (200, {})
            # The process's context trusts public CAs, not this certificate: no request is sent.
            untrusting = AsyncioTransport(ssl_context=ssl.create_default_context(), limits=LIMITS)
            async with httpx.AsyncClient(transport=untrusting) as client:
                with pytest.raises(httpx.ConnectError):
                    await client.get(url)

    asyncio.run(go())
