"""Series for the journal's charts: the cumulative realised PnL curve and realised PnL per UTC day."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import numpy as np

from desktop_app.domain.journal import JournalTrade
from desktop_app.journal.figures import time_ordered
from desktop_app.journal.usd import day_start_ms

_ZERO = Decimal(0)


def cumulative_pnl(trades: Iterable[JournalTrade],
                   start_ms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(times in epoch seconds, cumulative realised USD) in time order, as float64 arrays for a chart.
    With `start_ms` the curve begins at 0 there, so every account's curve starts level."""
    ordered = time_ordered(trades)
    times = [t.time_ms / 1000 for t in ordered]
    values = np.cumsum(np.array([float(t.pnl_usd) for t in ordered], dtype=np.float64))
    if start_ms is not None:
        times.insert(0, start_ms / 1000)
        values = np.concatenate([np.zeros(1), values])
    return np.array(times, dtype=np.float64), values.astype(np.float64)


def daily_pnl_usd(trades: Iterable[JournalTrade]) -> dict[int, Decimal]:
    """Realised PnL per UTC day (key: the day's start in epoch ms); days without trades are absent."""
    days: dict[int, Decimal] = {}
    for trade in trades:
        day = day_start_ms(trade.time_ms)
        days[day] = days.get(day, _ZERO) + trade.pnl_usd
    return days
