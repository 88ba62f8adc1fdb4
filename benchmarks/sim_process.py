"""The simulator in a process of its own, for benchmarks that time a client against it: the client
then pays only its own CPU, as against the real exchange."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_simulator(n_accounts: int, latency_ms: float, seed: int) -> tuple[subprocess.Popen[str], str]:
    """`riskdesk-cli simulate` in its own process; returns it and its base URL once it listens."""
    cmd = [sys.executable, "-m", "desktop_app.cli", "simulate", "--accounts", str(n_accounts),
           "--latency-ms", str(latency_ms), "--port", "0", "--seed", str(seed), "--page-size", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if match:
            return proc, match.group(1)
    proc.kill()
    raise RuntimeError("the simulator did not start")
