"""Number formatting and severity colours shared by the header, the tables and the stress panel.

Severity colours are mid-luminance hues that keep enough contrast on both the light and the dark
palette; everything else (text, backgrounds, greyed stale rows) comes from the active QPalette so
that the OS theme is followed.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QDateTime, QLocale
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop_app.i18n import figures, tr

MINUS = figures.MINUS


class Severity(IntEnum):
    NONE = 0
    OK = 1
    WARN = 2
    DANGER = 3


_COLOURS = {
    Severity.OK: QColor("#2f9e5b"),
    Severity.WARN: QColor("#d98a00"),
    Severity.DANGER: QColor("#e0464b"),
}

# Account maintenance-margin rate thresholds (fraction; liquidation at 1.0).
MM_RATE_WARN = 0.5
MM_RATE_DANGER = 0.8
# Distance to liquidation thresholds (fraction of mark price).
LIQ_DISTANCE_WARN = 0.15
LIQ_DISTANCE_DANGER = 0.05
# Shock at which the first liquidation happens.
FIRST_LIQ_WARN = 0.20
FIRST_LIQ_DANGER = 0.10


def severity_colour(severity: Severity) -> QColor | None:
    """The foreground colour of a severity, or None to keep the palette's text colour."""
    return _COLOURS.get(severity)


def set_severity_style(widget: QWidget, severity: Severity, *, bold: bool = False) -> None:
    """Colour a widget's text by severity (palette text for NONE). A style sheet is re-parsed and
    the widget re-polished on every call, so it is only set when it changes."""
    colour = severity_colour(severity)
    sheet = "" if colour is None else f"color: {colour.name()};{' font-weight: 600;' if bold else ''}"
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def set_label_text(label: QLabel, text: str) -> None:
    """Set a label's text only when it changed (a change re-lays out its parent)."""
    if label.text() != text:
        label.setText(text)


def stale_colour() -> QColor:
    """The palette's disabled text colour: stale data reads as greyed in light and dark themes."""
    return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)


# One rendering per kind of figure, shared with the alert texts (desktop_app.i18n.figures).
usd = figures.usd
percent = figures.percent
rate = figures.rate
move = figures.move
number = figures.number


def date_time(epoch_s: float, *, seconds: bool = True) -> str:
    """A local moment in the language's short date and a 24-hour time ("20.09.26 07:08:32"; without
    `seconds` "20.09.26 07:08"): every date the window shows reads this way."""
    locale = QLocale()
    moment = QDateTime.fromMSecsSinceEpoch(round(epoch_s * 1000))
    clock = moment.toString("HH:mm:ss" if seconds else "HH:mm")
    return f"{locale.toString(moment.date(), QLocale.FormatType.ShortFormat)} {clock}"


def age(seconds: float | None) -> str:
    """`3 s`, `2 min`, `1 h 5 min`; an em dash when there never was data."""
    if seconds is None:
        return "—"
    s = int(max(0.0, seconds))
    if s < 60:
        return tr("{n} s").format(n=s)
    if s < 3600:
        return tr("{n} min").format(n=s // 60)
    return tr("{h} h {m} min").format(h=s // 3600, m=(s % 3600) // 60)


def mm_rate_severity(mm_rate: float | None) -> Severity:
    if not figures.known(mm_rate):
        return Severity.NONE
    v = float(mm_rate)  # type: ignore[arg-type]
    return Severity.DANGER if v >= MM_RATE_DANGER else Severity.WARN if v >= MM_RATE_WARN else Severity.OK


def liq_distance_severity(distance: float | None) -> Severity:
    if not figures.known(distance):
        return Severity.NONE
    v = abs(float(distance))  # type: ignore[arg-type]
    return (Severity.DANGER if v <= LIQ_DISTANCE_DANGER
            else Severity.WARN if v <= LIQ_DISTANCE_WARN else Severity.OK)


def shock_severity(shock: float | None) -> Severity:
    """Severity of the shock that causes the first liquidation (smaller moves are worse). Unknown is
    no colour: "no liquidation found" is only good news when there was data to search (the caller
    knows that; see header.first_liquidation_severity)."""
    if not figures.known(shock):
        return Severity.NONE
    v = abs(float(shock))  # type: ignore[arg-type]
    return Severity.DANGER if v <= FIRST_LIQ_DANGER else Severity.WARN if v <= FIRST_LIQ_WARN else Severity.OK


def pnl_severity(value: float | None) -> Severity:
    if not figures.known(value) or float(value) == 0:  # type: ignore[arg-type]
        return Severity.NONE
    return Severity.OK if float(value) > 0 else Severity.DANGER  # type: ignore[arg-type]


def as_float(value: object) -> float | None:
    """Decimal/int/float to float; None stays None (unknown is never zero)."""
    if value is None:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
