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
from desktop_app.alerts.text import days_left, duration, move, one_line, price, rate, usd
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.i18n import translate
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
        value = account.mm_rate
        if value is None:
            text = translate("alerts", "{account}: MM rate unknown").format(account=account.name)
        elif account.stale:
            text = translate("alerts", "{account}: MM rate {rate} — liquidation at 100% (last known figures)"
                             ).format(account=account.name, rate=rate(value))
        else:
            text = translate("alerts", "{account}: MM rate {rate} — liquidation at 100%").format(
                account=account.name, rate=rate(value))
        readings.append(Reading(("mm_rate", account.name), value, text))
    return readings


def liq_distance(report: RiskReport) -> list[Reading]:
    """Each position's distance from mark to its liquidation price (the nearest leg per key)."""
    by_key: dict[AlertKey, Reading] = {}
    for position in report.positions:
        key = ("liq_distance", f"{position.account}/{position.symbol}/{position.side}")
        distance = position.liq_distance
        where = f"{position.account} {position.symbol} {side_text(position.side)}"
        if distance is None:
            text = translate("alerts", "{position}: no liquidation price").format(position=where)
        else:
            text = translate("alerts", "{position}: {distance} from liquidation (mark {mark}, liquidation "
                             "{liq})").format(position=where, distance=move(distance),
                                              mark=price(position.mark_price), liq=price(position.liq_price))
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
        unknown = translate("alerts", "First liquidation unknown")
        return [Reading(key, None, unknown)] if report.totals.equity_usd is None else []
    shock = abs(first.shock)
    return [Reading(key, shock, translate("alerts", "First liquidation at a {move} move: {headline}").format(
        move=move(shock), headline=first_liquidation_headline(first.coin, first.shock, first.account)))]


def first_liquidation_headline(coin: str, shock: float, account: str) -> str:
    """'BTC −8.4% → Hedge liquidated', in the current language (the header shows the same)."""
    return translate("alerts", "{coin} {move} → {account} liquidated").format(
        coin=coin, move=move(shock, signed=True), account=account)


def side_text(side: str) -> str:
    """'long' / 'short' in the current language."""
    if side == "long":
        return translate("alerts", "long")
    if side == "short":
        return translate("alerts", "short")
    return side


def drawdown(report: RiskReport, peak_equity_usd: float | None) -> list[Reading]:
    """Fall of total equity from its session peak (the engine tracks the peak)."""
    key = ("drawdown", PORTFOLIO)
    equity = report.totals.equity_usd
    if equity is None or peak_equity_usd is None or peak_equity_usd <= 0:
        return [Reading(key, None, translate("alerts", "Total equity unknown"))]
    fall = max(0.0, (peak_equity_usd - equity) / peak_equity_usd)
    text = translate("alerts", "Total equity down {move} from its session peak ({peak} → {now})").format(
        move=move(fall), peak=usd(peak_equity_usd), now=usd(equity))
    return [Reading(key, fall, text)]


def concentration(report: RiskReport) -> list[Reading]:
    """Each coin's share of the portfolio's gross exposure."""
    total = report.totals.gross_exposure_usd
    if total <= 0:
        return []  # no exposure: nothing is concentrated
    template = translate("alerts", "{coin} is {share} of gross exposure ({gross} of {total})")
    return [Reading(("concentration", c.coin), c.gross_usd / total,
                    template.format(coin=c.coin, share=move(c.gross_usd / total), gross=usd(c.gross_usd),
                                    total=usd(total)))
            for c in report.exposure]


def hedges(report: RiskReport) -> list[Reading]:
    """Coins held long in one account and short in another. Hedge-mode legs within one account are
    a trader's own choice and not reported."""
    readings = []
    for hedge in report.hedges:
        if not any(long != short for long in hedge.long_accounts for short in hedge.short_accounts):
            continue
        text = translate("alerts", "Cross-account hedge on {coin}: long in {longs}, short in {shorts} "
                         "({amount} offset)").format(coin=hedge.coin, longs=", ".join(hedge.long_accounts),
                                                     shorts=", ".join(hedge.short_accounts),
                                                     amount=usd(hedge.hedged_usd))
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
        if never:
            text = translate("alerts", "{account}: no data yet after {age}").format(
                account=name, age=duration(age_s))
        else:
            text = translate("alerts", "{account}: data {age} old ({n} refresh intervals)").format(
                account=name, age=duration(age_s), n=f"{intervals:.0f}")
        if error:
            text += translate("alerts", " — last error: {error}").format(error=one_line(error))
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
        text = translate("alerts", "{account}: API key {expiry} — create a new read-only key in Bybit's API "
                         "management").format(account=name, expiry=days_left(days))
        readings.append(Reading(("api_key_expiry", name), days, text))
    return readings


