"""The axes of the history and journal plots: values through the plot's formatter, dates (local or
UTC) whose day ticks carry the month in the language's words, and grid lines drawn opaque because
translucent ones are slow to draw.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems import DateAxisItem as dates
from PySide6.QtCore import QLocale
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from desktop_app import i18n


class Formatter(Protocol):
    """Formats a value; `step` is the distance between axis ticks, so neighbours never print alike."""

    def __call__(self, value: float, step: float | None = None) -> str: ...


class _OpaqueGridMixin:
    """Grid and tick lines drawn opaque, in the colour they would have over the background.

    pyqtgraph fades grid lines with alpha; Qt's raster engine draws translucent non-antialiased
    lines about ten times slower than opaque ones (28 grid lines: ~6 ms against ~0.5 ms), which
    alone ate a 33 ms frame budget with eight axes. The axes are put behind the curves (z -1) so
    an opaque grid line never hides a curve.
    """

    background = QColor("#ffffff")
    _pens: dict[tuple[int, int], QPen]

    def generateDrawSpecs(self, p: QPainter) -> object:
        specs = super().generateDrawSpecs(p)  # type: ignore[misc]
        if specs is None:
            return None
        axis_spec, tick_specs, text_specs = specs
        return axis_spec, [(self._opaque(pen), p1, p2) for pen, p1, p2 in tick_specs], text_specs

    def _opaque(self, pen: QPen) -> QPen:
        colour = pen.color()
        if colour.alpha() == 255:
            return pen
        key = (colour.rgba(), self.background.rgba())
        cached = self.__dict__.setdefault("_pens", {}).get(key)
        if cached is None:
            a, bg = colour.alphaF(), self.background
            cached = QPen(pen)
            cached.setColor(QColor.fromRgbF(bg.redF() * (1 - a) + colour.redF() * a,
                                             bg.greenF() * (1 - a) + colour.greenF() * a,
                                             bg.blueF() * (1 - a) + colour.blueF() * a))
            self._pens[key] = cached
        return cached


class ValueAxis(_OpaqueGridMixin, pg.AxisItem):
    """A left axis whose tick labels use the plot's formatter ($1.2M, 82.0%) instead of SI prefixes."""

    def __init__(self, formatter: Formatter) -> None:
        super().__init__("left")
        self._formatter = formatter
        self.enableAutoSIPrefix(False)  # see DateAxis
        # Labels and grid lines change only with the Y range, which a pan in time rarely changes: blit
        # them from a pixmap instead of replaying the drawing (and shaping the label text) each frame.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def resizeEvent(self, ev: object = None) -> None:
        super().resizeEvent(ev)
        self.update()  # pyqtgraph only drops its drawing here; the cached pixmap must go too

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._formatter(v * scale, spacing * scale) for v in values]


def _date_zoom_levels() -> OrderedDict[float, dates.ZoomLevel]:
    """pyqtgraph's zoom levels, with the month on day ticks (a bare "15" reads as a number) and no
    finer ticks than seconds."""
    day = dates.TickSpec(dates.DAY_SPACING, dates.makeSStepper(dates.DAY_SPACING), "%a %d %b")
    return OrderedDict([
        (np.inf, dates.YEAR_MONTH_ZOOM_LEVEL),
        (5 * 86_400, dates.ZoomLevel([
            dates.TickSpec(dates.MONTH_SPACING, dates.makeMStepper(1), "%b %Y"),
            dates.TickSpec(dates.DAY_SPACING, dates.makeSStepper(dates.DAY_SPACING), "%d %b",
                           autoSkip=[1, 5]),
        ], "00 MMM")),
        (6 * 3600, dates.ZoomLevel([
            day, dates.TickSpec(dates.HOUR_SPACING, dates.makeSStepper(dates.HOUR_SPACING), "%H:%M",
                                autoSkip=[1, 6]),
        ], "Mon 00 MMM")),
        (15 * 60, dates.ZoomLevel([
            day, dates.TickSpec(dates.MINUTE_SPACING, dates.makeSStepper(dates.MINUTE_SPACING), "%H:%M",
                                autoSkip=[1, 5, 15]),
        ], "Mon 00 MMM")),
        # Seconds are the finest ticks: samples are seconds apart, and pyqtgraph's millisecond level
        # labels whole seconds "38.000", which reads as a number, not a time.
        (30, dates.HMS_ZOOM_LEVEL),
    ])


_ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ENGLISH_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NAMES: dict[str, dict[str, str]] = {}


def _local_names() -> dict[str, str]:
    """strftime's English short day and month names -> the current language's (QLocale's); empty
    in English."""
    lang = i18n.language()
    if lang == i18n.SOURCE_LANGUAGE:
        return {}
    if lang not in _NAMES:
        locale = QLocale(i18n.LOCALE_NAMES[lang])
        short = QLocale.FormatType.ShortFormat
        names = {en: locale.standaloneMonthName(i + 1, short) for i, en in enumerate(_ENGLISH_MONTHS)}
        names.update({en: locale.standaloneDayName(i + 1, short) for i, en in enumerate(_ENGLISH_DAYS)})
        _NAMES[lang] = names
    return _NAMES[lang]


TickLevels = list[tuple[float, list[float]]]  # (spacing, tick values) per level, as pyqtgraph returns them


@dataclass(frozen=True, slots=True)
class _TickCover:
    key: tuple[object, ...]  # seconds shown, axis length, UTC offset, label font size
    start_s: float  # the ticks were worked out for this stretch of time
    end_s: float
    zoom_level: dates.ZoomLevel
    min_spacing: float
    levels: TickLevels


class DateTicks:
    """Date ticks shared by stacked axes that show one time range on one width.

    pyqtgraph works the ticks out for each axis on each frame, mostly converting every tick to local
    time in Python. A zoom level's ticks are a fixed calendar grid, so they are worked out once for
    three times the span in view, and each frame of a pan, on each of the four axes, picks the ones
    in view.
    """

    def __init__(self) -> None:
        self.zoom_levels = _date_zoom_levels()
        self.cover: _TickCover | None = None


class DateAxis(_OpaqueGridMixin, pg.DateAxisItem):
    """Date axis whose day ticks carry the month ("Mon 15 Sep", "15 Sep"), in local time or, with
    `utc`, in UTC (the journal's days are UTC days, as Bybit's)."""

    def __init__(self, ticks: DateTicks | None = None, *, utc: bool = False) -> None:
        super().__init__(orientation="bottom", utcOffset=0 if utc else None)
        # No axis title, so no SI prefix to put in it; with the prefix on, every range change re-sets
        # the (empty) title's HTML and re-lays the axis out.
        self.enableAutoSIPrefix(False)
        self._ticks = ticks or DateTicks()
        self.zoomLevels = self._ticks.zoom_levels

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """pyqtgraph's labels ("Mon 15 Sep"), with the day and month names of the current language."""
        labels = super().tickStrings(values, scale, spacing)
        names = _local_names()
        if not names:
            return labels
        return [" ".join(names.get(word, word) for word in label.split(" ")) for label in labels]

    def tickValues(self, minVal: float, maxVal: float, size: float) -> TickLevels:
        span_s = maxVal - minVal
        # The zoom level follows the seconds per pixel and the size of the labels.
        metrics = self.fontMetrics
        key = (round(span_s, 3), size, self.utcOffset, metrics.height(), metrics.averageCharWidth())
        cover = self._ticks.cover
        if cover is None or cover.key != key or not cover.start_s <= minVal <= maxVal <= cover.end_s:
            start_s, end_s = minVal - span_s, maxVal + span_s
            levels = super().tickValues(start_s, end_s, 3 * size)  # the same seconds per pixel
            cover = _TickCover(key, start_s, end_s, self.zoomLevel, self.minSpacing, levels)
            self._ticks.cover = cover
        self.zoomLevel, self.minSpacing = cover.zoom_level, cover.min_spacing  # tickStrings reads them
        return [(spacing, [v for v in values if minVal <= v <= maxVal]) for spacing, values in cover.levels]
