"""Shared plumbing of `report` and `stress`: load accounts, run one refresh, map outcomes to exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from typing import Any

from desktop_app.bybit.http import DEFAULT_DEADLINE_S
from desktop_app.commands.accounts_source import AccountsFileError, resolve_accounts
from desktop_app.domain.limits import MAX_SHOWN
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.service import PortfolioUpdate, RiskService

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_ACCOUNT_FAILED = 3


def fail(message: str) -> int:
    """One-line reason on stderr, exit status 2."""
    print(f"riskdesk-cli: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def load_accounts(args: argparse.Namespace) -> tuple[AccountSpec, ...] | None:
    try:
        return resolve_accounts(args)
    except AccountsFileError as exc:
        fail(str(exc))
        return None


def fetch(accounts: tuple[AccountSpec, ...], deadline_s: float = DEFAULT_DEADLINE_S) -> PortfolioUpdate:
    """One complete refresh with a pool that lives only for this command; each account answers
    within `deadline_s` or is reported failed, so the command ends in about that time at most."""

    async def run() -> PortfolioUpdate:
        service = RiskService(deadline_s=deadline_s)
        try:
            return await service.update(accounts)
        finally:
            await service.aclose()

    return asyncio.run(run())


def exit_status(update: PortfolioUpdate) -> int:
    return EXIT_OK if update.snapshot.complete else EXIT_ACCOUNT_FAILED


def print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def money(value: float | None) -> str:
    """`12,345.67`; a dash for unknown, and for a figure no account can have (never `nan`, `inf`)."""
    if value is None or not math.isfinite(value) or abs(value) > MAX_SHOWN:
        return "—"
    return f"{value:,.2f}"


def percent(value: float | None, digits: int = 2) -> str:
    if value is None or math.isnan(value):
        return "—"
    # An MM rate whose denominator (margin balance) is wiped out is infinite: the account is gone.
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value * 100:.{digits}f}%" if abs(value) <= MAX_SHOWN else "—"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain text table, numbers right-aligned, for terminals and logs."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        lines.append("  ".join(cells))
    return "\n".join(lines)
