"""A one-line label that gives way: it asks for the width of its whole text but makes do with little,
drawing the text cut with "…" and showing the whole of it as its tooltip.

A QLabel's minimum width is its whole text, so one long error (a sync failure, twenty account names
in the status bar) would make the window wider than a laptop screen and squeeze the docks' tables out
of sight. `text()` stays the whole text; only the drawing is shortened.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

DEFAULT_MIN_CHARS = 12  # enough to read what the label is about before the "…"


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 min_chars: int = DEFAULT_MIN_CHARS) -> None:
        super().__init__(text, parent)
        self._min_chars = min_chars
        self._tooltip = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        narrow = min(metrics.horizontalAdvance(self.text()), metrics.averageCharWidth() * self._min_chars)
        margins = self.contentsMargins()
        return QSize(narrow + margins.left() + margins.right(), hint.height())

    def set_details(self, tooltip: str) -> None:
        """The tooltip to show besides the whole text (the whole text alone when empty)."""
        self._tooltip = tooltip
        self._update_tooltip()

    def setText(self, text: str) -> None:  # type: ignore[override]
        super().setText(text)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        text = self.text()
        if self._tooltip and self._tooltip != text:
            tooltip = f"{text}\n\n{self._tooltip}" if text and not self._tooltip.startswith(text) \
                else self._tooltip
        else:
            tooltip = text
        if self.toolTip() != tooltip:
            self.setToolTip(tooltip)

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """The text as drawn, cut to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
        painter.end()
