"""`riskdesk-cli journal [--accounts FILE] [--days N] [--json]`: realised PnL, win rate, drawdown and
funding per account and in total, from Bybit's history.

With the app's configured accounts the history is cached in the app's history database (a second run
asks only for what is new); with `--accounts FILE` it is kept in memory for this run only. Exit status
as `report`: 0 every account synced, 3 some account failed (the journal still prints, the account's
error on its line: Bybit's answer, or the cache's, e.g. a full disk), 2 bad arguments; and 1 when no
journal could be built at all (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from desktop_app.bybit.http import DEFAULT_DEADLINE_S, HttpPool
from desktop_app.commands.accounts_source import add_accounts_arguments
from desktop_app.commands.copytrade import dumps_exact
from desktop_app.commands.runner import EXIT_ACCOUNT_FAILED, EXIT_OK, load_accounts, table
from desktop_app.domain.journal import JournalFigures
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.journal_sync import DEFAULT_DAYS, MAX_DAYS, JournalReport, JournalService
from desktop_app.journal_sync.service import ACCOUNT_SYNC_TIMEOUT_S
from desktop_app.storage.history_schema import HistoryError
from desktop_app.storage.journal_cache import JournalCache

FIGURE_KEYS = ("trades", "wins", "losses", "win_rate", "profit_factor", "realised_pnl_usd", "funding_usd",
               "net_pnl_usd", "max_drawdown_usd", "by_symbol", "funding_next_24h_usd")
_MONEY = Decimal("0.00000001")  # Bybit's own precision for amounts
_RATIO = Decimal("0.000001")
EXIT_NO_JOURNAL = 1


def now_ms() -> int:
    """This computer's clock (tests point it at the simulator's); the sync reads the exchange's time
    from it and the offset it measures to the host."""
    return int(time.time() * 1000)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--days must be a whole number of days, not {text!r}") from None
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"--days must be 1 to {MAX_DAYS} (Bybit keeps two years)")
    return days


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=_days, default=DEFAULT_DAYS, metavar="N",
                        help=f"the period: the last N days (default {DEFAULT_DAYS}, at most {MAX_DAYS})")
    add_accounts_arguments(parser, deadline_help=(
        f"give up on a request that has not been answered completely within SECONDS (default "
        f"{DEFAULT_DEADLINE_S:g}); an account whose whole sync takes longer than "
        f"{ACCOUNT_SYNC_TIMEOUT_S:g} s is reported failed"))


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_MONEY)


def figures_dict(figures: JournalFigures | None) -> dict[str, Any]:
    """The figures under the issue's names; every value None when there are none."""
    if figures is None:
        return dict.fromkeys(FIGURE_KEYS)
    return {
        "trades": figures.trades, "wins": figures.wins, "losses": figures.losses,
        "win_rate": None if figures.win_rate is None else figures.win_rate.quantize(_RATIO),
        "profit_factor": None if figures.profit_factor is None else figures.profit_factor.quantize(_RATIO),
        "realised_pnl_usd": _money(figures.realised_pnl_usd), "funding_usd": _money(figures.funding_usd),
        "net_pnl_usd": _money(figures.net_pnl_usd), "max_drawdown_usd": _money(figures.max_drawdown_usd),
        "by_symbol": [{"symbol": s.symbol, "trades": s.trades, "realised_pnl_usd": _money(s.realised_pnl_usd)}
                      for s in figures.by_symbol],
        "funding_next_24h_usd": _money(figures.funding_next_24h_usd),
    }


def journal_document(report: JournalReport) -> dict[str, Any]:
    """`accounts` (name, ok, error and the figures; figures null for an account that failed) and
    `total` (the same figures, over the accounts synced now; null when none was)."""
    return {
        "accounts": [{"name": a.name, "ok": a.ok, "error": a.error,
                      **figures_dict(a.figures if a.ok else None)} for a in report.accounts],
        "total": figures_dict(report.total() if report.in_total else None),
    }


def _fmt(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row(name: str, status: str, f: JournalFigures | None) -> list[str]:
    if f is None:
        return [name, status, *["—"] * 8]
    return [name, status, str(f.trades), _percent(f.win_rate), _fmt(f.profit_factor),
            _fmt(f.realised_pnl_usd), _fmt(f.funding_usd), _fmt(f.net_pnl_usd), _fmt(f.max_drawdown_usd),
            _fmt(f.funding_next_24h_usd)]


def format_journal(report: JournalReport, days: int) -> str:
    def stamp(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")

    rows = [_row(a.name, "ok" if a.ok else f"FAILED: {_one_line(a.error)}", a.figures if a.ok else None)
            for a in report.accounts]
    total = report.total()
    rows.append(_row("Total", "", total if report.in_total else None))
    accounts = table(["Account", "Status", "Trades", "Win rate", "Profit factor", "Realised USD",
                      "Funding USD", "Net USD", "Max drawdown USD", "Funding next 24 h USD"], rows)
    symbols = table(["Symbol", "Trades", "Realised USD"],
                    [[s.symbol, str(s.trades), _fmt(s.realised_pnl_usd)] for s in total.by_symbol])
    header = f"Journal of the last {days} days ({stamp(report.start_ms)} to {stamp(report.end_ms)} UTC)"
    return "\n\n".join([header, accounts, "By symbol, all accounts:\n" + symbols])


def _one_line(text: str | None) -> str:
    return " ".join(str(text).split())


def _open_cache(args: argparse.Namespace) -> JournalCache:
    if args.accounts is not None:
        return JournalCache.in_memory()
    from desktop_app.storage.paths import AppPaths

    try:
        return JournalCache.open(AppPaths.resolve(args.config_dir).history_db)
    except HistoryError as exc:
        print(f"riskdesk-cli: warning: {exc}; the journal is not cached this time", file=sys.stderr)
        return JournalCache.in_memory()


def sync(specs: tuple[AccountSpec, ...], cache: JournalCache, days: int,
         deadline_s: float = DEFAULT_DEADLINE_S) -> JournalReport:
    """Each request ends within `deadline_s` (--deadline), each account's sync within the service's
    own bound (ACCOUNT_SYNC_TIMEOUT_S): a sync walks many windows, so its requests' deadline alone
    does not bound it."""
    async def run() -> JournalReport:
        pool = HttpPool(deadline_s=deadline_s, now_ms=now_ms)
        service = JournalService(cache, pool, now_ms=now_ms)
        try:
            return await service.sync(specs, days)
        finally:
            await service.aclose()
            await pool.aclose()

    return asyncio.run(run())


def run(args: argparse.Namespace) -> int:
    specs = load_accounts(args)
    if specs is None:
        return 2
    cache = _open_cache(args)
    try:
        report = sync(specs, cache, args.days, args.deadline)
    except Exception as exc:  # the cache or a bug: one line and a status of its own, never a traceback
        reason = f"{type(exc).__name__}: {_one_line(str(exc))}"
        print(f"riskdesk-cli: error: no journal ({reason})", file=sys.stderr)
        return EXIT_NO_JOURNAL
    finally:
        cache.close()
    if args.json:
        print(dumps_exact(journal_document(report)))
    else:
        print(format_journal(report, args.days))
    return EXIT_OK if report.complete else EXIT_ACCOUNT_FAILED
