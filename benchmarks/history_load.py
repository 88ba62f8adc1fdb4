"""How long the History tab's reads take on a week of 5-second samples for 20 accounts, and how long
the GUI thread stalls while the 7-day read runs on the loader thread.

Builds (or reuses, with --db) a history database of `--days` x `--accounts` at `--step-s` sampling,
four coins, as schema v4 wrote it (samples only), times its migration to v5 (the roll-ups are filled
from the samples), then prints:
- each range's first read (accounts, coins and every chart series since the range's start), at the
  resolution a chart `--columns` pixels wide reads (target: 7 d <= 0.5 s, 30 d <= 1 s), and the
  same read of every raw sample (what v4 did) for comparison;
- a reload that finds one new refresh (what the charts do every few seconds while shown);
- the longest gap between 1 ms timer ticks on the GUI thread while `HistoryLoaderHost` reads the
  whole range on its own thread (target: no stall a user would see, i.e. well under 50 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/history_load.py [--db FILE] [--days 7]
        [--columns 1200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.storage.history_query import HistoryReader
from desktop_app.storage.history_schema import SCHEMA_VERSION, open_history_db, schema_version
from desktop_app.ui.charts.data import SeriesCache
from desktop_app.ui.charts.loader import HistoryLoaderHost

END_S = 1_790_000_000.0
COINS = ("BTC", "ETH", "SOL", "XRP")


def build(path: Path, *, days: float, accounts: int, step_s: float) -> int:
    """Write the samples straight into the schema (the writer's per-refresh path is not what is
    measured here); returns the number of refreshes."""
    count = int(days * 86_400 / step_s)
    conn = open_history_db(path, target_version=4)
    conn.execute("PRAGMA synchronous=OFF")  # a throw-away file: no need to survive a power cut
    start_s = END_S - step_s * (count - 1)
    with conn:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO refresh VALUES (?, ?, ?, 0.0, ?, ?, ?, 0, 0)",
                         ((i + 1, start_s + i * step_s, 1e6 + i, 2e6, 5e5, accounts) for i in range(count)))
        conn.executemany(
            "INSERT INTO account_sample (refresh_id, account_id, account, stale, equity_usd, upnl_usd,"
            " im_rate, mm_rate, available_usd) VALUES (?, ?, ?, 0, ?, 0.0, 0.1, ?, 1e4)",
            ((i + 1, f"acc{a}", f"Account {a}", 5e4 + i % 977, 0.05 + (i % 89) / 1e3)
             for i in range(count) for a in range(accounts)))
        conn.executemany("INSERT INTO exposure_sample VALUES (?, ?, ?, 1e4, 0.0, 1e4)",
                         ((i + 1, f"acc{a}", COINS[a % len(COINS)])
                          for i in range(count) for a in range(accounts)))
        conn.executemany("INSERT INTO account_seen VALUES (?, ?, ?, ?)",
                         ((f"acc{a}", f"Account {a}", start_s, END_S) for a in range(accounts)))
        conn.executemany("INSERT INTO coin_seen VALUES (?, ?, ?)",
                         ((coin, start_s, END_S) for coin in COINS[:accounts]))
    conn.close()
    return count


def longest_stall_ms(app: QApplication, host: HistoryLoaderHost, since_s: float) -> tuple[float, float]:
    """(read time, longest GUI gap) in ms while the loader thread reads since `since_s`."""
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    done: list[object] = []
    host.sig_data.connect(done.append)
    host.sig_error.connect(done.append)
    timer.start()
    began = time.perf_counter()
    host.request(since_s)
    while not done:
        app.processEvents()
        time.sleep(0.0005)
    read_ms = (time.perf_counter() - began) * 1000
    timer.stop()
    return read_ms, max(gaps, default=0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="reuse (or build once into) this file")
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--step-s", type=float, default=5.0)
    parser.add_argument("--columns", type=int, default=1200, help="pixel columns of a chart")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="riskdesk-history-bench-") as tmp:
        path = args.db or Path(tmp) / "history.sqlite3"
        if not path.exists():
            began = time.perf_counter()
            count = build(path, days=args.days, accounts=args.accounts, step_s=args.step_s)
            print(f"built {count:,} refreshes x {args.accounts} accounts (schema v4) "
                  f"in {time.perf_counter() - began:.0f} s")
        conn = open_history_db(path, target_version=4)
        found = schema_version(conn)
        conn.close()
        if found < SCHEMA_VERSION:
            began = time.perf_counter()
            open_history_db(path).close()
            print(f"migration v{found} -> v{SCHEMA_VERSION} (roll-ups filled from the samples): "
                  f"{time.perf_counter() - began:.1f} s, once")
        spans = [("1 h", 3_600.0), ("24 h", 86_400.0), ("7 d", 7 * 86_400.0)]
        if args.days >= 30:
            spans.append(("30 d", 30 * 86_400.0))
        goals = {"7 d": "  (target <= 500 ms)", "30 d": "  (target <= 1000 ms)"}
        with HistoryReader(path) as reader:
            for label, span_s in spans:
                began = time.perf_counter()
                cache = SeriesCache()
                cache.load(reader, END_S - span_s, args.columns)
                took_ms = (time.perf_counter() - began) * 1000
                resolution = f"{cache.width_s // 60}-minute buckets" if cache.width_s else "raw samples"
                print(f"first read of {label}: {took_ms:.0f} ms ({resolution}){goals.get(label, '')}")
            for label, span_s in spans[1:]:
                began = time.perf_counter()
                SeriesCache().load(reader, END_S - span_s, columns=10**9)  # too many columns for a roll-up
                print(f"  the same {label} from every raw sample (as v4 read it): "
                      f"{(time.perf_counter() - began) * 1000:.0f} ms")
            cache = SeriesCache()
            cache.load(reader, END_S - 86_400.0, args.columns)
            began = time.perf_counter()
            cache.load(reader, END_S - 86_400.0, args.columns)
            print(f"reload with nothing new: {(time.perf_counter() - began) * 1000:.1f} ms")
        host = HistoryLoaderHost(path)
        try:
            read_ms, stall_ms = longest_stall_ms(app, host, END_S - 7 * 86_400.0)
        finally:
            host.shutdown()
        print(f"7 d read on the loader thread: {read_ms:.0f} ms; longest GUI-thread gap meanwhile "
              f"{stall_ms:.1f} ms (1 ms timer)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
