"""Shared plumbing of `report` and `stress`: load accounts, run one refresh, map outcomes to exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from typing import Any

from desktop_app.commands.accounts_source import AccountsFileError, resolve_accounts
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


def fetch(accounts: tuple[AccountSpec, ...]) -> PortfolioUpdate:
    """One complete refresh with a pool that lives only for this command."""

    async def run() -> PortfolioUpdate:
        service = RiskService()
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
    return "—" if value is None else f"{value:,.2f}"


def percent(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    # An MM rate whose denominator (margin balance) is wiped out is infinite: the account is gone.
    return f"{value * 100:.{digits}f}%" if math.isfinite(value) else "∞"


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
