"""Small builders for journal values, so tests state only the numbers that matter."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.domain.journal import JournalFunding, JournalTrade

D = Decimal


def trade(time_ms: int, pnl: str, *, account: str = "a", symbol: str = "BTCUSDT") -> JournalTrade:
    return JournalTrade(account, time_ms, symbol, D(pnl), f"{account}:{time_ms}:{symbol}")


def funding(time_ms: int, amount: str, *, account: str = "a", symbol: str = "BTCUSDT") -> JournalFunding:
    return JournalFunding(account, time_ms, symbol, D(amount))
