"""Messages for the user above the header: the demo banner, the banner of a window that watches
what a watcher records, and start-up problems (a corrupt file moved aside, no keyring, a missing
secret). Each message can be dismissed; the banners cannot, so they take one line each (cut to the
window's width, the whole story in their tooltip): on a 1280×720 screen the tables need the room."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_app.i18n import translate
from desktop_app.storage.writer_lock import LockHolder
from desktop_app.ui import format as fmt
from desktop_app.ui.elided_label import ElidedLabel


class _Message(QFrame):
    def __init__(self, text: str, *, closable: bool, severity: fmt.Severity, parent: QWidget,
                 details: str = "") -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        if closable:
            self.label = QLabel(text, self)
            self.label.setWordWrap(True)
        else:
            self.label = ElidedLabel(text, self, min_chars=24)
            self.label.set_details(details)
        colour = fmt.severity_colour(severity)
        if colour is not None:
            # Only the text and the border take the severity colour: the background stays the palette's.
            self.label.setStyleSheet(f"color: {colour.name()}; font-weight: 600;")
            self.setStyleSheet(f"_Message {{ border: 1px solid {colour.name()}; border-radius: 3px; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        if closable:
            button = QToolButton(self)
            button.setText("✕")
            button.setToolTip(self.tr("Dismiss"))
            button.setAutoRaise(True)
            button.clicked.connect(self._dismiss)
            layout.addWidget(button)

    @Slot()
    def _dismiss(self) -> None:
        self.hide()
        self.deleteLater()


class MessageBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._texts: set[str] = set()

    def add_banner(self, text: str, details: str = "") -> None:
        """A permanent notice in one line (demo mode, a watcher); `details` go in its tooltip."""
        self._add(text, closable=False, severity=fmt.Severity.WARN, details=details)

    @Slot(str)
    def add_message(self, text: str) -> None:
        """A dismissible problem report; the same text is shown once. A slot: other threads' signals
        (the history loader's) reach it through a queued connection."""
        self._add(text, closable=True, severity=fmt.Severity.DANGER)

    def _add(self, text: str, *, closable: bool, severity: fmt.Severity, details: str = "") -> None:
        if text in self._texts:
            return
        self._texts.add(text)
        self._layout.addWidget(_Message(text, closable=closable, severity=severity, parent=self,
                                        details=details))

    def remove(self, text: str) -> None:
        """Take a message or banner away (a watcher's banner once the window writes itself)."""
        self._texts.discard(text)
        for message in self.findChildren(_Message):
            if message.label.text() == text:
                message.hide()
                message.deleteLater()

    def texts(self) -> list[str]:
        return [m.label.text() for m in self.findChildren(_Message) if not m.isHidden()]


def watched_banner(holder: LockHolder) -> tuple[str, str]:
    """The banner of a window opened while a watcher writes its configuration: its line, and the
    whole story for its tooltip."""
    line = translate("MessageBar", "Watched: a RiskDesk watcher records the history and sends the Telegram "
                     "alerts; this window only shows them.")
    if holder.pid <= 0:  # the watcher's details could not be read
        return line, translate(
            "MessageBar", "A RiskDesk watcher records this configuration's history and sends its Telegram "
            "alerts. This window shows what it records and alerts on this computer; it records and sends "
            "nothing itself until the watcher stops.")
    return line, translate(
        "MessageBar", "A RiskDesk watcher (process {pid}, running since {since}) records this "
        "configuration's history and sends its Telegram alerts. This window shows what it records and "
        "alerts on this computer; it records and sends nothing itself until the watcher stops.").format(
        pid=holder.pid, since=fmt.date_time(holder.since_s, seconds=False))
