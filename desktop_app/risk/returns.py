"""Daily return history: EWMA covariance, betas and conditional moves, built once per day.

What the caller supplies: `closes[coin]`, a 1-D array of daily mark-price closes, OLDEST FIRST,
all ending on the same (most recent) day, e.g. from `/v5/market/mark-price-kline` interval `D`
of the coin's USDT perpetual. Fetching and caching (once a day per symbol) is the caller's job;
this module does no I/O. Up to `max_closes` (365) closes are used; the series are aligned on their
most recent end and cut to the shortest one kept. Coins with fewer than `min_closes` valid closes
are left out (listed in `excluded`) instead of shortening everyone's history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

RISKMETRICS_LAMBDA = 0.94


def ewma_weights(n: int, lam: float = RISKMETRICS_LAMBDA) -> np.ndarray:
    """Weights of n returns, oldest first: proportional to lam**age, normalised to sum to 1.

    Normalising over the finite window (instead of the infinite-series 1 - lam) keeps a short
    history's variance unbiased in scale. May raise: ValueError (n < 1 or lam outside (0, 1]).
    """
    if n < 1 or not 0.0 < lam <= 1.0:
        raise ValueError("need n >= 1 and 0 < lam <= 1")
    raw = lam ** np.arange(n - 1, -1, -1, dtype=np.float64)
    return raw / raw.sum()


@dataclass(frozen=True, slots=True, eq=False)
class ReturnModel:
    coins: tuple[str, ...]
    log_returns: np.ndarray  # (T, n) oldest first
    weights: np.ndarray  # (T,) EWMA weights, sum 1
    cov: np.ndarray  # (n, n) EWMA covariance of daily log returns (zero mean, RiskMetrics)
    lam: float
    excluded: tuple[str, ...]
    # exp(log return) - 1 per day and coin: the historical-VaR scenarios, computed once per model
    # instead of on every recompute.
    simple_returns: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "simple_returns", np.expm1(self.log_returns))

    @classmethod
    def from_closes(
        cls,
        closes: Mapping[str, Sequence[float] | np.ndarray],
        *,
        lam: float = RISKMETRICS_LAMBDA,
        max_closes: int = 365,
        min_closes: int = 20,
    ) -> ReturnModel:
        """Build from daily closes per coin (oldest first). May raise: ValueError (bad lam/window)."""
        if max_closes < 2 or min_closes < 2:
            raise ValueError("need at least 2 closes for a return")
        kept: dict[str, np.ndarray] = {}
        excluded = []
        for coin, series in closes.items():
            arr = np.asarray(series, dtype=np.float64).ravel()[-max_closes:]
            if len(arr) >= min_closes and np.all(np.isfinite(arr)) and np.all(arr > 0):
                kept[coin] = arr
            else:  # a gap or a zero would poison every covariance it touches
                excluded.append(coin)
        coins = tuple(sorted(kept))
        length = min((len(a) for a in kept.values()), default=0)
        if length < 2:
            return cls((), np.zeros((0, 0)), np.zeros(0), np.zeros((0, 0)), lam, tuple(sorted(closes)))
        prices = np.column_stack([kept[c][-length:] for c in coins])
        returns = np.diff(np.log(prices), axis=0)
        weights = ewma_weights(len(returns), lam)
        cov = (returns * weights[:, None]).T @ returns
        return cls(coins, returns, weights, cov, lam, tuple(sorted(excluded)))

    @property
    def observations(self) -> int:
        return int(self.log_returns.shape[0])

    def index(self, coins: Sequence[str]) -> np.ndarray:
        """Position of each coin in the model, -1 where the model has no history for it."""
        where = {c: i for i, c in enumerate(self.coins)}
        return np.array([where.get(c, -1) for c in coins], dtype=np.int64)

    def beta_matrix(self, coins: Sequence[str]) -> np.ndarray:
        """B[j, k] = cov(j, k) / var(k): coin j's expected move when coin k moves by 1.

        Diagonal 1; 0 where either coin has no history (or k never moved).
        """
        n = len(coins)
        beta = np.zeros((n, n))
        idx = self.index(coins)
        have = idx >= 0
        if have.any():
            sub = self.cov[np.ix_(idx[have], idx[have])]
            var = np.diag(sub)
            beta[np.ix_(have, have)] = np.divide(
                sub, var[None, :], out=np.zeros_like(sub), where=var[None, :] > 0
            )
        np.fill_diagonal(beta, 1.0)
        return beta

    def moves(self, coins: Sequence[str], shocks: Mapping[str, float], *, beta: bool = True) -> np.ndarray:
        """Move of every coin in `coins` when the shocked coins move by `shocks`.

        With beta, unshocked coins move by their conditional expectation given the shocks,
        Σ_os Σ_ss⁻¹ s, which is the plain beta for a single shocked coin. Coins without history
        (and every unshocked coin when beta is False) do not move.
        """
        out = np.array([float(shocks.get(c, 0.0)) for c in coins], dtype=np.float64)
        shocked_coins = [c for c in shocks if c in self.coins]
        if not beta or not shocked_coins:
            return out
        s_idx = self.index(shocked_coins)
        s = np.array([float(shocks[c]) for c in shocked_coins])
        weights = np.linalg.pinv(self.cov[np.ix_(s_idx, s_idx)]) @ s
        idx = self.index(coins)
        for j, c in enumerate(coins):
            if c not in shocks and idx[j] >= 0:
                out[j] = float(self.cov[idx[j], s_idx] @ weights)
        return out


EMPTY_MODEL = ReturnModel((), np.zeros((0, 0)), np.zeros(0), np.zeros((0, 0)), RISKMETRICS_LAMBDA, ())
