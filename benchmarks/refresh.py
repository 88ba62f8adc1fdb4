"""Refresh timings: 20 accounts concurrently (Monitor.refresh) vs one account at a time, same run.

Run: python benchmarks/refresh.py [--accounts 20] [--latency-ms 50] [--rounds 7] [--pause-s 1.5]
Target: a concurrent refresh of 20 accounts takes at most 2x one account's refresh.

The simulator runs in a separate process (`riskdesk-cli simulate`), so its threads do not compete
with the client's event loop for the GIL. On a 2-core machine it still competes for the cores, so
the CPU time each side spends per concurrent refresh is printed too (the client's is what RiskDesk
can cut; the simulator stands in for Bybit's servers, which do their work elsewhere).
Each measured step is followed by a pause, so every account
starts with a fresh per-UID window and the process stays well inside the IP budget (600 requests per
5 s): the client-side IP limiter's waits are printed per round, and must be zero for a fair figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim_process import start_simulator

from desktop_app.bybit.environments import custom
from desktop_app.bybit.http import HttpPool
from desktop_app.bybit.ratelimit import IP_BUDGET, IP_WINDOW_S, WINDOW_MARGIN, SlidingWindowLimiter
from desktop_app.domain.credentials import Credentials, KeyType, Secret
from desktop_app.domain.snapshot import AccountSpec
from desktop_app.exchange_sim import make_demo_accounts
from desktop_app.monitor import Monitor

SEED = 7


class CountingIpLimiter(SlidingWindowLimiter):
    """The client's IP limiter, adding up how long requests waited for it."""

    def __init__(self) -> None:
        super().__init__(IP_BUDGET, IP_WINDOW_S * WINDOW_MARGIN)
        self.waited_s = 0.0
        self.granted = 0

    async def acquire(self) -> float:
        waited = await super().acquire()
        self.waited_s += waited
        self.granted += 1
        return waited


def specs_for(base_url: str, n_accounts: int) -> list[AccountSpec]:
    # The simulator derives its demo keys from the seed, so the same call here yields the same keys.
    return [AccountSpec(f"bench-{a.uid}", a.name, custom(base_url),
                        Credentials(a.api_key, Secret(a.api_secret), KeyType(a.key_type)))
            for a in make_demo_accounts(n_accounts, seed=SEED)]


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc), None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(base_url: str, n_accounts: int, rounds: int, pause_s: float, sim_pid: int) -> None:
    limiter = CountingIpLimiter()
    pool = HttpPool(ip_limiter=limiter)
    monitor = Monitor(pool)
    specs = specs_for(base_url, n_accounts)
    try:
        warm = await monitor.refresh(specs)   # connections, clock sync and RSA key loading
        failed = [s.name for s in warm.accounts if not s.ok]
        if failed:
            raise RuntimeError(f"accounts failed in the warm-up: {failed}")
        await asyncio.sleep(pause_s)
        concurrent_s: list[float] = []
        client_cpu_s: list[float] = []
        sim_cpu_s: list[float] = []
        single_s: list[float] = []
        sequence_s: list[float] = []
        print(f"{'round':>5}  {'concurrent ms':>13}  {'one-by-one total ms':>19}  {'median single ms':>16}  "
              f"{'IP-limiter wait ms':>18}")
        for r in range(1, rounds + 1):
            waited_before = limiter.waited_s
            sim_before = process_cpu_s(sim_pid)
            cpu_before = time.process_time()
            t0 = time.perf_counter()
            snapshot = await monitor.refresh(specs)
            concurrent_s.append(time.perf_counter() - t0)
            client_cpu_s.append(time.process_time() - cpu_before)
            sim_after = process_cpu_s(sim_pid)
            if sim_before is not None and sim_after is not None:
                sim_cpu_s.append(sim_after - sim_before)
            if not snapshot.complete:
                raise RuntimeError("an account failed during the concurrent refresh")
            await asyncio.sleep(pause_s)
            singles: list[float] = []
            for spec in specs:
                t1 = time.perf_counter()
                state = await monitor.refresh_account(spec)
                singles.append(time.perf_counter() - t1)
                if not state.ok:
                    raise RuntimeError(f"{spec.name} failed: {state.error}")
            sequence_s.append(sum(singles))
            single_s.extend(singles)
            waited_ms = (limiter.waited_s - waited_before) * 1000
            print(f"{r:>5}  {concurrent_s[-1] * 1000:>13.1f}  {sequence_s[-1] * 1000:>19.1f}  "
                  f"{statistics.median(singles) * 1000:>16.1f}  {waited_ms:>18.1f}")
            await asyncio.sleep(pause_s)
    finally:
        await pool.aclose()
    conc, single, seq = (statistics.median(v) for v in (concurrent_s, single_s, sequence_s))
    print()
    per_refresh = limiter.granted // (2 * rounds + 1)
    print(f"accounts {n_accounts}, requests per refresh of all accounts ~{per_refresh}")
    print(f"median concurrent refresh of {n_accounts} accounts: {conc * 1000:.1f} ms")
    print(f"median single-account refresh:                {single * 1000:.1f} ms")
    print(f"median one-by-one refresh of {n_accounts} accounts: {seq * 1000:.1f} ms")
    print(f"concurrent / single account = {conc / single:.2f}  (target <= 2.00)")
    print(f"one-by-one / concurrent     = {seq / conc:.1f}x")
    print(f"client IP-limiter wait over the whole run: {limiter.waited_s * 1000:.1f} ms")
    cpu = statistics.median(client_cpu_s)
    print(f"client CPU per concurrent refresh: {cpu * 1000:.1f} ms median "
          f"({min(client_cpu_s) * 1000:.1f}-{max(client_cpu_s) * 1000:.1f}), "
          f"{cpu * 1000 / n_accounts:.2f} ms per account")
    if sim_cpu_s:
        print(f"simulator CPU per concurrent refresh: {statistics.median(sim_cpu_s) * 1000:.0f} ms median "
              f"(its process; 10 ms clock ticks)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pause-s", type=float, default=1.5,
                        help="pause after each measured step (>= 1 s: fresh per-UID windows, IP budget)")
    args = parser.parse_args()
    proc, base_url = start_simulator(args.accounts, args.latency_ms, SEED)
    try:
        print(f"simulator (separate process) at {base_url}, latency {args.latency_ms:g} ms, "
              f"{args.accounts} accounts, {args.rounds} rounds, pause {args.pause_s:g} s")
        asyncio.run(measure(base_url, args.accounts, args.rounds, args.pause_s, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
