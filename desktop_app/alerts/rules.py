"""What each rule reads from a risk report: one `Reading` per subject, with a message for the trader.

Pure functions, no clock: the time comes in as `now_s`. Three outcomes per subject:
- a Reading with a value: the engine compares it with the thresholds;
- a Reading with value None: unknown right now (no data); the engine leaves the alert as it is;
- no Reading at all: the subject is gone (position closed, hedge unwound, account removed), so an
  alert about it clears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop_app.alerts.model import AlertKey
from desktop_app.alerts.text import days_left, duration, one_line, pct, price, usd
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.risk.results import RiskReport

# Liquidation happens at an MM rate of 100 % only where the account as a whole is liquidated.
_ACCOUNT_LIQUIDATION_MODES = ("REGULAR_MARGIN", "PORTFOLIO_MARGIN")
PORTFOLIO = "portfolio"


@dataclass(frozen=True, slots=True)
class Reading:
    key: AlertKey
    value: float | None  # in the rule's unit; None = unknown now
    text: str  # what the current value means, e.g. "Hedge: margin rate 82% — liquidation at 100%"


def mm_rate(report: RiskReport) -> list[Reading]:
    """Account maintenance-margin rate of accounts that liquidate on it (UTA cross / portfolio)."""
    readings = []
    for account in report.accounts:
        if account.classic or (account.margin_mode not in _ACCOUNT_LIQUIDATION_MODES
                               and not (account.margin_mode is None and account.mm_rate is not None)):
            continue
        suffix = " (last known figures)" if account.stale else ""
        value = account.mm_rate
        text = (f"{account.name}: margin rate unknown" if value is None else
                f"{account.name}: margin rate {pct(value)} — liquidation at 100%{suffix}")
        readings.append(Reading(("mm_rate", account.name), value, text))
    return readings


def liq_distance(report: RiskReport) -> list[Reading]:
    """Each position's distance from mark to its liquidation price (the nearest leg per key)."""
    by_key: dict[AlertKey, Reading] = {}
    for position in report.positions:
        key = ("liq_distance", f"{position.account}/{position.symbol}/{position.side}")
        distance = position.liq_distance
        if distance is None:
            text = f"{position.account} {position.symbol} {position.side}: no liquidation price"
        else:
            text = (f"{position.account} {position.symbol} {position.side}: {pct(distance)} from liquidation "
                    f"(mark {price(position.mark_price)}, liquidation {price(position.liq_price)})")
        known = by_key.get(key)
        if known is None or (distance is not None and (known.value is None or distance < known.value)):
            by_key[key] = Reading(key, distance, text)
    return list(by_key.values())


def first_liquidation(report: RiskReport) -> list[Reading]:
    """The smallest price move that liquidates an account or a position. None from the risk engine
    means no tested move liquidates anything, so the alert clears; without any data it is unknown."""
    key = ("first_liquidation", PORTFOLIO)
    first = report.first_liquidation
    if first is None:
        return [Reading(key, None, "First liquidation unknown")] if report.totals.equity_usd is None else []
    shock = abs(first.shock)
    return [Reading(key, shock, f"First liquidation at a {pct(shock)} move: {first.headline}")]


def drawdown(report: RiskReport, peak_equity_usd: float | None) -> list[Reading]:
    """Fall of total equity from its session peak (the engine tracks the peak)."""
    key = ("drawdown", PORTFOLIO)
    equity = report.totals.equity_usd
    if equity is None or peak_equity_usd is None or peak_equity_usd <= 0:
        return [Reading(key, None, "Total equity unknown")]
    fall = max(0.0, (peak_equity_usd - equity) / peak_equity_usd)
    return [Reading(key, fall, f"Total equity down {pct(fall)} from its session peak "
                               f"({usd(peak_equity_usd)} → {usd(equity)})")]


def concentration(report: RiskReport) -> list[Reading]:
    """Each coin's share of the portfolio's gross exposure."""
    total = report.totals.gross_exposure_usd
    if total <= 0:
        return []  # no exposure: nothing is concentrated
    return [Reading(("concentration", c.coin), c.gross_usd / total,
                    f"{c.coin} is {pct(c.gross_usd / total)} of gross exposure "
                    f"({usd(c.gross_usd)} of {usd(total)})")
            for c in report.exposure]


def hedges(report: RiskReport) -> list[Reading]:
    """Coins held long in one account and short in another. Hedge-mode legs within one account are
    a trader's own choice and not reported."""
    readings = []
    for hedge in report.hedges:
        if not any(long != short for long in hedge.long_accounts for short in hedge.short_accounts):
            continue
        text = (f"Cross-account hedge on {hedge.coin}: long in {', '.join(hedge.long_accounts)}, "
                f"short in {', '.join(hedge.short_accounts)} ({usd(hedge.hedged_usd)} offset)")
        readings.append(Reading(("hedge", hedge.coin), hedge.hedged_usd, text))
    return readings


def stale(report: RiskReport, snapshot: PortfolioSnapshot | None, now_s: float, poll_interval_s: float,
          first_seen_s: Mapping[str, float]) -> list[Reading]:
    """Age of each account's data in poll intervals. An account that never had data counts from
    when the engine first saw it (`first_seen_s`, by account id)."""
    readings = []
    if snapshot is not None:
        states = [(s.account_id, s.name, s.age_s(now_s), s.error) for s in snapshot.accounts]
    else:
        since_report_s = max(0.0, now_s - report.taken_at)
        states = [(a.account_id, a.name, None if a.age_s is None else a.age_s + since_report_s, a.error)
                  for a in report.accounts]
    for account_id, name, age_s, error in states:
        never = age_s is None
        if never:
            age_s = max(0.0, now_s - first_seen_s.get(account_id, now_s))
        intervals = age_s / poll_interval_s
        text = (f"{name}: no data yet after {duration(age_s)}" if never else
                f"{name}: data {duration(age_s)} old ({intervals:.0f} refresh intervals)")
        if error:
            text += f" — last error: {one_line(error)}"
        readings.append(Reading(("stale", name), intervals, text))
    return readings


def api_key_expiry(report: RiskReport, keys: Mapping[str, ApiKeyInfo], now_s: float) -> list[Reading]:
    """Days until each account's API key expires (`keys` by account id; accounts not in the report
    are skipped). Keys without an expiry give no reading."""
    names = {a.account_id: a.name for a in report.accounts}
    readings = []
    for account_id, info in keys.items():
        name = names.get(account_id)
        days = info.days_left(now_s)
        if name is None or days is None:
            continue
        text = f"{name}: API key {days_left(days)} — create a new read-only key in Bybit's API management"
        readings.append(Reading(("api_key_expiry", name), days, text))
    return readings


