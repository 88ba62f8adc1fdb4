"""JSON-ready dicts of the engine's results, for `riskdesk-cli report --json` / `stress --json`.

USD amounts are floats, rates fractions, unknown values None; non-finite floats (an MM rate whose
denominator is wiped out) become None too, because JSON has no infinity, and so do figures past
`limits.MAX_SHOWN`, which no account can have: unknown is said as unknown, never as a wrong number.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from desktop_app.domain.limits import MAX_SHOWN
from desktop_app.risk.results import FirstLiquidation, PositionRisk, RiskReport, StressResult
from desktop_app.risk.table import FIELD_NAMES, PositionTable


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) <= MAX_SHOWN else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def first_liquidation_to_dict(first: FirstLiquidation | None) -> dict[str, Any] | None:
    """coin, shock, account, account_id, symbol, side and a one-line headline; None stays None."""
    if first is None:
        return None
    return _clean({**dataclasses.asdict(first), "headline": first.headline})


def positions_to_dicts(positions: Sequence[PositionRisk]) -> list[dict[str, Any]]:
    """One dict per position with the `PositionRisk` fields, as `dataclasses.asdict` gives them."""
    if isinstance(positions, PositionTable):  # straight from the columns: no row objects, no deep copies
        columns = positions.columns(finite_only=True)
        return [dict(zip(FIELD_NAMES, row, strict=True)) for row in zip(*columns, strict=True)]
    return _clean([dataclasses.asdict(p) for p in positions])


def report_to_dict(report: RiskReport) -> dict[str, Any]:
    """The report as plain dicts/lists/floats/str/None (json.dumps-able)."""
    # asdict would take a PositionTable (a dataclass of arrays) apart field by field, so the positions
    # are converted on their own; the key keeps its place in the dict.
    out = _clean(dataclasses.asdict(dataclasses.replace(report, positions=())))
    out["positions"] = positions_to_dicts(report.positions)
    out["first_liquidation"] = first_liquidation_to_dict(report.first_liquidation)
    return out


def stress_to_dict(result: StressResult) -> dict[str, Any]:
    """The stress result; `shocks` and `moves` as {coin: fraction} objects."""
    out = _clean(dataclasses.asdict(result))
    out["shocks"] = {c: s for c, s in result.shocks}
    out["moves"] = {c: m for c, m in result.moves}
    out["first_liquidation"] = first_liquidation_to_dict(result.first_liquidation)
    return out
