"""The main window: header, message bar, status bar, menus, alerting glue and the saved layout."""
