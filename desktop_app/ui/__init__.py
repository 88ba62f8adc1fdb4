"""PySide6 desktop application: main window, worker thread, table models, dialogs."""

from desktop_app.ui import qt_compat

EMIT_FIX_ACTIVE = qt_compat.install()
