"""One account's positions as float columns, converted once per fetched tuple of positions.

`float(Decimal)` costs about a quarter of a microsecond (CPython formats the Decimal as text and
parses it back), nine fields per position: at 2,000 positions that alone was 5 ms of every full
recompute. A snapshot keeps the very same `positions` tuple of an account until that account is
fetched again (the live refresher republishes the others' last data), so the columns are cached by
the tuple's identity: each fetched account is converted once, however many snapshots it is part of.
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from desktop_app.domain.account import Position
from desktop_app.domain.market import Category, Side
from desktop_app.risk.book import KIND_INVERSE, KIND_LINEAR, KIND_OPTION
from desktop_app.risk.coins import base_coin

_NAN = float("nan")
# The Decimal fields of a Position that become float columns (None -> NaN), in this order.
DECIMAL_FIELDS = (
    "size", "mark_price", "entry_price", "liq_price", "leverage", "im", "mm", "unrealised_pnl", "delta"
)
_GET_DECIMALS = operator.attrgetter(*DECIMAL_FIELDS)
_KINDS = {Category.LINEAR: KIND_LINEAR, Category.INVERSE: KIND_INVERSE, Category.OPTION: KIND_OPTION}
# Accounts kept: every account of a few snapshots (the live one, the one being built, a CLI run's).
CACHE_ACCOUNTS = 256


@dataclass(frozen=True, slots=True, eq=False)
class AccountColumns:
    """An account's positions, one entry per position; arrays are read-only (shared between books)."""

    values: np.ndarray  # (n, len(DECIMAL_FIELDS)) float64, NaN where Bybit gave none
    no_mark: np.ndarray  # bool: Bybit gave no mark price
    direction: np.ndarray  # +1 long, -1 short
    kind: np.ndarray  # int8, KIND_*
    symbols: tuple[str, ...]
    categories: tuple[Category, ...]
    position_idx: tuple[int, ...]
    coins: tuple[str, ...]  # each position's base coin


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def convert_positions(positions: Sequence[Position]) -> AccountColumns:
    """The columns of `positions`, computed now (no cache)."""
    n = len(positions)
    flat = [_NAN if x is None else float(x) for fields in map(_GET_DECIMALS, positions) for x in fields]
    values = np.array(flat, dtype=np.float64).reshape(n, len(DECIMAL_FIELDS))
    symbols = tuple(p.symbol for p in positions)
    categories = tuple(p.category for p in positions)
    long = Side.LONG
    return AccountColumns(
        values=_readonly(values),
        no_mark=_readonly(np.array([p.mark_price is None for p in positions], dtype=bool)),
        direction=_readonly(np.array([1.0 if p.side is long else -1.0 for p in positions], dtype=np.float64)),
        kind=_readonly(np.array([_KINDS.get(c, KIND_LINEAR) for c in categories], dtype=np.int8)),
        symbols=symbols,
        categories=categories,
        position_idx=tuple(p.position_idx for p in positions),
        coins=tuple(map(base_coin, symbols, categories)),
    )


class ColumnCache:
    """Columns per positions tuple, by identity; holds the tuple so its id cannot be reused while cached.

    Safe to share between threads: the worker thread builds books, and a command may too.
    """

    def __init__(self, max_accounts: int = CACHE_ACCOUNTS) -> None:
        self._max = max_accounts
        self._entries: OrderedDict[int, tuple[tuple[Position, ...], AccountColumns]] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def columns(self, positions: tuple[Position, ...]) -> AccountColumns:
        key = id(positions)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is positions:
                self._entries.move_to_end(key)
                return entry[1]
        columns = convert_positions(positions)  # outside the lock: the slow part
        with self._lock:
            self.misses += 1
            self._entries[key] = (positions, columns)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return columns

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


SHARED_CACHE = ColumnCache()


def prepare_positions(positions: tuple[Position, ...]) -> None:
    """Convert a freshly fetched account's positions now, so that the next book finds them converted:
    called as each account answers, it spreads the conversion over the refresh instead of adding it
    to the report that follows."""
    SHARED_CACHE.columns(positions)
