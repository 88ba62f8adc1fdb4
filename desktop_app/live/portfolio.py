"""The live portfolio: the latest REST update repriced at streamed marks, and the GUI rate limiter.

Marks are kept per stream source (a public stream base URL) and apply only to the accounts on that
source, because testnet marks must never reprice mainnet positions. Every repricing starts again
from the last REST book with all marks received since, so the latest mark always wins and no error
accumulates; a REST update replaces the book and forgets the marks (it already holds newer ones).
No Qt, no asyncio, no clock reads except the injected one: the worker drives it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Generic, TypeVar

import numpy as np

from desktop_app.domain.limits import MAX_PRICE
from desktop_app.risk import build_report
from desktop_app.risk.repricing import coin_ratios, revalue
from desktop_app.service import PortfolioUpdate

GUI_MIN_INTERVAL_S = 0.1  # at most ten repriced updates a second reach the window
T = TypeVar("T")


class LivePortfolio:
    """Holds the latest REST `PortfolioUpdate` and the marks streamed since."""

    def __init__(self, *, confidences: Sequence[float] = (0.95, 0.99), horizon_days: int = 1) -> None:
        self._confidences = tuple(confidences)
        self._horizon_days = horizon_days
        self._rest: PortfolioUpdate | None = None
        self._marks: dict[str, dict[str, float]] = {}  # source -> symbol -> mark (USD or quote)
        self._accounts: dict[str, frozenset[str]] = {}  # source -> account ids it reprices
        self._dirty = False
        self._rest_marks: dict[str, float] = {}  # symbol -> mark in the REST update

    def set_var_options(self, confidences: Sequence[float], horizon_days: int) -> None:
        """The VaR confidence levels (fractions) and horizon (days) of the repriced reports."""
        self._confidences = tuple(confidences)
        self._horizon_days = horizon_days

    @property
    def rest(self) -> PortfolioUpdate | None:
        """The latest REST update (the base every repricing starts from)."""
        return self._rest

    @property
    def pending(self) -> bool:
        """Marks arrived since the last `reprice()`."""
        return self._dirty

    def set_rest(self, update: PortfolioUpdate) -> None:
        """A REST refresh confirmed the figures: it becomes the base and the streamed marks reset."""
        self._rest = update
        self._marks.clear()
        self._dirty = False
        book = update.book
        self._rest_marks = {book.unique_symbols[int(k)]: float(m)
                            for k, m in zip(book.p_symbol, book.p_mark, strict=True)}

    def add_mark(self, source: str, account_ids: Iterable[str], symbol: str, mark: float) -> bool:
        """Record one streamed mark for the accounts on `source`. Returns whether it changes anything
        (a position of those accounts in that symbol, and a new value)."""
        if self._rest is None or not 0 < mark <= MAX_PRICE:  # NaN fails too; a 1e30 mark is junk
            return False
        book = self._rest.book
        if symbol not in book.unique_symbols:
            return False
        self._accounts[source] = frozenset(account_ids)
        marks = self._marks.setdefault(source, {})
        if marks.get(symbol, self._rest_marks.get(symbol)) == mark:
            return False
        marks[symbol] = float(mark)
        self._dirty = True
        return True

    def reprice(self) -> PortfolioUpdate | None:
        """The REST update revalued at every mark received since it; None without a REST update.
        Position rows are left unbuilt (the GUI builds only what it shows)."""
        rest = self._rest
        self._dirty = False
        if rest is None:
            return None
        book = rest.book
        new_mark = np.full(book.n_positions, np.nan)
        covered = np.zeros(book.n_positions, dtype=bool)  # positions of accounts on a source with marks
        merged: dict[str, float] = {}
        for source, marks in self._marks.items():
            accounts = self._accounts.get(source, frozenset())
            rows = [i for i, a in enumerate(book.account_ids) if a in accounts]
            if not rows or not marks or not book.n_positions:
                continue
            per_symbol = np.array([marks.get(s, np.nan) for s in book.unique_symbols], dtype=np.float64)
            mask = np.isin(book.p_acc, rows)
            new_mark[mask] = per_symbol[book.p_symbol[mask]]
            covered |= mask
            merged.update(marks)
        ratios = coin_ratios(book, merged, new_mark)
        # Within a streamed account a symbol without its own mark moves with its coin; an account on
        # another source (testnet next to mainnet) keeps its marks until its own stream speaks.
        new_mark = np.where(covered, new_mark, book.p_mark)
        live_book = revalue(book, new_mark, ratios, source="stream")
        report = build_report(live_book, model=rest.model, confidences=self._confidences,
                              horizon_days=self._horizon_days)
        return replace(rest, book=live_book, report=report)


class Coalescer(Generic[T]):
    """Lets at most one item per `min_interval_s` through; the latest offered item always wins and
    the last one of a burst is delivered when its turn comes (the caller sets the timer)."""

    def __init__(self, min_interval_s: float = GUI_MIN_INTERVAL_S, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._pending: T | None = None
        self._last_out_s: float | None = None

    @property
    def has_pending(self) -> bool:
        return self._pending is not None

    def offer(self, item: T) -> float:
        """Hold `item` (replacing any older pending one); returns the seconds until it may go out
        (0: take it now)."""
        self._pending = item
        return self.delay_s()

    def delay_s(self) -> float:
        if self._last_out_s is None:
            return 0.0
        return max(0.0, self._last_out_s + self.min_interval_s - self._clock())

    def take(self) -> T | None:
        """The pending item (None if there is none); counts as sent now."""
        item, self._pending = self._pending, None
        if item is not None:
            self._last_out_s = self._clock()
        return item

    def sent_other(self) -> None:
        """Something else went out now (a REST update): it counts toward the rate and makes the
        pending repriced item obsolete."""
        self._pending = None
        self._last_out_s = self._clock()
