"""How a connection test reads in the account dialog: reachability, margin mode, the key's
permissions, and loud warnings when the key can do more than read or is not IP-bound.

Every text is translated outside any f-string: lupdate does not look inside f-strings, so a `tr()`
there is never extracted and stays English in every language."""

from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Any

from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.i18n import figures, tr
from desktop_app.ui import format as fmt
from desktop_app.ui.tables.rows import margin_mode_text

EXPIRY_WARN_DAYS = 14


def days_until_expiry(info: ApiKeyInfo, now: datetime) -> int | None:
    """Whole days until the key expires (rounded down), or None when it does not expire."""
    days = info.days_left(now.timestamp())
    return None if days is None else math.floor(days)


def key_warnings(info: ApiKeyInfo, now: datetime) -> tuple[str, ...]:
    """What is risky about this key; RiskDesk only needs to read."""
    warnings: list[str] = []
    if info.can_withdraw:
        warnings.append(tr("This key can WITHDRAW funds. Create a read-only key for RiskDesk."))
    if info.can_transfer:
        warnings.append(tr("This key can TRANSFER funds between accounts. Create a read-only key."))
    if info.can_trade:
        warnings.append(tr("This key can TRADE. RiskDesk never trades; a read-only key is safer."))
    if not info.ip_bound:
        warnings.append(tr("This key is not bound to an IP address: anyone who obtains it can use it "
                            "from anywhere. Bind it to your IP address in Bybit's API settings."))
    days = days_until_expiry(info, now)
    if days is not None and days <= EXPIRY_WARN_DAYS:
        warnings.append(tr("This key expires in {days} day(s).").format(days=max(0, days)))
    return tuple(warnings)


def permissions_text(info: ApiKeyInfo) -> str:
    if info.read_only and not any(scopes for _, scopes in info.permissions):
        return tr("read-only")
    parts = [f"{group}: {', '.join(scopes)}" for group, scopes in info.permissions if scopes]
    text = "; ".join(parts) if parts else tr("none")
    read_only = tr("read-only")
    return f"{read_only} — {text}" if info.read_only else text


def dangerous_permissions(info: ApiKeyInfo) -> bool:
    """The key can move or lose funds (withdraw, transfer, trade): saving it needs a confirmation."""
    return bool(info.can_withdraw or info.can_transfer or info.can_trade)


def warnings_html(warnings: tuple[str, ...]) -> str:
    """The key's warnings, loud: shown first, above everything else the test found."""
    if not warnings:
        return ""
    danger = fmt.severity_colour(fmt.Severity.DANGER)
    colour = danger.name() if danger else ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    title = html.escape(tr("Warning"))
    return (f"<p style='color:{colour}'><b>{title}</b></p>"
            f"<ul style='color:{colour}; font-weight:600'>{items}</ul>")


def clock_offset_text(offset_ms: float) -> str:
    """The computer's clock against Bybit's: "+0.12 s", "−1,50 s" (the language's decimals)."""
    seconds = offset_ms / 1000
    sign = figures.MINUS if seconds < 0 else "+"
    return tr("{n} s").format(n=sign + figures.localise(f"{abs(seconds):.2f}"))


def report_html(report: Any, now: datetime) -> str:
    """Rich text for a successful test: what was found. The key's warnings are not repeated here: the
    dialog shows them above everything else (`warnings_html`)."""
    info: ApiKeyInfo = report.key
    ok = fmt.severity_colour(fmt.Severity.OK)
    mode = report.margin_mode
    days = days_until_expiry(info, now)
    expiry = tr("never") if days is None else tr("in {days} day(s)").format(days=max(0, days))
    ips = ", ".join(info.ips) if info.ip_bound else tr("not bound")
    title = html.escape(tr("Connection OK"))
    lines = [
        f"<p style='color:{ok.name() if ok else ''}'><b>{title}</b></p>",
        "<table>",
        _row(tr("Reachable"), tr("yes")),
        _row(tr("Margin mode"), margin_mode_text(None if mode is None else str(getattr(mode, "value", mode)),
                                                 classic=bool(report.classic))),
        _row(tr("Clock offset"), clock_offset_text(report.clock_offset_ms)),
        _row(tr("Permissions"), permissions_text(info)),
        _row(tr("IP addresses"), ips),
        _row(tr("Expires"), expiry),
        "</table>",
    ]
    return "".join(lines)


def error_html(message: str) -> str:
    danger = fmt.severity_colour(fmt.Severity.DANGER)
    colour = danger.name() if danger else ""
    title = html.escape(tr("Connection failed"))
    return f"<p style='color:{colour}'><b>{title}</b></p><p>{html.escape(message)}</p>"


def _row(label: str, value: str) -> str:
    return f"<tr><td style='padding-right:12px'>{html.escape(label)}</td><td>{html.escape(value)}</td></tr>"
