"""Numbers and durations in alert messages: the same rendering as the window (desktop_app.i18n.figures),
in the chosen language (the headless watcher sends the same texts)."""

from __future__ import annotations

import math

from desktop_app.i18n import figures, translate

rate = figures.rate  # MM rate: "82.31%", as in the Accounts table and the header
move = figures.move  # a move, a distance or a share: "12.3%"
usd = figures.usd  # "$12,346"


def price(value: float | None) -> str:
    """A price with enough digits for cheap coins: 64,123.5 / 0.5123 / 0.00001234."""
    if value is None or not math.isfinite(value):
        return "?"
    return figures.number(value)


def duration(seconds: float) -> str:
    """47 -> '47 s', 130 -> '2 min', 7200 -> '2.0 h', 200000 -> '2.3 days'."""
    if seconds < 90:
        return translate("alerts", "{n} s").format(n=f"{seconds:.0f}")
    if seconds < 5400:
        return translate("alerts", "{n} min").format(n=f"{seconds / 60:.0f}")
    if seconds < 172_800:
        return translate("alerts", "{n} h").format(n=figures.localise(f"{seconds / 3600:.1f}"))
    return translate("alerts", "{n} days").format(n=figures.localise(f"{seconds / 86_400:.1f}"))


def days_left(days: float) -> str:
    """Time until a key expires: 'expires in 5 days', 'expires in 18 hours', 'has expired'."""
    if days <= 0:
        return translate("alerts", "has expired")
    if days < 2:
        return translate("alerts", "expires in {n} hours").format(n=f"{days * 24:.0f}")
    return translate("alerts", "expires in {n} days").format(n=f"{days:.0f}")


def one_line(text: str, limit: int | None = 200) -> str:
    """An error text as one line, cut to `limit` characters (None: not cut); errors can be long or
    multi-line."""
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def severity_text(severity: str) -> str:
    """'info' / 'warning' / 'critical' in the current language (the alert log and Telegram)."""
    names = {"info": translate("alerts", "info"), "warning": translate("alerts", "warning"),
             "critical": translate("alerts", "critical")}
    return names.get(str(severity), str(severity))


def event_text(kind: str) -> str:
    """An alert event ('raised', 'escalated', 'eased', 'cleared') in the current language."""
    names = {"raised": translate("alerts", "raised"), "escalated": translate("alerts", "escalated"),
             "eased": translate("alerts", "eased"), "cleared": translate("alerts", "cleared")}
    return names.get(str(kind), str(kind))
