"""Number formatting for alert messages: short, the way a trader reads them."""

from __future__ import annotations

import math


def pct(fraction: float) -> str:
    """0.82 -> '82%', 0.042 -> '4.2%' (one decimal below 10 %, where a point matters)."""
    value = fraction * 100
    if not math.isfinite(value):
        return "∞%"
    return f"{value:.1f}%" if abs(value) < 10 else f"{value:.0f}%"


def usd(amount: float) -> str:
    """12345.6 -> '12,346 USD'."""
    return f"{amount:,.0f} USD"


def price(value: float | None) -> str:
    """A price with enough digits for cheap coins: 64,123.5 / 0.5123 / 0.00001234."""
    if value is None or not math.isfinite(value):
        return "?"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:,.4g}" if magnitude < 100 else f"{value:,.2f}"
    return f"{value:.4g}"


def duration(seconds: float) -> str:
    """47 -> '47 s', 130 -> '2 min', 7200 -> '2.0 h', 200000 -> '2.3 days'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def days_left(days: float) -> str:
    """Time until a key expires: 'in 5 days', 'in 18 hours', 'has expired'."""
    if days <= 0:
        return "has expired"
    if days < 2:
        return f"expires in {days * 24:.0f} hours"
    return f"expires in {days:.0f} days"


def one_line(text: str, limit: int = 200) -> str:
    """An error text as one short line (errors can be long or multi-line)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
