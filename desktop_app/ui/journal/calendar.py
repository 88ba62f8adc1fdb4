"""A calendar heat map of realised PnL per UTC day: one column per week (Monday on top), green for a
gain, red for a loss, the stronger the larger (relative to the largest day of the period). Days
without trades are drawn empty; hovering a day shows its date and amount."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QLocale, QPoint, QRect, QSize
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.ui import format as fmt

DAY_MS = 86_400_000
_MIN_CELL_PX = 10
_MAX_CELL_PX = 26
_GAP_PX = 2
_GAIN = QColor(38, 166, 91)
_LOSS = QColor(214, 69, 65)


class PnlCalendar(QWidget):
    """`set_days(first_day, last_day, pnl_by_day)`; days are UTC dates."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._first: date | None = None
        self._last: date | None = None
        self._pnl: dict[date, Decimal] = {}
        self._largest = Decimal(0)
        self.setMouseTracking(True)
        self.setMinimumHeight(7 * (_MIN_CELL_PX + _GAP_PX) + 2 * self.fontMetrics().height())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_days(self, first_day_ms: int, last_day_ms: int, pnl_by_day_ms: dict[int, Decimal]) -> None:
        self._first = _utc_date(first_day_ms)
        self._last = _utc_date(last_day_ms)
        self._pnl = {_utc_date(day): value for day, value in pnl_by_day_ms.items()}
        self._largest = max((abs(v) for v in self._pnl.values()), default=Decimal(0))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.preferred_width(), 7 * (16 + _GAP_PX) + 2 * self.fontMetrics().height())

    def preferred_width(self, cell_px: int = 20) -> int:
        """The width that shows every week of the period with cells of `cell_px`."""
        return self._left_px() + max(1, self._weeks()) * (cell_px + _GAP_PX) + _GAP_PX

    # --- geometry ---------------------------------------------------------------------------

    def _weeks(self) -> int:
        if self._first is None or self._last is None:
            return 0
        start = self._first - timedelta(days=self._first.weekday())
        return (self._last - start).days // 7 + 1

    def _cell_px(self) -> int:
        weeks = max(1, self._weeks())
        label = self.fontMetrics().height()
        by_width = (self.width() - self._left_px() - _GAP_PX) // weeks - _GAP_PX
        by_height = (self.height() - label - _GAP_PX) // 7 - _GAP_PX
        return max(_MIN_CELL_PX, min(_MAX_CELL_PX, by_width, by_height))

    def _left_px(self) -> int:
        widest = max(self.fontMetrics().horizontalAdvance(_weekday(n)) for n in (1, 3, 5, 7))
        return widest + 6

    def _cell_rect(self, day: date) -> QRect:
        assert self._first is not None
        start = self._first - timedelta(days=self._first.weekday())
        week, weekday = divmod((day - start).days, 7)
        size = self._cell_px()
        top = self.fontMetrics().height() + _GAP_PX
        return QRect(self._left_px() + week * (size + _GAP_PX), top + weekday * (size + _GAP_PX), size, size)

    def _days(self) -> list[date]:
        if self._first is None or self._last is None:
            return []
        return [self._first + timedelta(days=n) for n in range((self._last - self._first).days + 1)]

    # --- painting ---------------------------------------------------------------------------

    def colour_of(self, day: date) -> QColor | None:
        """The cell's fill, or None for a day without trades."""
        value = self._pnl.get(day)
        if value is None:
            return None
        strength = 0.25 + 0.75 * (math.sqrt(float(abs(value) / self._largest)) if self._largest else 0.0)
        base = _GAIN if value > 0 else _LOSS if value < 0 else self.palette().color(QPalette.ColorRole.Mid)
        colour = QColor(base)
        colour.setAlphaF(min(1.0, strength))
        return colour

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        empty = palette.color(QPalette.ColorRole.AlternateBase)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        metrics = self.fontMetrics()
        size = self._cell_px()
        top = metrics.height() + _GAP_PX
        for row in (0, 2, 4, 6):
            y = top + row * (size + _GAP_PX) + (size + metrics.ascent() - metrics.descent()) // 2
            painter.drawText(0, y, _weekday(row + 1))
        month = None
        for day in self._days():
            rect = self._cell_rect(day)
            if day.month != month:
                month = day.month
                painter.drawText(rect.left(), metrics.ascent(),
                                 QLocale().monthName(day.month, QLocale.FormatType.ShortFormat))
            colour = self.colour_of(day)
            painter.fillRect(rect, colour if colour is not None else empty)
        painter.end()

    def day_at(self, point: QPoint) -> date | None:
        for day in self._days():
            if self._cell_rect(day).contains(point):
                return day
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is None:
            QToolTip.hideText()
            return
        value = self._pnl.get(day)
        amount = fmt.usd(float(value), signed=True) if value is not None else self.tr("no trades")
        text = self.tr("{day} (UTC): {amount}").format(day=day.isoformat(), amount=amount)
        QToolTip.showText(event.globalPosition().toPoint(), text, self)


def _weekday(iso_day: int) -> str:
    """The locale's short name of a weekday (1 Monday .. 7 Sunday)."""
    return QLocale().dayName(iso_day, QLocale.FormatType.ShortFormat)


def _utc_date(day_ms: int) -> date:
    return datetime.fromtimestamp(day_ms / 1000, UTC).date()

