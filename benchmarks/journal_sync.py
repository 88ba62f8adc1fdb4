"""Journal sync cost: requests and time of a first sync of a 90-day journal, then of reopening it.

Run: python benchmarks/journal_sync.py [--days 90]
Goal (issue 17): reopening a synced 90-day journal makes a handful of requests per account (at most
10: its type, one window per history stream, its positions; plus the host's market data), and costs
a small fraction of the first sync.

The simulator runs in this process with Bybit's limits (25 transaction-log requests a second per
account, so a first sync of 90 days is paced by them); its request counter counts every HTTP request.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.exchange_sim import Simulator
from desktop_app.journal_sync import JournalService
from desktop_app.storage.journal_cache import JournalCache
from desktop_app.ui.demo import sim_account_specs

GOAL_REQUESTS_PER_ACCOUNT = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    with Simulator(seed=7, realtime=True, streams=False, page_size_cap=None) as sim:
        specs = sim_account_specs(sim)
        cache = JournalCache.in_memory()

        async def measure() -> list[tuple[int, float]]:
            service = JournalService(cache)
            results = []
            try:
                for _ in range(2):
                    before, started = sim.stats.requests, time.perf_counter()
                    report = await service.sync(specs, args.days)
                    assert report.complete, [a.error for a in report.accounts]
                    results.append((sim.stats.requests - before, time.perf_counter() - started))
            finally:
                await service.aclose()
            return results

        (first_n, first_s), (second_n, second_s) = asyncio.run(measure())
    accounts = len(specs)
    print(f"{accounts} accounts, a {args.days}-day journal")
    print(f"first sync:  {first_n} requests, {first_s:.2f} s")
    print(f"second sync: {second_n} requests ({second_n / accounts:.1f} per account), {second_s:.2f} s "
          f"= {second_s / first_s:.0%} of the first")
    ok = second_n <= GOAL_REQUESTS_PER_ACCOUNT * accounts
    verdict = "met" if ok else "MISSED"
    print(f"goal: at most {GOAL_REQUESTS_PER_ACCOUNT} requests per account on reopening: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
