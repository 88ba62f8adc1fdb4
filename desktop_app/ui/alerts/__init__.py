"""Alerts on screen: the banner, the alert log, the tray icon, desktop notifications, and the
alert and Telegram pages of the settings dialog."""
