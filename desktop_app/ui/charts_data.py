"""What the history charts draw, and how it is read from the history database incrementally.

`ChartData` is a plain value (numpy arrays, epoch seconds, oldest first) so the charts can be fed
from the database, from a test or from a synthetic history. `SeriesCache` keeps what was already
read and asks the database only for samples newer than the last one, so a refresh every few seconds
costs a few small queries instead of re-reading a week of history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

Series = tuple[np.ndarray, np.ndarray]  # (epoch seconds, values), float64, oldest first
_EPS_S = 1e-6  # "newer than the last sample": the queries are inclusive (time_s >= since_s)


class HistoryAccountLike(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...


class HistorySource(Protocol):
    """The read side of the history database (`desktop_app.storage.history_query.HistoryReader`)."""

    def latest_s(self) -> float | None: ...
    def equity_series(self, account_id: str | None, since_s: float, until_s: float = ...) -> Series: ...
    def mm_rate_series(self, account_id: str, since_s: float, until_s: float = ...) -> Series: ...
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
        self._series: dict[tuple[str, str], Series] = {}
        # Per series, the newest refresh time it has been read up to (inclusive). Not the time of its
        # last sample: a series without samples lately (a classic account's MM rate, a stale account)
        # would otherwise be read again from the start of the range on every reload.
        self._read_to: dict[tuple[str, str], float] = {}
        self._until_s = -np.inf  # the newest refresh time of the load in progress
        self.since_s: float | None = None  # the oldest time asked for; None before the first load

    def load(self, source: HistorySource, since_s: float) -> ChartData:
        """Read what is new since the last load (or everything since `since_s` when the range grew).

        May raise: whatever the source raises (HistoryError for the database).
        """
        if self.since_s is None or since_s < self.since_s:
            self._series.clear()
            self._read_to.clear()
            self.since_s = since_s
        latest = source.latest_s()
        # Everything up to the newest refresh now; what is written meanwhile is for the next load.
        self._until_s = -np.inf if latest is None else latest
        accounts = source.accounts()
        coins = source.coins(self.since_s)
        total = NamedSeries("Total", *self._extend(("equity", ""),
                                                   lambda s, u: source.equity_series(None, s, u)))
        equity, mm_rate = [], []
        for account in accounts:
            aid = account.account_id
            equity.append(NamedSeries(account.name, *self._extend(
                ("equity", aid), lambda s, u, a=aid: source.equity_series(a, s, u))))
            times, rates = self._extend(("mm_rate", aid), lambda s, u, a=aid: source.mm_rate_series(a, s, u))
            if times.size:  # non-UTA accounts have no MM rate: no empty legend entry for them
                mm_rate.append(NamedSeries(account.name, times, rates))
        exposure = [
            NamedSeries(coin, *self._extend(("net", coin),
                                            lambda s, u, c=coin: source.exposure_series(c, s, u)))
            for coin in coins
        ]
        return ChartData(total, tuple(equity), tuple(mm_rate), tuple(exposure))

    def _extend(self, key: tuple[str, str], query: Callable[[float, float], Series]) -> Series:
        old = self._series.get(key)
        read_to = self._read_to.get(key)
        start_s = float(self.since_s or 0.0)  # set by load() before any series is read
        since = start_s if read_to is None else max(start_s, read_to + _EPS_S)
        until = self._until_s
        if since > until:  # no refresh since this series was last read: nothing to ask
            return old if old is not None else empty_series()
        new_times, new_values = query(since, until)
        self._read_to[key] = until
        if old is None or not old[0].size:
            merged = (np.asarray(new_times, dtype=np.float64), np.asarray(new_values, dtype=np.float64))
        elif len(new_times):
            merged = (np.concatenate((old[0], new_times)), np.concatenate((old[1], new_values)))
        else:
            merged = old
        self._series[key] = merged
        return merged
