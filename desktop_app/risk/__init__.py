"""Risk engine: pure functions on numpy arrays (no I/O, no Qt).

prepare_positions(state.data.positions)                 # convert one account as it answers (optional)
book = book_from_snapshot(snapshot)                     # PortfolioSnapshot -> flat float64 arrays
model = ReturnModel.from_closes({"BTC": closes, ...})   # daily closes, oldest first; once a day
report = build_report(book, model=model)                # RiskReport
report.positions                                        # PositionTable: a Sequence[PositionRisk] whose rows
                                                        #   are built on first read; columns as arrays
live = build_report(reprice(book, {"BTCUSDT": 61_000.0}), model=model)   # repriced, no network
result = stress(book, {"BTC": -0.15}, model=model)      # StressResult
report_to_dict(report), stress_to_dict(result)          # JSON-ready
"""

from __future__ import annotations

from desktop_app.risk.book import Book
from desktop_app.risk.columns import prepare_positions
from desktop_app.risk.convert import book_from_snapshot
from desktop_app.risk.report import build_report
from desktop_app.risk.repricing import reprice
from desktop_app.risk.results import (
    AccountRisk,
    AccountStress,
    CoinExposure,
    FirstLiquidation,
    Hedge,
    LiquidatedPosition,
    PositionRisk,
    RiskReport,
    StressResult,
    Totals,
    VarResult,
)
from desktop_app.risk.returns import ReturnModel
from desktop_app.risk.scenarios import account_liquidations, first_liquidation, liquidation_thresholds, stress
from desktop_app.risk.serialise import report_to_dict, stress_to_dict
from desktop_app.risk.table import PositionTable

__all__ = [
    "AccountRisk",
    "AccountStress",
    "Book",
    "CoinExposure",
    "FirstLiquidation",
    "Hedge",
    "LiquidatedPosition",
    "PositionRisk",
    "PositionTable",
    "ReturnModel",
    "RiskReport",
    "StressResult",
    "Totals",
    "VarResult",
    "account_liquidations",
    "book_from_snapshot",
    "build_report",
    "first_liquidation",
    "liquidation_thresholds",
    "prepare_positions",
    "report_to_dict",
    "reprice",
    "stress",
    "stress_to_dict",
]
