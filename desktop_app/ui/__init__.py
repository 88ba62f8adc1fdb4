"""PySide6 desktop application: main window, worker thread, table models, dialogs."""
