"""What the demo pays for its accounts at start: the demo account set with the shipped RSA key (what
`--demo` and the self-test do) against the same set with the key generated from the seed (what every
start paid before the key was shipped).

Run: python benchmarks/demo_start.py [--runs N]
Target: the demo accounts cost <= 20 ms at start (the 2 s start-up budget of the frozen self-test has
no room for the ~0.5 s key generation).

Both rows run in the same process, interleaved, so load on a shared machine hits them alike; the
ratio is the figure to compare between machines. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.exchange_sim import accounts

TARGET_MS = 20.0


def _shipped() -> object:
    accounts.rsa_key_pair.cache_clear()  # every run reads the file again, as a fresh process does
    return accounts.make_demo_accounts(seed=accounts.SHIPPED_KEY_SEED)


def _generated() -> object:
    accounts.generate_rsa_key_pair(accounts.SHIPPED_KEY_SEED, accounts.SHIPPED_KEY_BITS)
    accounts.rsa_key_pair.cache_clear()
    return accounts.make_demo_accounts(seed=accounts.SHIPPED_KEY_SEED)


def _time_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _shipped()  # imports and first-use costs out of the way
    shipped, generated = [], []
    for _ in range(args.runs):
        shipped.append(_time_ms(_shipped))
        generated.append(_time_ms(_generated))
    shipped_ms, generated_ms = statistics.median(shipped), statistics.median(generated)
    verdict = "met" if shipped_ms <= TARGET_MS else "NOT met"
    print(f"demo accounts with the shipped key:   median {shipped_ms:7.1f} ms over {args.runs} runs "
          f"(target <= {TARGET_MS:g} ms: {verdict})")
    print(f"demo accounts generating the key:     median {generated_ms:7.1f} ms")
    print(f"saved at every demo start: {generated_ms - shipped_ms:.0f} ms "
          f"({generated_ms / shipped_ms:.0f}x less)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
