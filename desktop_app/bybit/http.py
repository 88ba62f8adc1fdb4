"""HttpPool: the one place where RiskDesk talks HTTP to Bybit.

`HttpPool.request` is the single choke point: it waits for rate-limit slots, signs with a
server-aligned timestamp, sends, reads the rate-limit headers, retries what is worth retrying and
turns every failure into exactly one `BybitError`. One `httpx.AsyncClient` per base URL is kept
for the life of the pool (HTTP/1.1 keep-alive; a new client costs ~30 ms, plus a new TLS handshake).

Every request has a total deadline (`deadline_s`, retries and body included): httpx's timeouts
apply per read, so a server that trickles a byte a second would otherwise never time out. Bodies
are read within a byte cap (body.py).
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from desktop_app.bybit import messages
from desktop_app.bybit.body import MAX_BODY_BYTES, BodyTooLarge, read_capped, size_text
from desktop_app.bybit.clock import DEFAULT_RESYNC_AFTER_S, HostClock, NowMs, system_now_ms
from desktop_app.bybit.errors import (
    BODY_TOO_LARGE,
    HTTP_STATUS,
    TIMEOUT,
    TRANSPORT_ERROR,
    BybitBanError,
    BybitError,
    BybitParseError,
)
from desktop_app.bybit.parse import Envelope, parse_envelope, parse_server_time_ms
from desktop_app.bybit.ratelimit import Monotonic, RateLimits, Sleep, SlidingWindowLimiter, process_ip_limiter
from desktop_app.bybit.signing import Signer, build_query
from desktop_app.bybit.transport import AsyncioTransport
from desktop_app.tls import context_for

log = logging.getLogger(__name__)

SERVER_TIME_PATH = "/v5/market/time"
DEFAULT_BAN_S = 600.0  # Bybit: "wait at least 10 minutes" after an IP ban
DEFAULT_DEADLINE_S = 15.0  # one request, retries and body included
_URL_CACHE_SIZE = 1024  # parsed URLs kept; a refresh of 20 accounts uses ~100 distinct ones
# asyncio already sets TCP_NODELAY on TCP transports; stating it keeps a keep-alive request on
# loopback from waiting ~40 ms for Nagle + delayed ACK should that default ever change.
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. Delays are small by default because the monitor polls again soon anyway."""

    max_attempts: int = 4  # first try included
    base_delay_s: float = 0.25  # backoff: base * 2**(n-1), times a jitter factor in [0.5, 1.0)
    max_delay_s: float = 2.0
    max_reset_wait_s: float = 2.0  # cap on one wait for Bybit's rate-limit reset (10006, Limit-Status 0)


class _NoCookies(httpx.Cookies):
    """A cookie store that ignores every Set-Cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class HttpPool:
    """Shared HTTP state for all clients: connections, clocks, bans and rate limiters, per host."""

    def __init__(self, *, timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
                 rng: random.Random | None = None, retry: RetryPolicy | None = None,
                 ban_s: float = DEFAULT_BAN_S, now_ms: NowMs = system_now_ms,
                 monotonic: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep,
                 ip_limiter: SlidingWindowLimiter | None = None,
                 resync_after_s: float = DEFAULT_RESYNC_AFTER_S, deadline_s: float = DEFAULT_DEADLINE_S,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        """`timeout_s` bounds each connect and read; `deadline_s` the whole request. May raise:
        ValueError (a deadline that is not a positive number of seconds)."""
        if not deadline_s > 0 or deadline_s == float("inf"):
            raise ValueError("deadline_s must be a positive number of seconds")
        self.timeout_s = timeout_s
        self.deadline_s = float(deadline_s)
        self.max_body_bytes = max_body_bytes
        self._transport = transport
        self._rng = rng or random.Random()
        self.retry = retry or RetryPolicy()
        self._ban_s = ban_s
        self._now_ms = now_ms
        self._sleep = sleep
        self._resync_after_s = resync_after_s
        if ip_limiter is None and monotonic is time.monotonic:
            ip_limiter = process_ip_limiter()  # Bybit counts per IP, so all pools share one
        self.limits = RateLimits(ip=ip_limiter, monotonic=monotonic, sleep=sleep)
        self._clients: dict[tuple[str, str | None], httpx.AsyncClient] = {}
        self._clocks: dict[str, HostClock] = {}
        self._banned_until_ms: dict[str, int] = {}
        self._urls: dict[str, httpx.URL] = {}

    # ----- per-host state -------------------------------------------------------------------------

    def client_for(self, base_url: str, api_key: str | None = None) -> httpx.AsyncClient:
        """The reused AsyncClient of `base_url` and one key (created on first use).

        Each key (and unsigned market data) gets its own small connection pool: httpcore 1.0's pool
        does O(connections²) bookkeeping on every request start and end, so one pool of ~120
        connections for 20 accounts cost seconds of CPU per refresh; pools of a few connections cost
        nothing. An injected transport is shared anyway, so it gets one client per base URL.
        """
        key = (base_url, api_key if self._transport is None else None)
        client = self._clients.get(key)
        if client is None:
            # One TLS context per process (tls.py): a context of its own cost each client ~21 ms.
            # On asyncio's own streams (transport.py): anyio's layer cost a third of a refresh's CPU.
            transport = self._transport or AsyncioTransport(
                ssl_context=context_for(base_url), socket_options=_SOCKET_OPTIONS,
                limits=httpx.Limits(max_connections=16, max_keepalive_connections=16, keepalive_expiry=30.0),
            )
            # No pool timeout: waiting for a free connection of our own is not Bybit being slow.
            timeout = httpx.Timeout(min(self.timeout_s, self.deadline_s), pool=None)
            client = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False,
                                       headers={"Accept": "application/json"}, verify=context_for(base_url))
            # httpx has no switch for cookies, and its http.cookiejar bridge costs ~0.5 ms of CPU per
            # response: 40% of the client's work in a refresh. Bybit authenticates by signed headers;
            # a cookie would only be state we did not ask for, so none is kept.
            client._cookies = _NoCookies()
            self._clients[key] = client
        return client

    def clock_for(self, base_url: str) -> HostClock:
        clock = self._clocks.get(base_url)
        if clock is None:
            clock = self._clocks[base_url] = HostClock(self._now_ms)
        return clock

    def banned_until_ms(self, base_url: str) -> int | None:
        """Local epoch ms until which `base_url` is not called (after an HTTP 403), else None."""
        until = self._banned_until_ms.get(base_url)
        return until if until is not None and until > self._now_ms() else None

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _parsed_url(self, url: str) -> httpx.URL:
        """`url` parsed once: a poll asks the same few URLs every time, and httpx parses a string
        URL twice per request (~5% of the client's CPU). httpx.URL is immutable, so sharing is safe."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()  # cursors make URLs that never come back; start over rather than grow
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    # ----- requests -------------------------------------------------------------------------------

    async def request(self, base_url: str, path: str, params: Mapping[str, str | None] | None = None, *,
                      signer: Signer | None = None, recv_window_ms: int = 5000,
                      environment_label: str = "") -> Envelope:
        """GET `path` on `base_url`; signed when `signer` is given. Returns the retCode-0 envelope.

        May raise: BybitBanError (HTTP 403, or the host is still banned), BybitParseError (body is not
        Bybit's envelope), BybitError (everything else, after retries where retrying makes sense).
        """
        envelope, _, _ = await self._request(base_url, path, params or {}, signer, recv_window_ms,
                                             environment_label)
        return envelope

    async def sync_clock(self, base_url: str) -> HostClock:
        """Measure the offset to `base_url`'s clock now. May raise: BybitError."""
        clock = self.clock_for(base_url)
        envelope, sent_ms, received_ms = await self._request(base_url, SERVER_TIME_PATH, {}, None, 0, "")
        clock.record(sent_ms, received_ms, parse_server_time_ms(envelope.result))
        log.debug("clock of %s: offset %+d ms, round trip %s ms", base_url, clock.offset_ms,
                  clock.round_trip_ms)
        return clock

    async def _synced_clock(self, base_url: str) -> HostClock:
        clock = self.clock_for(base_url)
        if clock.needs_sync(self._resync_after_s):
            async with clock.lock:  # concurrent first requests share one measurement
                if clock.needs_sync(self._resync_after_s):
                    await self.sync_clock(base_url)
        return clock

    async def _request(self, base_url: str, path: str, params: Mapping[str, str | None],
                       signer: Signer | None, recv_window_ms: int,
                       environment_label: str) -> tuple[Envelope, int, int]:
        deadline_at = asyncio.get_running_loop().time() + self.deadline_s
        attempts = _Attempts()
        try:
            async with asyncio.timeout_at(deadline_at):
                return await self._attempts(base_url, path, params, signer, recv_window_ms,
                                            environment_label, deadline_at, attempts)
        except TimeoutError:
            last = "" if attempts.last is None else f" (before that: {_without_path(attempts.last, path)})"
            raise BybitError(TIMEOUT, f"{path}: no complete answer within {self.deadline_s:g} s; the "
                             f"server is too slow or stalled{last}", endpoint=path) from None

    async def _attempts(self, base_url: str, path: str, params: Mapping[str, str | None],
                        signer: Signer | None, recv_window_ms: int, environment_label: str,
                        deadline_at: float, attempts: _Attempts) -> tuple[Envelope, int, int]:
        query = build_query(params)
        # The signed string and the URL carry the same bytes: never `params=`, which would re-encode.
        url = self._parsed_url(f"{base_url}{path}?{query}" if query else f"{base_url}{path}")
        api_key = signer.api_key if signer is not None else None
        attempt = 0
        resynced = False
        while True:
            self._raise_if_banned(base_url, path)
            await self.limits.acquire(base_url, api_key, path)
            self._raise_if_banned(base_url, path)  # a ban may have begun while this request waited
            headers: dict[str, str] | None = None
            generation = 0
            if signer is not None:
                clock = await self._synced_clock(base_url)
                generation = clock.generation
                headers = signer.headers(clock.server_now_ms(), recv_window_ms, query)
            sent_ms = self._now_ms()
            delay_s: float | None = None
            try:
                async with self.client_for(base_url, api_key).stream("GET", url, headers=headers) as response:
                    body = await read_capped(response, self.max_body_bytes)
            except BodyTooLarge as exc:
                # The same URL would send the same flood again: not retried.
                when = "announced" if exc.declared else "sent"
                raise BybitError(BODY_TOO_LARGE, f"{path}: the server {when} an answer larger than "
                                 f"{size_text(exc.limit_bytes)}; refused (Bybit's are far smaller: a proxy "
                                 f"or a wrong base URL?)", endpoint=path) from None
            except httpx.TimeoutException:
                error = BybitError(TIMEOUT, f"{path}: Bybit did not answer within {self.timeout_s:g} s",
                                   retryable=True, endpoint=path)
            except httpx.TransportError as exc:
                # Refused/reset connections are transient (a keep-alive connection closed by the
                # server is the common case); the class name is enough, the text may hold the URL.
                error = BybitError(TRANSPORT_ERROR, f"{path}: could not reach {_host(base_url)} "
                                   f"({type(exc).__name__})", retryable=True, endpoint=path)
            else:
                received_ms = self._now_ms()
                reset_wait_s = self._note_limit_headers(base_url, api_key, path, response.headers)
                redact = _redactor(signer, headers)
                outcome = self._classify(base_url, path, response.status_code, body, redact,
                                         environment_label)
                if isinstance(outcome, Envelope):
                    return outcome, sent_ms, received_ms
                error = outcome
                if error.ret_code == 10002:
                    if resynced:
                        local_offset = self.clock_for(base_url).offset_ms
                        raise BybitError(10002, f"{path}: " + messages.clock_off_message(
                            error.message, recv_window_ms, local_offset), endpoint=path)
                    resynced = True
                    self.clock_for(base_url).invalidate(generation)
                    log.info("%s: timestamp rejected (10002); re-syncing the clock of %s", path, base_url)
                    continue  # the one re-sync does not use up a retry
                if error.ret_code == 10006:
                    # Wait for Bybit's reset (capped) rather than a blind backoff.
                    delay_s = reset_wait_s if reset_wait_s is not None else 1.0
                    delay_s = min(delay_s, self.retry.max_reset_wait_s)
                    limiter = self.limits.for_endpoint(base_url, api_key, path)
                    if limiter is not None:
                        limiter.block_for(delay_s)
            if not error.retryable:
                raise error
            attempts.last = error
            attempt += 1
            if attempt >= self.retry.max_attempts:
                raise error
            if delay_s is None:
                delay_s = self._backoff_s(attempt)
            if asyncio.get_running_loop().time() + delay_s >= deadline_at:
                raise error  # the retry could not finish before the deadline: say what failed
            log.debug("%s: %s; retry %d in %.2f s", path, error, attempt, delay_s)
            await self._sleep(delay_s)

    def _classify(self, base_url: str, path: str, status: int, body: bytes,
                  redact: Callable[[str], str] | None, environment_label: str) -> Envelope | BybitError:
        """Envelope on success; a BybitError to raise or retry otherwise (BybitBanError is raised)."""
        if status == 403:
            until_ms = self._now_ms() + int(self._ban_s * 1000)
            self._banned_until_ms[base_url] = until_ms
            raise BybitBanError(f"{path}: " + messages.ban_message(_host(base_url), _local_time(until_ms)),
                                until_ms=until_ms, endpoint=path)
        if status != 200:
            retryable = status == 429 or status >= 500
            if not retryable:
                # Some 4xx carry Bybit's envelope; its retCode says more than the status does.
                try:
                    envelope = parse_envelope(body)
                except BybitParseError:
                    envelope = None
                if envelope is not None and envelope.ret_code != 0:
                    return messages.error_for_ret_code(envelope.ret_code, envelope.ret_msg, endpoint=path,
                                                       environment_label=environment_label, redact=redact)
            return BybitError(HTTP_STATUS, f"{path}: {messages.http_status_message(status)}",
                              retryable=retryable, endpoint=path)
        try:
            envelope = parse_envelope(body)
        except BybitParseError as exc:  # its message may quote the body: blank what a server echoed
            return BybitParseError(f"{path}: {messages.scrub(exc.message, redact)}", endpoint=path)
        if envelope.ret_code == 0:
            return envelope
        if envelope.ret_code == 10002:
            # Kept raw here: the caller re-syncs, and only quotes the numbers if that did not help.
            return BybitError(10002, envelope.ret_msg, endpoint=path)
        return messages.error_for_ret_code(envelope.ret_code, envelope.ret_msg, endpoint=path,
                                           environment_label=environment_label, redact=redact)

    def _note_limit_headers(self, base_url: str, api_key: str | None, path: str,
                            headers: httpx.Headers) -> float | None:
        """Seconds until Bybit's limit resets if its headers say the quota is spent, else None.
        Also blocks the endpoint's limiter until then. httpx headers are case-insensitive."""
        remaining = _int_header(headers, "X-Bapi-Limit-Status")
        reset_ms = _int_header(headers, "X-Bapi-Limit-Reset-Timestamp")
        if reset_ms is None:
            return None
        wait_s = (reset_ms - self.clock_for(base_url).server_now_ms()) / 1000
        wait_s = min(max(0.0, wait_s), self.retry.max_reset_wait_s)
        if remaining is not None and remaining <= 0:
            limiter = self.limits.for_endpoint(base_url, api_key, path)
            if limiter is not None:
                limiter.block_for(wait_s)
        return wait_s

    def _backoff_s(self, attempt: int) -> float:
        base = min(self.retry.max_delay_s, self.retry.base_delay_s * 2 ** (attempt - 1))
        return base * (0.5 + self._rng.random() / 2)  # jitter: concurrent retries do not stay in step

    def _raise_if_banned(self, base_url: str, path: str) -> None:
        until_ms = self.banned_until_ms(base_url)
        if until_ms is not None:
            raise BybitBanError(f"{path}: " + messages.ban_message(_host(base_url), _local_time(until_ms)),
                                until_ms=until_ms, endpoint=path)


class _Attempts:
    """What the attempts of one request have seen so far (the deadline's message quotes it)."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: BybitError | None = None


def _without_path(error: BybitError, path: str) -> str:
    return str(error).replace(f"{path}: ", "", 1)


def _redactor(signer: Signer | None, headers: Mapping[str, str] | None) -> Callable[[str], str] | None:
    """Blanks the credentials and this request's signature out of text the server echoes."""
    if signer is None:
        return None
    signature = (headers or {}).get("X-BAPI-SIGN")

    def redact(text: str) -> str:
        text = signer.redact(text)
        return text.replace(signature, "[signature]") if signature else text

    return redact


def _host(base_url: str) -> str:
    return urlsplit(base_url).netloc or base_url


def _local_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000).strftime("%Y-%m-%d %H:%M:%S (local time)")


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None
