"""Real-time side of the worker, without Qt: streamed repricing, alerts, history, Telegram."""

from __future__ import annotations

from desktop_app.live.alerts import AlertTracker, AlertUpdate, TelegramResult, TelegramSettings, telegram_text
from desktop_app.live.portfolio import GUI_MIN_INTERVAL_S, Coalescer, LivePortfolio
from desktop_app.live.session import LiveSession

__all__ = [
    "GUI_MIN_INTERVAL_S",
    "AlertTracker",
    "AlertUpdate",
    "Coalescer",
    "LivePortfolio",
    "LiveSession",
    "TelegramResult",
    "TelegramSettings",
    "telegram_text",
]
