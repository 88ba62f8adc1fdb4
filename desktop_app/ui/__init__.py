"""PySide6 desktop application: main window, worker thread, table models, dialogs.

The Qt-free core the window runs on is imported here, before any module of this package imports
PySide6: shiboken6 installs an import hook that reads the source text of every module imported after
it (to see whether the module uses PySide6), and linecache keeps that text. Imported first, the core's
hundred-odd modules and their libraries (numpy, httpx, websockets, keyring) are not read: 16 MiB less
memory in the demo window (benchmarks/memory.py), and less work at start-up.
"""

import desktop_app.journal_sync.service
import desktop_app.live.session
import desktop_app.service
import desktop_app.storage.accounts
import desktop_app.storage.secrets  # noqa: F401
