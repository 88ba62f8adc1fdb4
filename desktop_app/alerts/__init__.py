"""Alerts: threshold rules with hysteresis, de-duplication and cool-down; the Telegram sender. No Qt."""

from __future__ import annotations

from desktop_app.alerts.config import (
    RULE_DIRECTIONS,
    RULE_UNITS,
    AlertConfig,
    AlertConfigError,
    AlertRule,
    load_alert_config,
)
from desktop_app.alerts.engine import AlertEngine
from desktop_app.alerts.model import ActiveAlert, Alert, AlertEvent, AlertKey, EventKind, Severity, worst

__all__ = [
    "RULE_DIRECTIONS",
    "RULE_UNITS",
    "ActiveAlert",
    "Alert",
    "AlertConfig",
    "AlertConfigError",
    "AlertEngine",
    "AlertEvent",
    "AlertKey",
    "AlertRule",
    "EventKind",
    "Severity",
    "load_alert_config",
    "worst",
]
