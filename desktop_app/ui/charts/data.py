"""What the history charts draw, and how it is read from the history database incrementally.

`ChartData` is a plain value (numpy arrays, epoch seconds, oldest first) so the charts can be fed
from the database, from a test or from a synthetic history. `SeriesCache` keeps what was already
read and asks the database only for samples newer than the last one, so a refresh every few seconds
costs a few small queries instead of re-reading a week of history. It reads the raw samples for a
short range and the coarsest roll-up that still fits the chart's pixel columns for a long one
(storage/history_rollup.py): a week of 20 accounts is thousands of buckets, not millions of samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from desktop_app.storage.history_rollup import RAW, width_for_span
from desktop_app.ui.charts.buckets import Buckets, bucket_points, merged

DEFAULT_COLUMNS = 1200  # pixel columns of a chart, when the caller does not say

Series = tuple[np.ndarray, np.ndarray]  # (epoch seconds, values), float64, oldest first
Columns = tuple[np.ndarray, ...]  # (epoch seconds, values...), float64, oldest first
_EPS_S = 1e-6  # "newer than the last sample": the queries are inclusive (time_s >= since_s)


class HistoryAccountLike(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...


class HistorySource(Protocol):
    """The read side of the history database (`desktop_app.storage.history_query.HistoryReader`)."""

    def latest_s(self) -> float | None: ...
    def first_s(self) -> float | None: ...
    def rollup_series(self, kind: str, subject: str, width_s: int, since_s: float, until_s: float = ...,
                      ) -> Buckets: ...
    def equity_series(self, account_id: str | None, since_s: float, until_s: float = ...) -> Series: ...
    def account_series(self, account_id: str, since_s: float, until_s: float = ...,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
    def exposure_series(self, coin: str, since_s: float, until_s: float = ..., *,
                        measure: str = "net") -> Series: ...
    def accounts(self) -> tuple[HistoryAccountLike, ...]: ...
    def coins(self, since_s: float = 0.0) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class NamedSeries:
    name: str
    times_s: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.times_s.shape != self.values.shape:
            raise ValueError(f"series {self.name!r}: {self.times_s.shape} times, {self.values.shape} values")


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything the history charts show. Rates are fractions (1.0 = liquidation), money in USD."""

    total_equity_usd: NamedSeries
    equity_usd: tuple[NamedSeries, ...]  # one per account
    mm_rate: tuple[NamedSeries, ...]  # one per account (UTA accounts only)
    net_exposure_usd: tuple[NamedSeries, ...]  # one per coin

    def time_bounds_s(self) -> tuple[float, float] | None:
        """First and last sample time over every series, or None when there is no sample."""
        firsts, lasts = [], []
        for series in (self.total_equity_usd, *self.equity_usd, *self.mm_rate, *self.net_exposure_usd):
            if series.times_s.size:
                firsts.append(float(series.times_s[0]))
                lasts.append(float(series.times_s[-1]))
        return (min(firsts), max(lasts)) if firsts else None


def empty_series() -> Series:
    return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)


def empty_chart_data() -> ChartData:
    times, values = empty_series()
    return ChartData(NamedSeries("Total", times, values), (), (), ())


class SeriesCache:
    """Series read so far, by key, extended with each refresh (append-only history)."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], Columns] = {}
        # Per series, the newest refresh time it has been read up to (inclusive). Not the time of its
        # last sample: a series without samples lately (a classic account's MM rate, a stale account)
        # would otherwise be read again from the start of the range on every reload.
        self._read_to: dict[tuple[str, str], float] = {}
        # Per account: the columns last read, and the equity and MM-rate series split from them.
        self._split: dict[str, tuple[Columns, Series, Series]] = {}
        self._until_s = -np.inf  # the newest refresh time of the load in progress
        self.since_s: float | None = None  # the oldest time asked for; None before the first load
        self.width_s = RAW  # the roll-up read (history_rollup.WIDTHS_S), or RAW for the samples
        self._buckets: dict[tuple[str, str], Buckets] = {}
        self._points: dict[tuple[str, str], tuple[Buckets, Series]] = {}

    def load(self, source: HistorySource, since_s: float, columns: int = DEFAULT_COLUMNS,
             until_s: float = np.inf) -> ChartData:
        """Read what is new since the last load (or everything since `since_s` when the range grew),
        at the resolution that fits `columns` pixel columns showing `since_s` up to now (or up to
        `until_s`: a window zoomed into, read once by a cache of its own).

        May raise: whatever the source raises (HistoryError for the database).
        """
        latest = source.latest_s()
        if latest is not None:
            latest = min(latest, until_s)
        first = source.first_s() if latest is not None else None
        span_s = 0.0 if latest is None or first is None else latest - max(since_s, first)
        width_s = width_for_span(span_s, columns)
        if self.since_s is None or since_s < self.since_s or width_s != self.width_s:
            self._series.clear()
            self._read_to.clear()
            self._split.clear()
            self._buckets.clear()
            self._points.clear()
            self.since_s = since_s
            self.width_s = width_s
        # Everything up to the newest refresh now; what is written meanwhile is for the next load.
        self._until_s = -np.inf if latest is None else latest
        accounts = source.accounts()
        coins = source.coins(self.since_s)
        if width_s != RAW:
            return self._load_rollups(source, accounts, coins)
        total = NamedSeries("Total", *self._extend(("equity", ""),
                                                   lambda s, u: source.equity_series(None, s, u)))
        equity, mm_rate = [], []
        for account in accounts:
            account_equity, account_rate = self._account(account.account_id, source)
            equity.append(NamedSeries(account.name, *account_equity))
            if account_rate[0].size:  # non-UTA accounts have no MM rate: no empty legend entry for them
                mm_rate.append(NamedSeries(account.name, *account_rate))
        exposure = [
            NamedSeries(coin, *self._extend(("net", coin),
                                            lambda s, u, c=coin: source.exposure_series(c, s, u)))
            for coin in coins
        ]
        return ChartData(total, tuple(equity), tuple(mm_rate), tuple(exposure))

    def _load_rollups(self, source: HistorySource, accounts: tuple[HistoryAccountLike, ...],
                      coins: tuple[str, ...]) -> ChartData:
        total = NamedSeries("Total", *self._rolled(source, "total", ""))
        equity, mm_rate = [], []
        for account in accounts:
            equity.append(NamedSeries(account.name, *self._rolled(source, "equity", account.account_id)))
            rate = self._rolled(source, "mm", account.account_id)
            if rate[0].size:  # non-UTA accounts have no MM rate: no empty legend entry for them
                mm_rate.append(NamedSeries(account.name, *rate))
        exposure = [NamedSeries(coin, *self._rolled(source, "net", coin)) for coin in coins]
        return ChartData(total, tuple(equity), tuple(mm_rate), tuple(exposure))

    def _rolled(self, source: HistorySource, kind: str, subject: str) -> Series:
        """The points of one rolled-up series, reading again from its newest bucket (which may have
        grown since) and whatever came after."""
        key = (kind, subject)
        old = self._buckets.get(key)
        start_s = float(self.since_s or 0.0)
        since = start_s if old is None or not old[0].size else max(start_s, float(old[0][-1]))
        if since <= self._until_s:
            self._buckets[key] = merged(old, source.rollup_series(kind, subject, self.width_s, since,
                                                                  self._until_s))
        buckets = self._buckets.get(key)
        if buckets is None:
            return empty_series()
        cached = self._points.get(key)
        if cached is not None and all(a is b or np.array_equal(a, b) for a, b in zip(cached[0], buckets,
                                                                                      strict=True)):
            return cached[1]  # nothing new: the same arrays as before, the curve has nothing to do
        points = bucket_points(buckets, self.width_s)
        self._points[key] = (buckets, points)
        return points

    def _extend(self, key: tuple[str, str], query: Callable[[float, float], Columns], width: int = 2,
                ) -> Columns:
        """The `width` columns (times first) of `key`, with the rows the query adds since it was last
        read."""
        old = self._series.get(key)
        read_to = self._read_to.get(key)
        start_s = float(self.since_s or 0.0)  # set by load() before any series is read
        since = start_s if read_to is None else max(start_s, read_to + _EPS_S)
        until = self._until_s
        if since > until:  # no refresh since this series was last read: nothing to ask
            return old if old is not None else tuple(np.empty(0, dtype=np.float64) for _ in range(width))
        new = tuple(np.asarray(column, dtype=np.float64) for column in query(since, until))
        self._read_to[key] = until
        if old is None or not old[0].size:
            merged = new
        elif new[0].size:
            merged = tuple(np.concatenate((before, after)) for before, after in zip(old, new, strict=True))
        else:
            merged = old  # the same arrays: the curves keep what they built from them
        self._series[key] = merged
        return merged

    def _account(self, account_id: str, source: HistorySource) -> tuple[Series, Series]:
        """(equity, MM rate) of an account, each without the refreshes that lack it, from one query."""
        columns = self._extend(("account", account_id),
                               lambda s, u: source.account_series(account_id, s, u), width=3)
        cached = self._split.get(account_id)
        if cached is not None and cached[0] is columns:  # nothing new: the same arrays as before
            return cached[1], cached[2]
        times, equity_usd, mm_rate = columns
        has_equity, has_rate = ~np.isnan(equity_usd), ~np.isnan(mm_rate)
        split = (times[has_equity], equity_usd[has_equity]), (times[has_rate], mm_rate[has_rate])
        self._split[account_id] = (columns, *split)
        return split


def with_detail(coarse: ChartData, detail: ChartData, start_s: float, end_s: float) -> ChartData:
    """`coarse` with each series' samples from `start_s` to `end_s` replaced by `detail`'s (a finer
    read of a window zoomed into); series only one of them has are kept as they are."""

    def merged(outer: tuple[NamedSeries, ...], inner: tuple[NamedSeries, ...]) -> tuple[NamedSeries, ...]:
        by_name = {s.name: s for s in inner}
        out = []
        for series in outer:
            fine = by_name.get(series.name)
            if fine is None:
                out.append(series)
                continue
            times, values = series.times_s, series.values
            before, after = times < start_s, times > end_s
            inside = (fine.times_s >= start_s) & (fine.times_s <= end_s)  # a bucket may reach past an end
            out.append(NamedSeries(series.name,
                                   np.concatenate((times[before], fine.times_s[inside], times[after])),
                                   np.concatenate((values[before], fine.values[inside], values[after]))))
        return tuple(out)

    return ChartData(merged((coarse.total_equity_usd,), (detail.total_equity_usd,))[0],
                     merged(coarse.equity_usd, detail.equity_usd), merged(coarse.mm_rate, detail.mm_rate),
                     merged(coarse.net_exposure_usd, detail.net_exposure_usd))
