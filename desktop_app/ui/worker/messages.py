"""The immutable values the worker sends to the window on its signals (no Qt in here).

sig_snapshot  -> desktop_app.service.PortfolioUpdate (REST, or repriced: `update.report.repriced`)
sig_error     -> WorkerError
sig_connection-> ConnectionOutcome
sig_alerts    -> AlertUpdate(events, active, worst)
sig_telegram_result -> TelegramResult(ok, message)
The window sends TelegramSettings(token, chat_id) to `RiskWorker.set_telegram`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.live.alerts import AlertUpdate, TelegramResult, TelegramSettings
from desktop_app.live.loop import HISTORY, REFRESH, STREAM

__all__ = ["HISTORY", "REFRESH", "STREAM", "AlertUpdate", "ConnectionOutcome", "TelegramResult",
           "TelegramSettings", "WorkerError"]



@dataclass(frozen=True, slots=True)
class WorkerError:
    """A refresh that failed as a whole, a stream problem or a history problem (account failures
    are inside the update)."""

    message: str
    at: float  # epoch seconds
    source: str = REFRESH  # REFRESH, STREAM or HISTORY


@dataclass(frozen=True, slots=True)
class ConnectionOutcome:
    """The answer to one `test_connection` request: a ConnectionReport, or the client's message."""

    request_id: int
    report: Any | None
    error: str | None
