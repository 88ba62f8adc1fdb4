"""What `riskdesk-cli watch` costs an always-on machine: its resident memory and CPU time while it
watches the simulator's five demo accounts (REST polls every 5 s, prices streaming), and how long a
SIGTERM takes to end it (last history batch written, connections closed, exit 0).

Run: python benchmarks/watch.py [--seconds 60] [--interval 5]
Targets (a Raspberry Pi 4 or a 1-vCPU VPS must run it beside other services):
  resident memory <= 200 MB, CPU <= 5% of one core on average, SIGTERM to exit <= 3 s.

Linux only (it reads /proc). The CPU time is the watcher's own (utime + stime), so the simulator in
this process does not count; the load average is printed before and after, as a busy shared machine
slows the watcher without adding to its CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.exchange_sim import Simulator, make_demo_accounts

ROOT = Path(__file__).resolve().parent.parent
TARGET_RSS_MB, TARGET_CPU_SHARE, TARGET_STOP_S = 200.0, 0.05, 3.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp, Simulator(seed=7, accounts=make_demo_accounts(seed=7)) as sim:
        accounts = Path(tmp) / "accounts.json"
        accounts.write_text(json.dumps({"accounts": [
            {"name": a.name, "base_url": sim.base_url, "api_key": a.api_key, "api_secret": a.api_secret,
             "key_type": a.key_type} for a in sim.accounts]}))
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop_app.cli", "watch", "--accounts", str(accounts), "--config-dir",
             str(Path(tmp) / "config"), "--interval", str(args.interval), "--no-telegram"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            time.sleep(args.interval + 3.0)  # imports, the first refresh, the streams connected
            cpu0, wall0 = _cpu_s(process.pid), time.monotonic()
            peak_mb = 0.0
            while time.monotonic() - wall0 < args.seconds:
                time.sleep(1.0)
                peak_mb = max(peak_mb, _rss_mb(process.pid))
            share = (_cpu_s(process.pid) - cpu0) / (time.monotonic() - wall0)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = process.wait(30)
            stop_s = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
        errors = process.stderr.read().decode() if process.stderr else ""
    print(f"watching {len(sim.accounts)} accounts every {args.interval:g} s for {args.seconds:g} s")
    print(f"resident memory, peak: {peak_mb:.0f} MB (target <= {TARGET_RSS_MB:.0f})")
    print(f"CPU: {share:.1%} of one core (target <= {TARGET_CPU_SHARE:.0%})")
    print(f"SIGTERM to exit: {stop_s:.2f} s, status {code} (target <= {TARGET_STOP_S:g} s, 0)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if errors.strip():
        print(f"stderr: {errors.strip()}")
    ok = peak_mb <= TARGET_RSS_MB and share <= TARGET_CPU_SHARE and stop_s <= TARGET_STOP_S and code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
