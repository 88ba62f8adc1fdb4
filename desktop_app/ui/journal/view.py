"""What the Journal tab draws, computed from a report on the journal's own thread: the total figures,
realised PnL per UTC day and the cumulative curves. A year of trades across twenty accounts is tens of
thousands of Decimal sums, which the GUI thread must not do (it only puts the results on screen).

Qt-free, so the worker can build it and the tests can check it without a window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from desktop_app.domain.journal import JournalFigures
from desktop_app.journal import cumulative_pnl, daily_pnl_usd
from desktop_app.journal_sync import JournalReport

TOTAL_CURVE_KEY = ""  # the total's curve among the accounts' (keyed by account id)


@dataclass(frozen=True, slots=True, eq=False)
class CurveSeries:
    """One cumulative realised PnL curve: `key` is the account id (the total's is "" and nameless: the
    tab names it in the window's language)."""

    key: str
    name: str
    times_s: np.ndarray  # epoch seconds, in time order; the first point is the period's start at 0
    values_usd: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class JournalView:
    report: JournalReport
    total: JournalFigures | None  # None: no account in the total (every one failed or has no figures)
    daily_pnl_usd: Mapping[int, Decimal]  # realised PnL per UTC day start (epoch ms), in total
    curves: tuple[CurveSeries, ...]  # one per account with figures, in the report's order
    total_curve: CurveSeries


def journal_view(report: JournalReport) -> JournalView:
    """Everything the tab shows of `report` (call it off the GUI thread)."""
    accounts = [a for a in report.accounts if a.figures is not None]
    curves = []
    for account in accounts:
        times, values = cumulative_pnl(account.trades, start_ms=report.start_ms)
        curves.append(CurveSeries(account.account_id, account.name, times, values))
    # The total curve and the daily sums follow the total's rule: the accounts `in_total` only.
    total_trades = [t for a in report.in_total for t in a.trades]
    times, values = cumulative_pnl(total_trades, start_ms=report.start_ms)
    return JournalView(report=report, total=report.total() if report.in_total else None,
                       daily_pnl_usd=daily_pnl_usd(total_trades), curves=tuple(curves),
                       total_curve=CurveSeries(TOTAL_CURVE_KEY, "", times, values))
