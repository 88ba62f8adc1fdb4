"""Public ticker stream of one category on one host: `tickers.{symbol}` for a changing set of symbols,
merged into a TickerBook, with every new mark price delivered as a MarkPriceEvent."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from desktop_app.bybit.errors import BybitParseError
from desktop_app.bybit.ticker_book import TOPIC_PREFIX, TickerBook, ticker_topic
from desktop_app.bybit.ws_common import (
    WS_BAD_MESSAGE,
    WS_SUBSCRIBE_FAILED,
    BybitStreamError,
    EventSink,
    MarkPriceEvent,
    StreamConfig,
    StreamErrorEvent,
    command_ack,
)
from desktop_app.bybit.ws_connection import ManagedStream
from desktop_app.domain.market import Category

STREAM_CATEGORIES = (Category.LINEAR, Category.INVERSE, Category.OPTION)  # the ones with a mark price


class PublicTickerStream(ManagedStream):
    """`set_symbols` diffs the wanted symbols against the subscribed ones and sends only the
    difference; after a reconnect everything wanted is subscribed again and fresh snapshots follow."""

    def __init__(self, public_ws_url: str, category: Category | str, on_event: EventSink,
                 config: StreamConfig | None = None, *, rng: random.Random | None = None) -> None:
        """`public_ws_url` is `Environment.public_ws_url` (no category suffix).

        May raise: ValueError for a category without a ticker mark price (spot).
        """
        cat = Category(category)
        if cat not in STREAM_CATEGORIES:
            raise ValueError(f"no mark-price ticker stream for category {cat.value!r}")
        url = f"{public_ws_url.rstrip('/')}/{cat.value}"
        super().__init__(url, on_event, config or StreamConfig(), rng=rng)
        self.source = public_ws_url.rstrip("/")
        self.category = cat
        self.book = TickerBook()
        self._wanted: set[str] = set()
        self._subscribed: set[str] = set()  # topics sent on the current connection
        self._pending: dict[str, tuple[str, ...]] = {}  # req_id -> topics of an unanswered subscribe
        self._lock = asyncio.Lock()  # one subscription change on the wire at a time

    @property
    def symbols(self) -> frozenset[str]:
        """The symbols wanted (subscribed now, or as soon as the stream is connected)."""
        return frozenset(t[len(TOPIC_PREFIX):] for t in self._wanted)

    @property
    def subscribed(self) -> frozenset[str]:
        """Topics subscribed on the current connection."""
        return frozenset(self._subscribed)

    async def set_symbols(self, symbols: Iterable[str]) -> None:
        """Want exactly these symbols: subscribe the new ones, unsubscribe the dropped ones.

        Returns once the requests are sent (or at once when disconnected: the next connection
        subscribes them). Never raises for a lost connection; the reconnect loop handles that.
        """
        self._wanted = {ticker_topic(s.strip().upper()) for s in symbols if s.strip()}
        async with self._lock:
            ws = self._ws
            if ws is None:
                return
            try:
                await self._sync(ws)
            except (OSError, WebSocketException):
                return  # the read loop sees the dead connection and reconnects with everything wanted

    async def _sync(self, ws: ClientConnection) -> None:
        add = sorted(self._wanted - self._subscribed)
        drop = sorted(self._subscribed - self._wanted)
        if drop:
            await self._send_op(ws, "unsubscribe", drop)
            self._subscribed -= set(drop)
            for topic in drop:
                self.book.discard(topic)
        if add:
            await self._send_op(ws, "subscribe", add)
            self._subscribed |= set(add)

    async def _send_op(self, ws: ClientConnection, op: str, topics: list[str]) -> None:
        step = self.config.subscribe_batch
        for i in range(0, len(topics), step):
            batch = tuple(topics[i:i + step])
            req_id = self.next_req_id()
            if op == "subscribe":
                self._pending[req_id] = batch
            await self.send_json(ws, {"req_id": req_id, "op": op, "args": list(batch)})

    # -- ManagedStream hooks ----------------------------------------------------------------------
    async def _on_open(self, ws: ClientConnection) -> None:
        async with self._lock:
            self._subscribed = set()
            await self._sync(ws)

    def _on_close(self) -> None:
        self._subscribed = set()
        self._pending.clear()
        self.book.clear()

    def _on_message(self, message: dict[str, object]) -> None:
        topic = message.get("topic")
        if isinstance(topic, str) and topic.startswith(TOPIC_PREFIX):
            if topic not in self._subscribed:
                return  # a late message for a topic we just unsubscribed
            try:
                update = self.book.apply(message)
            except BybitParseError as exc:
                error = BybitStreamError(WS_BAD_MESSAGE, exc.message)
                self.emit(StreamErrorEvent(self.url, None, error, None))
                return
            if update is not None and update.mark_price is not None:
                self.emit(MarkPriceEvent(self.source, self.category, update.symbol, update.mark_price,
                                         update.ts_ms))
            return
        ack = command_ack(message)
        if ack is None:
            return
        req_id, ok, reason = ack
        topics = self._pending.pop(req_id, ()) if req_id else ()
        if not ok:
            # Not retried: an unknown symbol stays unknown. Forget it so a reconnect does not ask again.
            self._subscribed -= set(topics)
            self._wanted -= set(topics)
            what = ", ".join(topics) if topics else "a subscription"
            error = BybitStreamError(WS_SUBSCRIBE_FAILED, f"{self.host} refused {what}: {reason}"[:200])
            self.emit(StreamErrorEvent(self.url, None, error, None))
