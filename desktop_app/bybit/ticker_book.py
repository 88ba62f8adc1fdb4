"""The latest ticker per topic, rebuilt from a public stream's snapshot and key-by-key deltas.

Linear and inverse tickers send one `snapshot`, then `delta`s carrying only the changed fields plus
`symbol`; a missing key means "unchanged" (REFERENCE §7.2). Spot and option send snapshots only.
`data` is an object, never an array, whatever the docs table says (§9.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from desktop_app.bybit.errors import BybitParseError

TOPIC_PREFIX = "tickers."


@dataclass(frozen=True, slots=True)
class TickerUpdate:
    """What one ticker message changed. `mark_price` is set only when the message carried a new,
    usable mark (a delta without `markPrice` leaves the mark unchanged)."""

    symbol: str
    fields: Mapping[str, str]  # the merged ticker after this message (a copy)
    mark_price: Decimal | None
    ts_ms: int
    cs: int | None


def ticker_topic(symbol: str) -> str:
    return f"{TOPIC_PREFIX}{symbol}"


def _int(message: Mapping[str, object], key: str, *, required: bool) -> int | None:
    value = message.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BybitParseError(f"ticker message field {key!r} is not an integer: {value!r}"[:160])
    return value


def _mark(value: object) -> Decimal | None:
    """A usable mark price: a positive decimal string. "" (not available) and "0" are not."""
    if not isinstance(value, str) or not value:
        return None
    try:
        mark = Decimal(value)
    except InvalidOperation:
        raise BybitParseError(f"ticker markPrice is not a number: {value[:40]!r}") from None
    return mark if mark.is_finite() and mark > 0 else None


class TickerBook:
    """Merged tickers by topic. Not thread-safe: one book per stream, used on the stream's loop."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[str, str]] = {}
        self._cs: dict[str, int] = {}

    def __contains__(self, topic: object) -> bool:
        return topic in self._fields

    def get(self, topic: str) -> Mapping[str, str] | None:
        fields = self._fields.get(topic)
        return None if fields is None else dict(fields)

    def mark_price(self, topic: str) -> Decimal | None:
        fields = self._fields.get(topic)
        return None if fields is None else _mark(fields.get("markPrice"))

    def discard(self, topic: str) -> None:
        """Forget a topic (unsubscribed): a late delta for it is then ignored."""
        self._fields.pop(topic, None)
        self._cs.pop(topic, None)

    def clear(self) -> None:
        """Forget everything (the connection dropped; fresh snapshots follow the resubscribe)."""
        self._fields.clear()
        self._cs.clear()

    def apply(self, message: Mapping[str, object]) -> TickerUpdate | None:
        """Merge one `tickers.*` message. None when it changes nothing we can use: a delta before any
        snapshot of its topic, or one older than what we hold.

        May raise: BybitParseError when the message lacks the documented shape.
        """
        topic = message.get("topic")
        if not isinstance(topic, str) or not topic.startswith(TOPIC_PREFIX):
            raise BybitParseError(f"not a ticker topic: {topic!r}"[:120])
        kind = message.get("type")
        data = message.get("data")
        if not isinstance(data, Mapping):
            raise BybitParseError(f"ticker {topic}: data is not an object")
        ts_ms = _int(message, "ts", required=True)
        cs = _int(message, "cs", required=False)  # option tickers have no cs
        assert ts_ms is not None
        changes = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        if kind == "snapshot":
            self._fields[topic] = changes
        elif kind == "delta":
            held = self._fields.get(topic)
            if held is None:
                return None  # a delta means nothing without its snapshot; one follows every subscribe
            last_cs = self._cs.get(topic)
            # cs never decreases on one connection; an equal cs is normal (a mark-only change leaves
            # the cross sequence where it was), a lower one is a stale message.
            if cs is not None and last_cs is not None and cs < last_cs:
                return None
            held.update(changes)
        else:
            raise BybitParseError(f"ticker {topic}: unknown type {kind!r}"[:120])
        if cs is not None:
            self._cs[topic] = cs
        fields = self._fields[topic]
        symbol = fields.get("symbol") or topic[len(TOPIC_PREFIX):]
        mark = _mark(changes["markPrice"]) if "markPrice" in changes else None
        return TickerUpdate(symbol, dict(fields), mark, ts_ms, cs)
