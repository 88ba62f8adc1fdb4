"""Private stream of one account: authenticate, subscribe position/execution/order/wallet, and turn
position, execution and wallet messages into "account changed" events (refresh by REST now)."""

from __future__ import annotations

import random
import time

from websockets.asyncio.client import ClientConnection

from desktop_app.bybit.clock import NowMs, system_now_ms
from desktop_app.bybit.errors import BybitError, BybitParseError
from desktop_app.bybit.messages import scrub
from desktop_app.bybit.parse import parse_ws_position
from desktop_app.bybit.signing import Signer, ws_auth_payload
from desktop_app.bybit.ws_common import (
    WS_AUTH_FAILED,
    WS_BAD_MESSAGE,
    WS_SUBSCRIBE_FAILED,
    AccountChangedEvent,
    BybitStreamError,
    EventSink,
    StreamConfig,
    StreamErrorEvent,
    command_ack,
)
from desktop_app.bybit.ws_connection import ManagedStream
from desktop_app.domain.account import Position
from desktop_app.domain.credentials import Credentials

# All-in-one topics (an all-in-one topic and its categorised ones may not share a request, §7.4).
PRIVATE_TOPICS = ("position", "execution", "order", "wallet")
# Topics after which the account's REST data is out of date. `order` alone changes no position;
# its fill arrives as `execution` (and `position`).
CHANGE_TOPICS = frozenset({"position", "execution", "wallet"})


class PrivateAccountStream(ManagedStream):
    """One account's private stream. A refused auth is reported (StreamErrorEvent, WS_AUTH_FAILED)
    and retried only after `config.auth_retry_s`, doubling: a wrong key stays wrong."""

    def __init__(self, account_id: str, private_ws_url: str, credentials: Credentials, on_event: EventSink,
                 config: StreamConfig | None = None, *, now_ms: NowMs = system_now_ms,
                 rng: random.Random | None = None) -> None:
        """`now_ms` should be the exchange-aligned clock (the REST client's host clock): `expires`
        must lie in the future by Bybit's clock, not ours."""
        super().__init__(private_ws_url, on_event, config or StreamConfig(), account_id=account_id, rng=rng)
        self.account_id: str = account_id
        self._credentials = credentials
        self._now_ms = now_ms
        self._signer: Signer | None = None

    def _sign(self) -> Signer:
        if self._signer is None:
            try:
                self._signer = Signer(self._credentials)
            except BybitError as exc:  # unreadable RSA key, empty key: same outcome as a refused auth
                raise BybitStreamError(WS_AUTH_FAILED, exc.message) from None
        return self._signer

    async def _on_open(self, ws: ClientConnection) -> None:
        signer = self._sign()
        expires_ms = self._now_ms() + self.config.auth_expires_ahead_ms
        signature = signer.sign(ws_auth_payload(expires_ms))
        await self.send_json(ws, {"req_id": self.next_req_id(), "op": "auth",
                                  "args": [signer.api_key, expires_ms, signature]})
        ok, reason = await self._await_ack(ws, "auth")
        if not ok:
            # The server's reason is quoted with the credentials and any echoed signature blanked.
            quoted = scrub(signer.redact(reason).replace(signature, "[signature]"), None)
            raise BybitStreamError(
                WS_AUTH_FAILED,
                f"Bybit refused the private stream login ({quoted or 'no reason given'}): check the API key "
                "and secret for this environment, and that this computer's clock is right",
            )
        await self.send_json(ws, {"req_id": self.next_req_id(), "op": "subscribe",
                                  "args": list(PRIVATE_TOPICS)})
        ok, reason = await self._await_ack(ws, "subscribe")
        if not ok:
            raise BybitStreamError(WS_SUBSCRIBE_FAILED, f"private topics refused: {scrub(reason, None)}",
                                   retryable=True)

    async def _await_ack(self, ws: ClientConnection, op: str) -> tuple[bool, str]:
        """Read until Bybit answers `op`; anything else that arrives meanwhile is handled normally.

        May raise: BybitStreamError (no answer in reply_timeout_s), websockets ConnectionClosed.
        """
        deadline = time.monotonic() + self.config.reply_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BybitStreamError(WS_AUTH_FAILED if op == "auth" else WS_SUBSCRIBE_FAILED,
                                       f"no answer to {op} from {self.host}", retryable=True)
            try:
                message = await self.recv_json(ws, remaining)
            except TimeoutError:
                continue
            if message is None:
                continue
            ack = command_ack(message)
            if ack is not None and message.get("op") == op:
                return ack[1], ack[2]
            self._on_message(message)

    def _on_message(self, message: dict[str, object]) -> None:
        topic = message.get("topic")
        if not isinstance(topic, str):
            return
        family = topic.split(".", 1)[0]  # position.linear -> position
        if family not in CHANGE_TOPICS:
            return
        created = message.get("creationTime")
        ts_ms = created if isinstance(created, int) and not isinstance(created, bool) else system_now_ms()
        positions: tuple[Position, ...] = ()
        if family == "position":
            try:
                positions = self._positions(message.get("data"))
            except BybitParseError as exc:
                # Still announce the change: the REST refresh it triggers is the source of truth.
                self.emit(StreamErrorEvent(self.url, self.account_id,
                                           BybitStreamError(WS_BAD_MESSAGE, exc.message), None))
        self.emit(AccountChangedEvent(self.account_id, family, ts_ms, positions))

    @staticmethod
    def _positions(data: object) -> tuple[Position, ...]:
        if not isinstance(data, list):
            raise BybitParseError("position message: data is not an array")
        parsed = (parse_ws_position(item) for item in data)
        return tuple(p for p in parsed if p is not None)
