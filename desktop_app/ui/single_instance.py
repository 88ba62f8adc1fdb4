"""One running instance per user and configuration directory.

The first instance listens on a QLocalServer whose name is derived from the user and the config
dir; a second start connects, asks it to come to the front, and exits. A different `--config-dir`
(tests, --self-test with a temporary dir) gets a different name, so it is never blocked.
"""

from __future__ import annotations

import getpass
import hashlib
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_ACTIVATE = b"activate\n"
_CONNECT_TIMEOUT_MS = 500


def server_name(config_dir: Path, *, demo: bool = False) -> str:
    """A name unique to this user, config directory and mode (short enough for every platform)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    digest = hashlib.sha256(f"{user}\0{config_dir.resolve()}\0{demo}".encode()).hexdigest()[:20]
    return f"riskdesk-{digest}"


def activate_running(name: str) -> bool:
    """Ask a running instance to show itself. True when one answered (this start should exit)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_CONNECT_TIMEOUT_MS):
        return False
    socket.write(_ACTIVATE)
    socket.flush()
    socket.waitForBytesWritten(_CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later starts; `sig_activate` fires when one asks this instance to show itself."""

    sig_activate = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.installer_mutexes: list[int] = []  # Windows: handles kept open while this instance runs
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A crashed instance can leave a stale socket file behind (Unix): remove it and retry.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(socket.deleteLater)

    @Slot()
    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and _ACTIVATE.strip() in bytes(socket.readAll().data()):
            self.sig_activate.emit()


# Inno Setup's AppMutex (packaging/windows/riskdesk.iss) asks the user to close RiskDesk before an
# upgrade while a mutex of this name exists, in the session and in the global namespace.
WINDOWS_MUTEX_NAMES = ("RiskDeskSingleInstance", "Global\\RiskDeskSingleInstance")


def hold_installer_mutex(platform: str = sys.platform) -> list[int]:
    """On Windows, create the named mutexes the installer checks and keep them for the process's life
    (the handles close when it exits). Elsewhere nothing to do. Returns the handles it holds."""
    if platform != "win32":
        return []
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handles = []
    for name in WINDOWS_MUTEX_NAMES:
        handle = kernel32.CreateMutexW(None, False, name)
        if handle:  # Global\ may be refused without the right privilege; the session one suffices
            handles.append(int(handle))
    return handles
