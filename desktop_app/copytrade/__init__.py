"""Copy-trading calculator: replay a master's orders on a follower's settings and explain the gap.

Pure: Decimal arithmetic, no I/O, no Qt.
"""

from __future__ import annotations

from desktop_app.copytrade.costs import cost_factor, order_cost, qty_for_budget
from desktop_app.copytrade.model import (
    Action,
    Cause,
    CopyMode,
    FollowerSettings,
    MasterOrder,
    MasterSettings,
    OrderResult,
    QtyRules,
    Reason,
    Replay,
    Scenario,
    ScenarioError,
    Summary,
)
from desktop_app.copytrade.presets import PRESETS
from desktop_app.copytrade.replay import replay
from desktop_app.copytrade.scenario import scenario_from_dict, scenario_to_dict, validate

__all__ = [
    "PRESETS",
    "Action",
    "Cause",
    "CopyMode",
    "FollowerSettings",
    "MasterOrder",
    "MasterSettings",
    "OrderResult",
    "QtyRules",
    "Reason",
    "Replay",
    "Scenario",
    "ScenarioError",
    "Summary",
    "cost_factor",
    "order_cost",
    "qty_for_budget",
    "replay",
    "scenario_from_dict",
    "scenario_to_dict",
    "validate",
]
