"""Candles and 24 h ticker statistics cut from the seeded price paths.

Candles are aligned like Bybit's (UTC minute/hour/day boundaries, weeks from Monday, calendar months).
A closed candle's close is the next minute point (the next candle's open); the live candle closes at
the current interpolated price. Volumes are deterministic functions of the candle's move.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from desktop_app.exchange_sim.prices import DAY_MINUTES, MINUTE_MS, PriceModel

INTERVAL_MINUTES: dict[str, int] = {
    "1": 1, "3": 3, "5": 5, "15": 15, "30": 30, "60": 60, "120": 120, "240": 240, "360": 360,
    "720": 720, "D": DAY_MINUTES, "W": 7 * DAY_MINUTES,
}
INTERVALS = (*INTERVAL_MINUTES, "M")
DAY_MS = DAY_MINUTES * MINUTE_MS
_USD_PER_MINUTE = 250_000.0     # traded notional per minute before the move-dependent boost


@dataclass(frozen=True, slots=True)
class Candle:
    start_ms: int
    open: float
    high: float
    low: float
    close: float
    volume_usd: float


class CandleMaker:
    """Builds candles for one PriceModel; caches whole closed days."""

    def __init__(self, model: PriceModel) -> None:
        self._model = model
        self._lock = threading.Lock()
        self._daily: dict[tuple[int, int], np.ndarray] = {}             # (day, n_shocks) -> (4, n) OHLC
        self._days: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()  # minute prices of a day

    def _day_prices(self, day: int, now_ms: int) -> np.ndarray:
        """Minute prices of one day (1441 points for a closed day; up to now plus the live price)."""
        model = self._model
        first = day * DAY_MINUTES
        now_minute = now_ms // MINUTE_MS
        if first + DAY_MINUTES <= now_minute:
            key = (day, len(model.shocks))
            with self._lock:
                cached = self._days.get(key)
                if cached is not None:
                    return cached
            prices = model.minute_prices(first, first + DAY_MINUTES)
            with self._lock:
                self._days[key] = prices
                if len(self._days) > 8:
                    self._days.popitem(last=False)
            return prices
        points = model.minute_prices(first, now_minute) if now_minute >= first else np.empty((0, 0))
        return np.vstack([points, model.prices_at(now_ms)[None, :]]) if points.size else \
            model.prices_at(now_ms)[None, :]

    def _daily_ohlc(self, day: int, now_ms: int) -> np.ndarray:
        closed = (day + 1) * DAY_MS <= now_ms
        key = (day, len(self._model.shocks))
        if closed and key in self._daily:
            return self._daily[key]
        p = self._day_prices(day, now_ms)
        ohlc = np.vstack([p[0], p.max(axis=0), p.min(axis=0), p[-1]])
        if closed:
            self._daily[key] = ohlc
        return ohlc

    def candles(self, coin: str, interval: str, *, now_ms: int, start_ms: int | None,
                end_ms: int | None, limit: int) -> list[Candle]:
        """Up to `limit` candles starting in [start, end] (end defaults to now), NEWEST FIRST.

        May raise: KeyError for an unknown interval or coin.
        """
        idx = self._model.index[coin]
        hi_ms = min(now_ms, end_ms if end_ms is not None else now_ms)
        lo_ms = max(start_ms or 0, self._model.first_minute * MINUTE_MS)
        if hi_ms < lo_ms:
            return []
        if interval in ("W", "M"):
            return self._calendar_candles(idx, interval, now_ms, lo_ms, hi_ms, limit)
        size_ms = INTERVAL_MINUTES[interval] * MINUTE_MS
        starts = []
        s = hi_ms // size_ms * size_ms
        while s >= lo_ms and len(starts) < limit:
            starts.append(s)
            s -= size_ms
        if interval == "D":
            return [self._from_ohlc(st, self._daily_ohlc(st // DAY_MS, now_ms)[:, idx], DAY_MINUTES)
                    for st in starts]
        out: list[Candle] = []
        step = size_ms // MINUTE_MS
        for st in starts:
            day = st // DAY_MS
            p = self._day_prices(day, now_ms)[:, idx]
            off = (st - day * DAY_MS) // MINUTE_MS
            seg = p[off:off + step + 1]
            out.append(Candle(st, float(seg[0]), float(seg.max()), float(seg.min()), float(seg[-1]),
                              _volume(float(seg[0]), float(seg[-1]), step)))
        return out

    def _calendar_candles(self, idx: int, interval: str, now_ms: int, lo_ms: int, hi_ms: int,
                          limit: int) -> list[Candle]:
        periods: list[tuple[int, int]] = []   # (first day, last day inclusive), newest first
        day = hi_ms // DAY_MS
        first_day = self._model.first_minute // DAY_MINUTES
        while len(periods) < limit:
            if interval == "W":
                start_day = day - (day + 3) % 7        # epoch day 0 was a Thursday; weeks start Monday
            else:
                d = datetime.fromtimestamp(day * 86_400, UTC)
                start_day = int(datetime(d.year, d.month, 1, tzinfo=UTC).timestamp()) // 86_400
            periods.append((max(start_day, first_day), day))
            if start_day * DAY_MS <= lo_ms or start_day <= first_day:
                break
            day = start_day - 1
        out = []
        for first, last in periods:
            rows = np.array([self._daily_ohlc(d, now_ms)[:, idx] for d in range(first, last + 1)])
            ohlc = np.array([rows[0, 0], rows[:, 1].max(), rows[:, 2].min(), rows[-1, 3]])
            out.append(self._from_ohlc(first * DAY_MS, ohlc, DAY_MINUTES * len(rows)))
        return out

    @staticmethod
    def _from_ohlc(start_ms: int, ohlc: np.ndarray, minutes: int) -> Candle:
        o, h, low, c = (float(v) for v in ohlc)
        return Candle(start_ms, o, h, low, c, _volume(o, c, minutes))

    def day_stats(self, coin: str, now_ms: int) -> tuple[float, float, float, float]:
        """(price 24 h ago, 24 h high, 24 h low, price 1 h ago) on minute points plus the live price."""
        model = self._model
        idx = model.index[coin]
        now_minute = now_ms // MINUTE_MS
        p = model.minute_prices(now_minute - DAY_MINUTES + 1, now_minute)[:, idx]
        live = float(model.prices_at(now_ms)[idx])
        prev24 = float(model.prices_at(now_ms - DAY_MS)[idx])
        prev1h = float(model.prices_at(now_ms - 60 * MINUTE_MS)[idx])
        return prev24, max(float(p.max()), live, prev24), min(float(p.min()), live, prev24), prev1h


def _volume(open_: float, close: float, minutes: int) -> float:
    move = abs(np.log(close / open_)) if open_ > 0 and close > 0 else 0.0
    return _USD_PER_MINUTE * minutes * (1.0 + 20.0 * float(move))
