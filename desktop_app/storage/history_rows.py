"""What one refresh puts into the history database, taken from a risk report.

Only figures are stored: account ids and names, USD amounts, rates, coins. No credential, API key
or error text ever reaches the history (a report carries none of them into these rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from desktop_app.alerts.model import AlertEvent
from desktop_app.risk.results import RiskReport


@dataclass(frozen=True, slots=True)
class RefreshRow:
    time_s: float
    equity_usd: float | None
    upnl_usd: float | None
    gross_exposure_usd: float
    net_exposure_usd: float
    accounts_ok: int
    accounts_stale: int
    accounts_missing: int


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: str
    account: str
    stale: bool
    equity_usd: float | None
    upnl_usd: float | None
    im_rate: float | None
    mm_rate: float | None
    available_usd: float | None


@dataclass(frozen=True, slots=True)
class ExposureRow:
    account_id: str
    coin: str
    long_usd: float
    short_usd: float
    net_usd: float


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    refresh: RefreshRow
    accounts: tuple[AccountRow, ...]
    exposure: tuple[ExposureRow, ...]


def finite(value: float | None) -> float | None:
    """SQLite turns NaN into NULL anyway; infinities would poison chart scales. Both become None."""
    return value if value is not None and math.isfinite(value) else None


def refresh_record(report: RiskReport) -> RefreshRecord:
    """The rows of one refresh. Accounts that never had data get no row (they have no figures);
    stale accounts get a row marked stale (last-good figures, which charts may skip)."""
    totals = report.totals
    refresh = RefreshRow(report.taken_at, finite(totals.equity_usd), finite(totals.unrealised_pnl_usd),
                         finite(totals.gross_exposure_usd) or 0.0, finite(totals.net_exposure_usd) or 0.0,
                         totals.accounts_ok, totals.accounts_stale, totals.accounts_missing)
    accounts = tuple(
        AccountRow(a.account_id, a.name, a.stale, finite(a.equity_usd), finite(a.unrealised_pnl_usd),
                   finite(a.im_rate), finite(a.mm_rate), finite(a.available_usd))
        for a in report.accounts
        if a.age_s is not None or a.equity_usd is not None
    )
    recorded = {a.account_id for a in accounts}
    sums: dict[tuple[str, str], list[float]] = {}
    for position in report.positions:
        exposure = finite(position.exposure_usd)
        if exposure is None or position.account_id not in recorded:
            continue
        long_short = sums.setdefault((position.account_id, position.coin), [0.0, 0.0])
        long_short[0 if exposure >= 0 else 1] += abs(exposure)
    exposure_rows = tuple(ExposureRow(account_id, coin, long_usd, short_usd, long_usd - short_usd)
                          for (account_id, coin), (long_usd, short_usd) in sorted(sums.items()))
    return RefreshRecord(refresh, accounts, exposure_rows)


def alert_row(event: AlertEvent) -> tuple[object, ...]:
    """(time_s, rule, subject, severity, kind, value, threshold, message) for `alert_log`."""
    return (event.time_s, event.rule, event.subject, event.severity.value, event.kind.value,
            finite(event.value), finite(event.threshold), event.message)
