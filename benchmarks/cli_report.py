"""`riskdesk-cli report --json` as a whole process: one account against all of them, same run.

Run: python benchmarks/cli_report.py [--accounts 20] [--latency-ms 50] [--rounds 9]
Targets: one account <= 0.45 s; all accounts <= 1.3x one account.

The simulator runs in its own process with `--latency-ms` added to every request (a remote server).
Each round runs, in turn: the report of the first account, the report of every account, and
`python -c pass` (the interpreter's own start, the floor no import work can go below), so a burst of
load on a shared machine hits all rows alike. `-X importtime` of the report command is printed once,
as the modules that cost the most to import. Each row's peak resident memory is measured in runs of
its own after the timed rounds (the CLI's memory; `python -c pass` is the interpreter's own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim_process import start_simulator

from desktop_app.exchange_sim import make_demo_accounts

ROOT = Path(__file__).resolve().parent.parent
SEED = 7


def write_accounts(path: Path, base_url: str, n_accounts: int) -> None:
    # The simulator derives its demo keys from the seed, so the same call here yields the same keys.
    entries = [{"name": a.name, "base_url": base_url, "api_key": a.api_key, "api_secret": a.api_secret,
                "key_type": a.key_type} for a in make_demo_accounts(n_accounts, seed=SEED)]
    path.write_text(json.dumps({"accounts": entries}), encoding="utf-8")


def timed_run(cmd: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


# Spawns argv[2:] and writes its peak RSS (KiB) to argv[1]. A child's peak counts the memory of the
# process it was forked from (Linux keeps the high-water mark across exec), so the measured command is
# started from this small interpreter rather than from the benchmark itself.
_PEAK_RSS_LAUNCHER = """import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak_rss_mib(cmd: list[str]) -> float:
    """Peak resident memory of `cmd` as a whole process, in MiB."""
    with tempfile.TemporaryDirectory(prefix="riskdesk-rss-") as tmp:
        figure = Path(tmp) / "maxrss"
        timed_run([sys.executable, "-S", "-c", _PEAK_RSS_LAUNCHER, str(figure), *cmd])
        return int(figure.read_text()) / 1024  # Linux reports KiB


def import_costs(cmd: list[str], top: int) -> list[tuple[float, str]]:
    """The `top` most expensive top-level imports (cumulative ms) of `cmd` run with -X importtime."""
    done = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, capture_output=True, text=True)
    rows: list[tuple[float, str]] = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and len(match.group(2)) <= 2:  # top level, or one below the command itself
            rows.append((int(match.group(1)) / 1000, match.group(3)))
    total = sum(ms for ms, name in rows if not name.startswith(" "))
    rows.sort(reverse=True)
    return [(total, "(all imports)"), *rows[:top]]


def spread(values: list[float]) -> str:
    low, high = min(values) * 1000, max(values) * 1000
    return f"{statistics.median(values) * 1000:6.0f} ms  (range {low:.0f}-{high:.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    proc, base_url = start_simulator(args.accounts, args.latency_ms, SEED)
    try:
        with tempfile.TemporaryDirectory(prefix="riskdesk-cli-bench-") as tmp:
            one, every = Path(tmp) / "one.json", Path(tmp) / "all.json"
            write_accounts(one, base_url, 1)
            write_accounts(every, base_url, args.accounts)
            report = [sys.executable, "-m", "desktop_app.cli", "report", "--json", "--accounts"]
            rows = {"one account": [*report, str(one)], f"{args.accounts} accounts": [*report, str(every)],
                    "python -c pass": [sys.executable, "-c", "pass"]}
            for cmd in rows.values():
                timed_run(cmd)  # warm-up: page cache, .pyc files, the simulator's first requests
            times: dict[str, list[float]] = {label: [] for label in rows}
            for _ in range(args.rounds):
                for label, cmd in rows.items():
                    times[label].append(timed_run(cmd))
            costs = import_costs(rows["one account"], top=8)
            peaks_mib = {label: statistics.median(peak_rss_mib(cmd) for _ in range(3))
                         for label, cmd in rows.items()}
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    print(f"simulator (separate process) at latency {args.latency_ms:g} ms, {args.rounds} rounds, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for label, values in times.items():
        print(f"{label:<16} {spread(values)}")
    one_s = statistics.median(times["one account"])
    all_s = statistics.median(times[f"{args.accounts} accounts"])
    ratios = [a / o for a, o in zip(times[f"{args.accounts} accounts"], times["one account"], strict=True)]
    print(f"one account: {one_s:.2f} s  (target <= 0.45 s)")
    print(f"{args.accounts} accounts / one account = {all_s / one_s:.2f}  (per round {min(ratios):.2f}-"
          f"{max(ratios):.2f}; target <= 1.30)")
    print("peak RSS per process, median of 3 (MiB): " + ", ".join(
        f"{label} {mib:.0f}" for label, mib in peaks_mib.items()))
    print("imports of `report` (-X importtime, cumulative ms):")
    for ms, name in costs:
        print(f"  {ms:7.1f}  {name.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
