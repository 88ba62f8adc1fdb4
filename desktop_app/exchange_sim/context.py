"""What a route handler sees: parsed parameters, the caller's account, clocks, marks, and helpers for
Bybit-style errors and opaque cursor pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote, unquote

from desktop_app.exchange_sim.accounts import SimAccount
from desktop_app.exchange_sim.klines import CandleMaker
from desktop_app.exchange_sim.ledger import LedgerBook
from desktop_app.exchange_sim.prices import PriceModel

T = TypeVar("T")


class ApiError(Exception):
    """A business error answered as HTTP 200 with a non-zero retCode."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        super().__init__(ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg


@dataclass(frozen=True, slots=True)
class RequestContext:
    params: dict[str, str]             # percent-decoded once
    account: SimAccount | None         # None on public endpoints
    now_ms: int                        # price clock (stepped or real time)
    server_ms: int                     # wall clock + skew (auth, envelope time)
    mark_of: Callable[[str], Decimal]  # tick-rounded mark of a symbol at now_ms
    price_of_coin: Callable[[str], float]
    model: PriceModel
    candles: CandleMaker
    page_size_cap: int | None          # caps every page so pagination is exercised
    ledgers: LedgerBook | None = None  # the accounts' trade history
    seed: int = 0                      # the simulator's seed (funding rates)
    history_page_cap: int | None = None  # caps history pages (closed PnL, logs, executions)

    def get(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def int_param(self, name: str, default: int, low: int, high: int) -> int:
        """May raise: ApiError 10001 when the value is not an integer in [low, high]."""
        text = self.get(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise ApiError(10001, f"params error: {name} invalid") from None
        if not low <= value <= high:
            raise ApiError(10001, f"params error: {name} must be between {low} and {high}")
        return value

    def page_limit(self, default: int, high: int) -> int:
        limit = self.int_param("limit", default, 1, high)
        return min(limit, self.page_size_cap) if self.page_size_cap else limit

    def history_limit(self, default: int, high: int) -> int:
        limit = self.int_param("limit", default, 1, high)
        return min(limit, self.history_page_cap) if self.history_page_cap else limit


def parse_query(raw_query: str) -> dict[str, str]:
    """Query pairs decoded once, like a web framework would (the signature uses the raw string)."""
    out: dict[str, str] = {}
    for pair in raw_query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            out[unquote(key)] = unquote(value)
    return out


def encode_cursor(parts: Sequence[str]) -> str:
    """Opaque, already percent-encoded, like Bybit's `BTCUSDT%2C1699948800031%2C0`."""
    return quote(",".join(parts), safe="")


def decode_cursor(cursor: str) -> list[str]:
    """Accept the cursor verbatim (decoded once by the query parser) or percent-encoded again."""
    for _ in range(3):
        if "%" not in cursor:
            break
        cursor = unquote(cursor)
    return cursor.split(",")


def paginate(items: Sequence[T], key: Callable[[T], tuple[str, int]], cursor: str | None, limit: int,
             stamp_ms: int) -> tuple[list[T], str]:
    """The page after `cursor` (items sorted by key) and the next cursor ("" on the last page).

    May raise: ApiError 10001 for a cursor that cannot be decoded.
    """
    start = 0
    if cursor:
        parts = decode_cursor(cursor)
        try:
            after = (parts[0], int(parts[2]))
        except (IndexError, ValueError):
            raise ApiError(10001, "params error: cursor invalid") from None
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    page = list(items[start:start + limit])
    if start + limit >= len(items) or not page:
        return page, ""
    last_symbol, last_idx = key(page[-1])
    return page, encode_cursor((last_symbol, str(stamp_ms), str(last_idx)))
