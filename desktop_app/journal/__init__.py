"""The trade journal's maths: figures, drawdown, daily PnL, curves and the funding forecast.

Pure functions on domain values (desktop_app.domain.journal): no I/O, no Qt, and no knowledge of the
exchange client. Money is Decimal so sums are exact; the curves for charts are float64 arrays.
"""

from __future__ import annotations

from desktop_app.journal.figures import journal_figures, max_drawdown_usd, total_figures
from desktop_app.journal.forecast import funding_next_24h_usd
from desktop_app.journal.series import cumulative_pnl, daily_pnl_usd
from desktop_app.journal.usd import MissingPriceError, funding_in_usd, trades_in_usd

__all__ = [
    "MissingPriceError",
    "cumulative_pnl",
    "daily_pnl_usd",
    "funding_in_usd",
    "funding_next_24h_usd",
    "journal_figures",
    "max_drawdown_usd",
    "total_figures",
    "trades_in_usd",
]
