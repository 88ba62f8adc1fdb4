"""Alert messages to a Telegram chat through the Bot API `sendMessage`.

The bot token is part of every request URL (`/bot<token>/sendMessage`), so every text that could
carry the URL is sanitised: our error messages, the exceptions we chain (suppressed with
`from None`), and httpx's own INFO log line "HTTP Request: POST <url>", which a filter redacts.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

import httpx

from desktop_app.domain.credentials import Secret
from desktop_app.i18n import QT_TRANSLATE_NOOP, translate
from desktop_app.tls import context_for

MAX_TEXT_CHARS = 4096  # Telegram rejects longer messages
TEST_MESSAGE = QT_TRANSLATE_NOOP("alerts", "RiskDesk test message: alerts will arrive in this chat.")
_TOKEN_PATH = re.compile(r"/bot[^/\s?#]+")
_TOKEN_SHAPE = re.compile(r"[^\s/?#]+")


class TelegramError(Exception):
    """Sending failed. The message is safe to show and log: it never contains the bot token."""

    def __init__(self, message: str, *, error_code: int | None = None,
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code  # Telegram's error_code or the HTTP status; None for network errors
        self.retry_after_s = retry_after_s  # set when Telegram asked to wait longer than we would


def redact_token(text: str, token: str | None = None) -> str:
    """`text` with any bot token removed: the token itself and every `/bot<...>` URL segment."""
    if token:
        text = text.replace(token, "***")
    return _TOKEN_PATH.sub("/bot***", text)


class _RedactTokenFilter(logging.Filter):
    """httpx logs each request's full URL at INFO; a bot URL must not reach the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_token(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_LOG_FILTER = _RedactTokenFilter()


def _install_log_filter() -> None:
    logger = logging.getLogger("httpx")
    if _LOG_FILTER not in logger.filters:
        logger.addFilter(_LOG_FILTER)


class TelegramSender:
    """Sends text messages to one chat. One instance per (token, chat); reuse it."""

    def __init__(self, token: Secret, chat_id: str, *, base_url: str = "https://api.telegram.org",
                 client: httpx.AsyncClient | None = None, max_attempts: int = 4, max_wait_s: float = 60.0,
                 timeout_s: float = 10.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """May raise: TelegramError (no token, a token that cannot be part of a URL, no chat id)."""
        if not isinstance(token, Secret) or not token.reveal() or not _TOKEN_SHAPE.fullmatch(token.reveal()):
            raise TelegramError("The Telegram bot token is missing or malformed; paste it from @BotFather.")
        if not chat_id.strip():
            raise TelegramError("No Telegram chat id is set.")
        self._token = token
        self.chat_id = chat_id.strip()
        self._base_url = base_url.rstrip("/")
        self._client = client
        self._owns_client = client is None
        self._max_attempts = max(1, max_attempts)
        self._max_wait_s = max_wait_s
        self._timeout_s = timeout_s
        self._sleep = sleep
        _install_log_filter()

    def __repr__(self) -> str:
        return f"TelegramSender(chat_id={self.chat_id!r}, base_url={self._base_url!r}, token=***)"

    async def send(self, text: str) -> None:
        """Send `text` (cut to Telegram's 4096 characters). Retries on HTTP 429 after Telegram's
        `retry_after`, and on network errors and 5xx with a short back-off, `max_attempts` in all.

        May raise: TelegramError.
        """
        if len(text) > MAX_TEXT_CHARS:
            text = text[: MAX_TEXT_CHARS - 1] + "…"
        payload = {"chat_id": self.chat_id, "text": text}
        for attempt in range(1, self._max_attempts + 1):
            last = attempt == self._max_attempts
            try:
                response = await self._http().post(self._url("sendMessage"), json=payload)
            except httpx.HTTPError as exc:
                if last:
                    raise TelegramError(self._clean(f"Telegram could not be reached "
                                                    f"({type(exc).__name__}: {exc})")) from None
                await self._sleep(_backoff_s(attempt))
                continue
            wait_s = self._check(response, last)
            if wait_s is None:
                return
            await self._sleep(wait_s)

    async def send_test(self) -> None:
        """Send a short test message so the user sees the chat id and token work. May raise: TelegramError."""
        await self.send(translate("alerts", TEST_MESSAGE))

    async def aclose(self) -> None:
        """Close the HTTP client if this sender created it."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout_s, verify=context_for(self._base_url))
        return self._client

    def _url(self, method: str) -> str:
        return f"{self._base_url}/bot{self._token.reveal()}/{method}"

    def _clean(self, text: str) -> str:
        return redact_token(text, self._token.reveal())

    def _check(self, response: httpx.Response, last: bool) -> float | None:
        """None when the message was accepted, else the seconds to wait before retrying.

        May raise: TelegramError when there is nothing to retry (or no attempt left).
        """
        body = _json(response)
        if response.status_code == 200 and body.get("ok") is True:
            return None
        code = body.get("error_code", response.status_code)
        code = code if isinstance(code, int) and not isinstance(code, bool) else response.status_code
        description = body.get("description")
        detail = f"HTTP {response.status_code}"
        if isinstance(description, str) and description:
            detail = description
        if code == 429:
            retry_after_s = _retry_after_s(body, response)
            if retry_after_s > self._max_wait_s or last:
                raise TelegramError(self._clean(f"Telegram is rate-limiting this bot: wait {retry_after_s:g} "
                                                f"s before sending again ({detail})."),
                                    error_code=429, retry_after_s=retry_after_s)
            return retry_after_s
        if response.status_code >= 500 and not last:
            return _backoff_s(1)
        if code == 401:
            detail = f"{detail}; check the bot token"
        elif code in (400, 403) and "chat" in detail.lower():
            detail = f"{detail}; check the chat id and that the bot was added to the chat"
        raise TelegramError(self._clean(f"Telegram refused the message ({code}: {detail})."), error_code=code)


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after_s(body: dict[str, object], response: httpx.Response) -> float:
    parameters = body.get("parameters")
    value: object = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if value is None:
        value = response.headers.get("Retry-After")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return seconds if seconds >= 0 else 1.0


def _backoff_s(attempt: int) -> float:
    return min(8.0, 0.5 * 2 ** (attempt - 1))
