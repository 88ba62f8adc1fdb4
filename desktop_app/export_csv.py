"""CSV export of a risk report: the positions table, and every figure of the report. No Qt.

Numbers are written unformatted (Python's shortest round-trip text, "." decimal point, no thousands
separators, fractions as fractions) so spreadsheets and scripts read them back exactly; unknown
values (None) are empty cells, booleans are "true"/"false", lists of accounts are joined with ";".
Columns follow the field order of the result dataclasses, so a new field shows up without edits here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import fields

from desktop_app.risk.results import PositionRisk, RiskReport

REPORT_COLUMNS = ("section", "subject", "field", "value")
_POSITION_FIELDS = tuple(f.name for f in fields(PositionRisk))


def cell(value: object) -> str:
    """One value as CSV text: '' for None, 'true'/'false', repr-exact floats, ';'-joined tuples."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, tuple | list):
        return ";".join(cell(v) for v in value)
    return str(value)


def _write(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends, what spreadsheets expect
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()


def positions_csv(report: RiskReport) -> str:
    """Every position of the report, one row each, with a header row of field names."""
    rows: list[Sequence[object]] = [_POSITION_FIELDS]
    rows.extend(tuple(getattr(p, name) for name in _POSITION_FIELDS) for p in report.positions)
    return _write(rows)


def report_csv(report: RiskReport) -> str:
    """The whole report in long form, one figure per row: section, subject, field, value.

    Sections: report, totals, account (by name), exposure (by coin), hedge (by coin), var (by
    confidence/horizon), first_liquidation. Positions are in `positions_csv`.
    """
    rows: list[Sequence[object]] = [REPORT_COLUMNS]
    rows.append(("report", "", "taken_at", report.taken_at))
    rows.append(("report", "", "source", report.source))
    rows.append(("report", "", "repriced", report.repriced))
    rows.append(("report", "", "worst_account", report.worst_account))
    rows.extend(_figures("totals", "portfolio", report.totals))
    for account in report.accounts:
        rows.extend(_figures("account", account.name, account, skip=("name",)))
    for exposure in report.exposure:
        rows.extend(_figures("exposure", exposure.coin, exposure, skip=("coin",)))
    for hedge in report.hedges:
        rows.extend(_figures("hedge", hedge.coin, hedge, skip=("coin",)))
    for var in report.var:
        subject = f"{cell(var.confidence)}/{var.horizon_days}d"
        rows.extend(_figures("var", subject, var))
    first = report.first_liquidation
    if first is not None:
        rows.extend(_figures("first_liquidation", first.coin, first, skip=("coin",)))
    return _write(rows)


def _figures(section: str, subject: str, value: object, *,
             skip: tuple[str, ...] = ()) -> list[tuple[object, ...]]:
    return [(section, subject, f.name, getattr(value, f.name))
            for f in fields(value) if f.name not in skip]  # type: ignore[arg-type]
