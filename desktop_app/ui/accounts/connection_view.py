"""How a connection test reads in the account dialog: reachability, margin mode, the key's
permissions, and loud warnings when the key can do more than read or is not IP-bound."""

from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Any

from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.i18n import tr
from desktop_app.ui import format as fmt

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
    return f"{tr('read-only')} — {text}" if info.read_only else text


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
    return (f"<p style='color:{colour}'><b>{html.escape(tr('Warning'))}</b></p>"
            f"<ul style='color:{colour}; font-weight:600'>{items}</ul>")


def report_html(report: Any, now: datetime) -> str:
    """Rich text for a successful test: the key's warnings first, then what was found."""
    info: ApiKeyInfo = report.key
    ok = fmt.severity_colour(fmt.Severity.OK)
    mode = report.margin_mode
    mode_text = "—" if mode is None else str(getattr(mode, "value", mode))
    days = days_until_expiry(info, now)
    expiry = tr("never") if days is None else tr("in {days} day(s)").format(days=max(0, days))
    ips = ", ".join(info.ips) if info.ip_bound else tr("not bound")
    # Built here from the key's facts rather than taken from `report.warnings` (English text shared
    # with the CLI) so that they go through Qt's translation like every other string of the GUI.
    lines = [
        warnings_html(key_warnings(info, now)),
        f"<p style='color:{ok.name() if ok else ''}'><b>{html.escape(tr('Connection OK'))}</b></p>",
        "<table>",
        _row(tr("Reachable"), tr("yes")),
        _row(tr("Margin mode"), mode_text + (f" ({tr('classic account')})" if report.classic else "")),
        _row(tr("Clock offset"), f"{report.clock_offset_ms / 1000:+.2f} s"),
        _row(tr("Permissions"), permissions_text(info)),
        _row(tr("IP addresses"), ips),
        _row(tr("Expires"), expiry),
        "</table>",
    ]
    return "".join(lines)


def error_html(message: str) -> str:
    danger = fmt.severity_colour(fmt.Severity.DANGER)
    colour = danger.name() if danger else ""
    return (f"<p style='color:{colour}'><b>{html.escape(tr('Connection failed'))}</b></p>"
            f"<p>{html.escape(message)}</p>")


def _row(label: str, value: str) -> str:
    return f"<tr><td style='padding-right:12px'>{html.escape(label)}</td><td>{html.escape(value)}</td></tr>"
