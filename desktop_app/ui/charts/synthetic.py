"""A seeded, realistic-looking history for the charts' screenshot and benchmark: correlated coin
prices (random walks with a common market factor), a scripted crash, accounts whose equity follows
their leveraged exposure and whose maintenance-margin rate climbs as equity falls.

Not used by the monitor: real charts read the history database.
"""

from __future__ import annotations

import numpy as np

from desktop_app.ui.charts.data import ChartData, NamedSeries

COINS = ("BTC", "ETH", "SOL", "XRP")
_BETAS = np.array([1.0, 1.2, 1.5, 1.1])  # coins move with the market factor times their beta
_NAMES = ("Main", "Hedge", "Copy follower", "Scalper", "Swing", "Grid", "Funding", "Basis", "Alt basket",
          "Market maker")


def account_names(count: int) -> tuple[str, ...]:
    """'Main', 'Hedge', ... then 'Sub 11', 'Sub 12', ..."""
    return tuple(_NAMES[i] if i < len(_NAMES) else f"Sub {i + 1}" for i in range(count))


def synthetic_history(*, accounts: int = 5, days: float = 7.0, step_s: float = 5.0, end_s: float,
                      seed: int = 7, crash_at: float = 0.8, crash: float = -0.15) -> ChartData:
    """`days` of samples every `step_s` seconds ending at `end_s`, with the market falling by
    `crash` (a fraction) over one hour at `crash_at` (a fraction of the period) and half recovering.

    May raise: ValueError when the period holds fewer than two samples.
    """
    count = int(days * 86_400 / step_s)
    if count < 2:
        raise ValueError("the period must hold at least two samples")
    rng = np.random.default_rng(seed)
    times_s = end_s - step_s * np.arange(count - 1, -1, -1, dtype=np.float64)

    # Market factor: a random walk of log returns with about 3 % daily volatility, plus the crash.
    sigma = 0.03 * np.sqrt(step_s / 86_400)
    factor = np.cumsum(rng.normal(0.0, sigma, count))
    crash_start = int(count * crash_at)
    crash_len = max(1, int(3600 / step_s))
    shape = np.zeros(count)
    shape[crash_start:crash_start + crash_len] = np.linspace(0.0, 1.0, min(crash_len, count - crash_start))
    shape[crash_start + crash_len:] = 1.0
    recovery_start = crash_start + crash_len
    recovery = np.zeros(count)
    if recovery_start < count:
        ramp = np.linspace(0.0, 0.5, count - recovery_start)
        recovery[recovery_start:] = np.minimum(ramp * 4, 0.5)  # half of the loss comes back
    factor = factor + np.log1p(crash) * shape * (1.0 - recovery)
    coin_moves = np.empty((len(COINS), count))
    for i, beta in enumerate(_BETAS):
        idio = np.cumsum(rng.normal(0.0, sigma * 0.5, count))
        coin_moves[i] = np.expm1(beta * factor + idio)  # price / start price − 1

    names = account_names(accounts)
    start_equity = rng.uniform(5_000, 60_000, accounts).round(-2)
    # Signed exposure per account and coin as a multiple of its starting equity; the hedge is short.
    weights = rng.uniform(-0.4, 1.8, (accounts, len(COINS))) * (rng.random((accounts, len(COINS))) < 0.6)
    if accounts > 1:
        weights[1] = -weights[0] * 0.8
    mm_start = rng.uniform(0.05, 0.35, accounts)
    mm_start[int(np.argmax(weights.sum(axis=1)))] = 0.5  # the most leveraged long runs hot into the crash
    equity, mm_rate, pnl_total = [], [], np.zeros(count)
    for a in range(accounts):
        pnl = start_equity[a] * (weights[a] @ coin_moves)
        value = np.maximum(start_equity[a] + pnl, start_equity[a] * 0.02)
        pnl_total += value - start_equity[a]
        equity.append(NamedSeries(names[a], times_s, value))
        mm_rate.append(NamedSeries(names[a], times_s, mm_start[a] * start_equity[a] / value))
    total = NamedSeries("Total", times_s, start_equity.sum() + pnl_total)
    net = (weights * start_equity[:, None]).sum(axis=0)  # USD notional at the start, per coin
    exposure = tuple(NamedSeries(coin, times_s, net[i] * (1.0 + coin_moves[i]))
                     for i, coin in enumerate(COINS))
    return ChartData(total, tuple(equity), tuple(mm_rate), exposure)
