"""Seeded, correlated price paths for the simulator's coins.

Log returns live on an absolute one-minute grid (minute k = epoch_ms // 60_000). Each UTC day's 1440
returns are drawn from their own generator seeded by (seed, day), so any stretch of history or future
is reproducible without generating the rest, and correlated through the Cholesky factor of a
one-factor correlation matrix (BTC is the factor, so each coin's beta to BTC is rho × sigma / sigma_BTC).
The path is anchored so that the price at the start minute equals the coin's reference price.
Between minute points prices are interpolated log-linearly; scripted shocks (the crash scenario)
multiply the path by 1 − beta × drop × ramp(t).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

MINUTE_MS = 60_000
DAY_MINUTES = 1440
_MINUTES_PER_YEAR = 365 * DAY_MINUTES


@dataclass(frozen=True, slots=True)
class CoinSpec:
    coin: str
    start_price: float        # price at the anchor minute
    vol_annual: float         # annualised volatility of log returns (fraction)
    corr_to_btc: float


COINS: tuple[CoinSpec, ...] = (
    CoinSpec("BTC", 65_000.0, 0.55, 1.0),
    CoinSpec("ETH", 3_400.0, 0.70, 0.85),
    CoinSpec("SOL", 150.0, 0.95, 0.75),
    CoinSpec("XRP", 0.60, 0.85, 0.65),
    CoinSpec("DOGE", 0.15, 1.00, 0.65),
    CoinSpec("ADA", 0.45, 0.85, 0.70),
    CoinSpec("LINK", 15.0, 0.85, 0.70),
    CoinSpec("AVAX", 30.0, 0.95, 0.72),
)


@dataclass(frozen=True, slots=True)
class Shock:
    """A scripted move: coin i ends at (1 − beta_i × drop) times its unshocked path, linearly ramped."""
    start_ms: int
    duration_ms: int
    drop: float               # BTC's fractional fall, e.g. 0.15


def correlation_matrix(coins: tuple[CoinSpec, ...] = COINS) -> np.ndarray:
    """One-factor correlation: corr(i, j) = rho_i × rho_j off the diagonal (positive definite)."""
    rho = np.array([c.corr_to_btc for c in coins])
    corr = np.outer(rho, rho)
    np.fill_diagonal(corr, 1.0)
    return corr


def betas(coins: tuple[CoinSpec, ...] = COINS) -> np.ndarray:
    """Beta of each coin's log return to BTC's: rho × sigma_i / sigma_BTC."""
    vol = np.array([c.vol_annual for c in coins])
    return np.array([c.corr_to_btc for c in coins]) * vol / vol[0]


class PriceModel:
    """Thread-safe, lazily generated price paths. All times are epoch ms."""

    # Days of minute returns kept: (1441, n_coins) floats each. The recent days serve tickers and
    # intraday candles again and again; older ones are asked once per daily candle, which Klines keeps.
    _LRU_DAYS = 8

    def __init__(self, seed: int, anchor_ms: int, coins: tuple[CoinSpec, ...] = COINS,
                 history_days: int = 1000) -> None:
        self.coins = coins
        self.index = {c.coin: i for i, c in enumerate(coins)}
        self.betas = betas(coins)
        self._seed = seed & 0xFFFF_FFFF_FFFF
        self._chol = np.linalg.cholesky(correlation_matrix(coins))
        self._sigma_min = np.array([c.vol_annual for c in coins]) / math.sqrt(_MINUTES_PER_YEAR)
        self.anchor_minute = anchor_ms // MINUTE_MS
        self.first_minute = self.anchor_minute - history_days * DAY_MINUTES
        self._log0 = np.log(np.array([c.start_price for c in coins]))
        self._lock = threading.RLock()
        self._cum: OrderedDict[int, np.ndarray] = OrderedDict()  # day -> (1441, n) cumulative log returns
        self._day_total: dict[int, np.ndarray] = {}
        self._day_start_log: dict[int, np.ndarray] = {}
        self.shocks: tuple[Shock, ...] = ()

    # -- noise path ------------------------------------------------------------------------------
    def _day_cum(self, day: int) -> np.ndarray:
        with self._lock:
            cum = self._cum.get(day)
            if cum is not None:
                self._cum.move_to_end(day)
                return cum
            rng = np.random.default_rng([self._seed, day])
            z = rng.standard_normal((DAY_MINUTES, len(self.coins)))
            returns = (z @ self._chol.T) * self._sigma_min
            cum = np.vstack([np.zeros((1, len(self.coins))), np.cumsum(returns, axis=0)])
            self._cum[day] = cum
            # A copy: a view of the last row would keep the whole day's array alive after the LRU
            # drops it (with two years of history walked, 32 MiB of the demo window's memory).
            self._day_total[day] = cum[-1].copy()
            if len(self._cum) > self._LRU_DAYS:
                self._cum.popitem(last=False)
            return cum

    def _start_log(self, day: int) -> np.ndarray:
        with self._lock:
            known = self._day_start_log.get(day)
            if known is not None:
                return known
            anchor_day, anchor_off = divmod(self.anchor_minute, DAY_MINUTES)
            if day == anchor_day:
                value = self._log0 - self._day_cum(anchor_day)[anchor_off]
            elif day > anchor_day:
                # Walk forward from the nearest known day so each total is generated once.
                prev = self._start_log(day - 1)
                self._day_cum(day - 1)
                value = prev + self._day_total[day - 1]
            else:
                nxt = self._start_log(day + 1)
                self._day_cum(day)
                value = nxt - self._day_total[day]
            self._day_start_log[day] = value
            return value

    def _warm(self, day: int) -> None:
        # Fill start logs iteratively so deep history does not recurse a thousand frames. Days between
        # the anchor and a day already warmed are known, so the walk starts past them.
        if day in self._day_start_log:
            return
        anchor_day = self.anchor_minute // DAY_MINUTES
        step = 1 if day > anchor_day else -1
        start = anchor_day
        while start + step in self._day_start_log and start != day:
            start += step
        for d in range(start, day + step, step):
            self._start_log(d)

    def minute_logs(self, first_minute: int, last_minute: int) -> np.ndarray:
        """Unshocked log prices at minute points first..last inclusive, shape (count, n_coins)."""
        with self._lock:
            parts = []
            k = first_minute
            while k <= last_minute:
                day, off = divmod(k, DAY_MINUTES)
                self._warm(day)
                stop = min(last_minute - day * DAY_MINUTES, DAY_MINUTES - 1)
                parts.append(self._start_log(day) + self._day_cum(day)[off:stop + 1])
                k = day * DAY_MINUTES + stop + 1
            return np.vstack(parts)

    # -- shocks and prices -----------------------------------------------------------------------
    def shock_factors(self, times_ms: np.ndarray) -> np.ndarray:
        """Multiplicative shock factor per time and coin, shape (len(times), n_coins)."""
        factors = np.ones((len(times_ms), len(self.coins)))
        for shock in self.shocks:
            ramp = np.clip((times_ms - shock.start_ms) / max(shock.duration_ms, 1), 0.0, 1.0)
            factors *= 1.0 - np.outer(ramp, self.betas * shock.drop)
        return factors

    def prices_at(self, t_ms: int) -> np.ndarray:
        """Price of every coin at time t (log-linear between minute points, shocks applied)."""
        minute, rem = divmod(int(t_ms), MINUTE_MS)
        logs = self.minute_logs(minute, minute + 1)
        frac = rem / MINUTE_MS
        base = np.exp(logs[0] * (1.0 - frac) + logs[1] * frac)
        return base * self.shock_factors(np.array([float(t_ms)]))[0]

    def minute_prices(self, first_minute: int, last_minute: int) -> np.ndarray:
        """Prices (shocks applied) at minute points first..last inclusive."""
        logs = self.minute_logs(first_minute, last_minute)
        times = np.arange(first_minute, last_minute + 1, dtype=np.float64) * MINUTE_MS
        return np.exp(logs) * self.shock_factors(times)

    def add_shock(self, shock: Shock) -> None:
        if shock.drop * float(self.betas.max()) >= 1.0:
            raise ValueError("shock drop must keep every coin's price positive")
        with self._lock:
            self.shocks = (*self.shocks, shock)
