"""What the live loop's reports compute and how long its history keeps them: the settings file's
`var_confidence_levels`, `var_horizon_days` and `history_retention_days`, for the window and the
watcher alike."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.storage.history import DEFAULT_RETENTION_DAYS
from desktop_app.storage.settings import Settings


@dataclass(frozen=True, slots=True)
class ReportOptions:
    var_confidences: tuple[float, ...] = (0.95, 0.99)  # fractions: 0.99 = 99 %
    var_horizon_days: int = 1
    history_retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_settings(cls, settings: Settings) -> ReportOptions:
        return cls(var_confidences=tuple(settings.var_confidence_levels),
                   var_horizon_days=settings.var_horizon_days,
                   history_retention_days=settings.history_retention_days)


DEFAULT_REPORT_OPTIONS = ReportOptions()
