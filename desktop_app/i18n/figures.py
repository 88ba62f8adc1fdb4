"""One rendering per kind of figure, in the current language's number style, for every view.

The window's tables and header, the stress panel, the alert texts, the tray and Telegram all render
through these, so the same figure reads the same everywhere:

- money (`usd`): whole dollars from $1,000 up ("$306,805", "−$29,871"), cents below ("$177.15"),
  and "$0" for nothing;
- rates of margin (`rate`: MM and IM rate; liquidation at 100%): two decimals ("0.69%", "333.00%");
- moves and distances (`move`: a price shock, a distance to liquidation, a share): one decimal
  ("−12.3%");
- prices and quantities (`number`): as many digits as the magnitude needs ("64,986.3", "0.14985").

Negative numbers take a real minus sign (U+2212), which lines up with "+" in proportional fonts.
Qt-free: the window and the headless watcher share it.
"""

from __future__ import annotations

import math

from desktop_app.i18n import number_symbols

MINUS = "\u2212"
NONE = "—"  # an unknown figure is never shown as zero
# No account has a figure this large (domain.limits.MAX_SHOWN; i18n imports no other package): past
# it a figure is junk, shown as unknown rather than as a number.
MAX_SHOWN = 1e15


def known(value: float | None) -> bool:
    """Not None and not NaN: a figure there is (an unknown one is never shown as zero)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _shown(value: float | None) -> bool:
    """Known, finite and not past MAX_SHOWN: a figure fit to show."""
    return known(value) and math.isfinite(float(value)) and abs(float(value)) <= MAX_SHOWN  # type: ignore[arg-type]


def localise(text: str) -> str:
    """Python's "1,234.5" in the current language's separators ("1 234,5" in Ukrainian)."""
    symbols = number_symbols()
    if symbols.decimal == "." and symbols.group == ",":
        return text
    return text.translate({ord(","): symbols.group, ord("."): symbols.decimal})


def _sign(value: float, signed: bool) -> str:
    return MINUS if value < 0 else ("+" if signed and value > 0 else "")


def usd(value: float | None, *, signed: bool = False) -> str:
    """`$306,805`, `−$177.15`, `+$16,805` (signed); an em dash when unknown, infinite or astronomical
    (no amount of money is infinite: such a figure is a fault, not a fact)."""
    if not _shown(value):
        return NONE
    v = float(value)  # type: ignore[arg-type]
    decimals = 0 if abs(v) >= 999.995 else 2
    text = localise(f"{abs(v):,.{decimals}f}")
    if text.strip("0,. \u00a0") == "":
        return "$0"  # nothing, whatever its sign or rounding: never "−$0.00"
    return f"{_sign(v, signed)}${text}"


def percent(fraction: float | None, *, signed: bool = False, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.0226 -> `2.26%`; ∞ for an MM rate whose denominator is gone."""
    if not known(fraction):
        return NONE
    v = float(fraction)  # type: ignore[arg-type]
    if math.isinf(v):
        return "∞" if v > 0 else f"{MINUS}∞"
    if abs(v) > MAX_SHOWN:
        return NONE
    scaled = v * 100.0
    text = localise(f"{abs(scaled):,.{decimals}f}")
    if text.strip("0,. \u00a0") == "":
        return text + "%"
    return f"{_sign(scaled, signed)}{text}%"


def rate(fraction: float | None) -> str:
    """A margin rate (MM or IM rate; the account is liquidated at 100%): `0.69%`, `333.00%`."""
    return percent(fraction, decimals=2)


def move(fraction: float | None, *, signed: bool = False) -> str:
    """A price move, a distance to liquidation or a share: `−12.3%`."""
    return percent(fraction, signed=signed, decimals=1)


def number(value: float | None, *, decimals: int | None = None) -> str:
    """A price or quantity; significant digits follow the magnitude when `decimals` is None."""
    if not _shown(value):
        return NONE
    v = float(value)  # type: ignore[arg-type]
    if decimals is None:
        a = abs(v)
        decimals = 2 if a >= 100 else 4 if a >= 1 else 6 if a >= 0.01 else 8
    text = f"{abs(v):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{MINUS if v < 0 and text != '0' else ''}{localise(text)}"
