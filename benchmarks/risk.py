"""Risk-engine timings for 20 accounts x 100 positions over 50 coins, and the full recompute at 2,000,
4,000 and 10,000 positions.

Run: python benchmarks/risk.py [--runs N]
Targets: recompute <= 5 ms, full recompute from a snapshot <= 5 ms at 2,000 positions and linear
beyond, first-liquidation search <= 20 ms.

"Full recompute" converts a snapshot into arrays and builds the report. Each account's positions are
converted once per fetch (risk/columns.py), so the rows say how many accounts are new: all of them
(a cold start, or every account answering at once), or one (the live refresher publishes each account
as it answers; the others keep their data, already converted).

Every run times each row once, in turn (interleaved), so a burst of load on a shared machine hits all
rows alike; the calibration row is a fixed pure-Python + numpy workload, a same-process baseline to
compare machines and runs by. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.domain.account import AccountInfo, MarginMode, Position, Wallet
from desktop_app.domain.market import Category, Side
from desktop_app.domain.snapshot import AccountData, AccountState, PortfolioSnapshot
from desktop_app.risk import (
    ReturnModel,
    book_from_snapshot,
    build_report,
    first_liquidation,
    report_to_dict,
    reprice,
)

N_ACCOUNTS, N_POSITIONS, N_COINS, N_DAYS = 20, 100, 50, 365
MODES = (MarginMode.CROSS, MarginMode.ISOLATED, MarginMode.PORTFOLIO)


def _d(x: float) -> Decimal:
    return Decimal(f"{x:.8f}")


def build(rng: np.random.Generator, n_positions: int = N_POSITIONS
          ) -> tuple[PortfolioSnapshot, ReturnModel, dict[str, float]]:
    coins = [f"C{i:02d}" for i in range(N_COINS)]
    price = dict(zip(coins, np.exp(rng.uniform(0, 10, N_COINS)), strict=True))
    accounts = []
    for a in range(N_ACCOUNTS):
        mode = MODES[a % 3]
        positions = []
        for j in range(n_positions):
            coin = coins[int(rng.integers(N_COINS))]
            mark = price[coin]
            size = float(rng.uniform(0.1, 10)) * 1000 / mark
            long = bool(rng.integers(2))
            lev = 10.0
            liq = mark * (1 - 0.09) if long else mark * (1 + 0.09)
            pm = mode is MarginMode.PORTFOLIO
            positions.append(
                Position(
                    Category.LINEAR,
                    f"{coin}USDT",
                    j,
                    Side.LONG if long else Side.SHORT,
                    _d(size),
                    _d(mark),
                    _d(mark),
                    _d(size * mark),
                    None if pm else _d(lev),
                    None if pm else _d(liq),
                    None if pm else _d(size * mark / lev),
                    None if pm else _d(size * mark * 0.005),
                    _d(0),
                    _d(0),
                    1,
                    _d(2e6),
                    "Normal",
                    False,
                    None,
                    "USDT",
                    None,
                )
            )
        wallet = Wallet(
            "UNIFIED",
            _d(60_000),
            _d(60_000),
            _d(60_000),
            _d(30_000),
            _d(0),
            _d(25_000),
            _d(2_500),
            _d(25_000 / 60_000),
            _d(2_500 / 60_000),
        )
        info = AccountInfo(5, mode, False, None)
        accounts.append(
            AccountState(
                f"a{a}", f"Account {a}", AccountData(info, wallet, tuple(positions), 0.0), None, None, 0.0
            )
        )
    closes = {c: price[c] * np.exp(np.cumsum(rng.normal(0, 0.03, N_DAYS))) for c in coins}
    marks = {f"{c}USDT": price[c] * float(rng.uniform(0.98, 1.02)) for c in coins}
    return PortfolioSnapshot(0.0, tuple(accounts)), ReturnModel.from_closes(closes), marks


def refetched(snap: PortfolioSnapshot, accounts: int | None = None) -> PortfolioSnapshot:
    """`snap` as if its first `accounts` (all by default) had just been fetched again: same positions,
    new tuples, so their conversion is not cached."""
    new = len(snap.accounts) if accounts is None else accounts
    states = tuple(
        replace(s, data=replace(s.data, positions=tuple(list(s.data.positions)))) if k < new and s.data else s
        for k, s in enumerate(snap.accounts)
    )
    return replace(snap, accounts=states)


def calibration() -> None:
    """A fixed workload (Python loop + small numpy ops), to tell a slow machine from a slow engine."""
    total = 0.0
    for i in range(20_000):
        total += i * 0.5
    values = np.arange(2_000, dtype=np.float64)
    for _ in range(50):
        values = np.sqrt(values * values + 1.0)


def timed(rows: list[tuple[str, Callable[[], object]]], runs: int) -> list[tuple[float, float]]:
    """(median, p95) ms per row; the rows are run in turn on every run."""
    for _, fn in rows:
        fn()  # warm-up
    samples: list[list[float]] = [[] for _ in rows]
    for _ in range(runs):
        for k, (_, fn) in enumerate(rows):
            t0 = time.perf_counter()
            fn()
            samples[k].append((time.perf_counter() - t0) * 1000)
    out = []
    for row in samples:
        row.sort()
        out.append((statistics.median(row), row[min(len(row) - 1, int(0.95 * len(row)))]))
    return out


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    snap, model, marks = build(np.random.default_rng(7))
    book = book_from_snapshot(snap)
    print(
        f"{N_ACCOUNTS} accounts x {N_POSITIONS} positions, {N_COINS} coins, {model.observations} returns,"
        f" {runs} runs (median / p95 ms)"
    )
    print("before:", _load())
    rows = [
        ("calibration (fixed workload, same process)", calibration),
        (
            "recompute from streamed marks (reprice + report)",
            lambda: build_report(reprice(book, marks), model=model),
        ),
        (
            "full recompute from snapshot, every account new",
            lambda: build_report(book_from_snapshot(refetched(snap)), model=model),
        ),
        ("  of which snapshot -> arrays", lambda: book_from_snapshot(refetched(snap))),
        (
            "full recompute from snapshot, one account new",
            lambda: build_report(book_from_snapshot(refetched(snap, 1)), model=model),
        ),
        ("first-liquidation search, all coins, beta", lambda: first_liquidation(book, model=model)),
        ("first-liquidation search, all coins, no beta", lambda: first_liquidation(book, beta=False)),
        # What a reader pays once per report (the GUI at 1 Hz), not the recompute:
        ("read all rows of a fresh report", lambda: tuple(build_report(book, model=model).positions)),
        ("  of which the report alone", lambda: build_report(book, model=model)),
        ("report_to_dict (CLI --json)", lambda: report_to_dict(build_report(book, model=model))),
    ]
    for (label, _), (median, p95) in zip(rows, timed(rows, runs), strict=True):
        print(f"{label:<52} {median:8.2f} {p95:8.2f}")
    print("after: ", _load())
    first = first_liquidation(book, model=model)
    print("first liquidation:", first.headline if first else "none within -99 % .. +500 %")
    scaling(max(10, runs // 4))


def scaling(runs: int) -> None:
    """Full recompute (every account new, and one new) as the portfolio grows: linear means a flat
    cost per 1,000 positions. The sizes are timed in turn, with the calibration row."""
    sizes = (100, 200, 500)  # positions per account: 2,000, 4,000, 10,000 in all
    builds = [build(np.random.default_rng(7), n) for n in sizes]
    rows: list[tuple[str, Callable[[], object]]] = [("calibration", calibration)]
    for n, (snap, model, _) in zip(sizes, builds, strict=True):
        rows.append((f"{n * N_ACCOUNTS:>6,} positions, every account new",
                     lambda s=snap, m=model: build_report(book_from_snapshot(refetched(s)), model=m)))
        rows.append((f"{n * N_ACCOUNTS:>6,} positions, one account new",
                     lambda s=snap, m=model: build_report(book_from_snapshot(refetched(s, 1)), model=m)))
    print(f"\nfull recompute by size, {runs} runs (median / p95 ms, median ms per 1,000 positions)")
    counts = [0] + [n * N_ACCOUNTS for n in sizes for _ in (0, 1)]
    for (label, _), (median, p95), count in zip(rows, timed(rows, runs), counts, strict=True):
        per_k = f"{median * 1000 / count:8.2f}" if count else ""
        print(f"{label:<52} {median:8.2f} {p95:8.2f} {per_k}")
    print("target: <= 5 ms at 2,000 positions (every account new), linear beyond")


if __name__ == "__main__":
    main()
