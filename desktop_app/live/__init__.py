"""Monitoring without Qt: the loop the window's worker and `riskdesk-cli watch` both run (LiveLoop),
streamed repricing, alerts, history, Telegram."""

from __future__ import annotations

from desktop_app.live.alerts import AlertTracker, AlertUpdate, TelegramResult, TelegramSettings, telegram_text
from desktop_app.live.loop import LiveLoop, LiveSinks
from desktop_app.live.portfolio import GUI_MIN_INTERVAL_S, Coalescer, LivePortfolio
from desktop_app.live.session import LiveSession

__all__ = [
    "GUI_MIN_INTERVAL_S",
    "AlertTracker",
    "AlertUpdate",
    "Coalescer",
    "LiveLoop",
    "LivePortfolio",
    "LiveSession",
    "LiveSinks",
    "TelegramResult",
    "TelegramSettings",
    "telegram_text",
]
