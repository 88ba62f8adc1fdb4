"""A window opened while a watcher writes its configuration becomes the writer when the watcher stops.

Until then it only watches (app.py, storage/writer_lock.py). Every `interval_ms` it tries the writer
lock, which is a non-blocking local file lock (microseconds on the GUI thread); once it gets it, the
worker starts recording the history and sending the Telegram alerts, and the banner makes way for a
message saying so. Nothing is lost between the two: the watcher wrote until it stopped.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Slot

from desktop_app.i18n import translate
from desktop_app.storage.writer_lock import WINDOW, WriterLock, WriterLockHeld
from desktop_app.ui.context import AppContext
from desktop_app.ui.window.message_bar import MessageBar, watched_banner
from desktop_app.ui.worker.host import WorkerHost

log = logging.getLogger(__name__)

TAKEOVER_INTERVAL_MS = 15_000


class WriterTakeover(QObject):
    def __init__(self, context: AppContext, host: WorkerHost, messages: MessageBar, *,
                 interval_ms: int = TAKEOVER_INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._host = host
        self._messages = messages
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.try_now)
        if context.watched_by is not None and not context.demo:
            self._timer.start()

    @property
    def waiting(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def try_now(self) -> None:
        holder = self._context.watched_by
        if holder is None:
            self._timer.stop()
            return
        try:
            lock = WriterLock.acquire(self._context.paths.config_dir, WINDOW)
        except WriterLockHeld:
            return  # the watcher still runs
        except OSError as exc:
            log.warning("the writer lock cannot be taken: %s", exc.strerror or exc)
            return
        self._timer.stop()
        self._context.writer, self._context.watched_by = lock, None
        self._host.record_history = True
        if self._host.history_path is not None:
            self._host.worker.start_recording(self._host.history_path)
        self._messages.remove(watched_banner(holder)[0])
        self._messages.add_message(translate(
            "MessageBar", "The RiskDesk watcher has stopped: this window records the history and sends the "
            "Telegram alerts from now on."))
