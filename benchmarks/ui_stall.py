"""Longest GUI event-loop stall while the worker refreshes: the GUI thread must never block.

Runs the real main window against the simulator (20 accounts, 200 ms injected latency on every
request, the app's default 5 s refresh interval, Bybit's page sizes) and measures how late a 5 ms
GUI timer fires. A stall is the delay beyond the timer's interval. The simulator runs in a child
process at lower priority, standing in for Bybit (a remote server); `--in-process` runs it on
threads of this process as `riskdesk --demo` does, where it competes for the GIL too.

Printed: the longest stall while a refresh after the first one is in flight with its p99, the
longest over the whole run including table renders, the cold start (first refresh, imports, first
layout and paint) on its own line, and the same probe with the window shown and the worker not
running, before the worker starts and after it stops (this machine's own noise: a shared 2-core box
stalls an idle event loop by tens of ms). The app's share is the longest stall while it works minus
the longest idle one of the same run (target <= 50 ms).

    .venv/bin/python benchmarks/ui_stall.py [--seconds 30] [--accounts 20] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from desktop_app.exchange_sim import Simulator, make_demo_accounts
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.settings import Settings
from desktop_app.ui.app import build_window
from desktop_app.ui.context import demo_context
from desktop_app.ui.demo import sim_account_specs

PROBE_MS = 5
EXPLAIN_AFTER_MS = 30  # --explain: what the GUI thread is doing once a stall has lasted this long


class StallSampler:
    """--explain: a thread that, when the GUI thread has not ticked for EXPLAIN_AFTER_MS, records the
    GUI thread's stack (what it is busy with, or waiting for) once per stall."""

    def __init__(self, probe: StallProbe) -> None:
        self.probe = probe
        self.gui_thread = threading.get_ident()
        self.stacks: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def _run(self) -> None:
        sampled_for = 0.0
        while not self._stop.wait(0.005):
            last = self.probe.last
            if last != sampled_for and (time.perf_counter() - last) * 1000 > EXPLAIN_AFTER_MS:
                sampled_for = last
                frames = sys._current_frames()
                frame = frames.get(self.gui_thread)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-6:]
                    lines = [f"    {Path(f.filename).name}:{f.lineno} {f.name}" for f in stack]
                    # The other threads' innermost frames: one of them may hold the GIL in a long C call.
                    names = {t.ident: t.name for t in threading.enumerate()}
                    for ident, other in frames.items():
                        if ident not in (self.gui_thread, threading.get_ident()):
                            inner = traceback.extract_stack(other)[-2:]
                            where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                               for f in reversed(inner))
                            lines.append(f"      [{names.get(ident, ident)}] {where}")
                    self.stacks["\n".join(lines)] += 1


def _serve(conn: object, accounts: int, latency_ms: float) -> None:
    """Child process: run the simulator, send back its URL and accounts, serve until told to stop.

    It stands in for Bybit, a remote server whose work never competes with the app for CPU; on a
    machine with few cores a lower priority keeps it from preempting the app's threads.
    """
    if hasattr(os, "nice"):
        os.nice(10)
    with Simulator(seed=7, scenario="demo", realtime=True, accounts=make_demo_accounts(accounts),
                   page_size_cap=None) as sim:
        sim.faults.latency_ms = latency_ms
        conn.send((sim.base_url, sim.accounts))  # type: ignore[attr-defined]
        conn.recv()  # type: ignore[attr-defined]  # blocks until the parent says stop


class _RemoteSim:
    """The simulator in a child process, with the attributes `sim_account_specs` reads."""

    def __init__(self, accounts: int, latency_ms: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, accounts, latency_ms), daemon=True)
        self._proc.start()
        self.base_url, self.accounts = self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._proc.join(5)


class StallProbe(QObject):
    """A 5 ms GUI timer; each late tick is a stall of the GUI thread's event loop."""

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.first_render_pending = True
        self.updates: list[object] = []
        self.last = time.perf_counter()
        self.stalls_busy_ms: list[float] = []  # while a refresh (after the first) is in flight
        self.stalls_first_ms: list[float] = []  # the first refresh and its render: a cold start
        self.stalls_all_ms: list[float] = []
        self.stalls_steady_ms: list[float] = []  # after the cold start: refreshes, renders, streams
        # Long steady stalls: (stall ms, GUI thread CPU ms in it). Little CPU means the GUI thread was
        # waiting (for the GIL, or for a core), not working.
        self.long_steady: list[tuple[float, float]] = []
        self.last_cpu = time.thread_time()
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    @Slot()
    def tick(self) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        stall_ms = max(0.0, (now - self.last) * 1000.0 - PROBE_MS)
        cpu_ms = (cpu - self.last_cpu) * 1000.0
        self.last, self.last_cpu = now, cpu
        self.stalls_all_ms.append(stall_ms)
        if self.updates and not self.first_render_pending:
            self.stalls_steady_ms.append(stall_ms)
            if stall_ms > EXPLAIN_AFTER_MS:
                self.long_steady.append((stall_ms, cpu_ms))
        if self.busy:
            (self.stalls_busy_ms if self.updates else self.stalls_first_ms).append(stall_ms)
        elif self.first_render_pending:
            self.stalls_first_ms.append(stall_ms)

    @Slot(bool)
    def on_busy(self, busy: bool) -> None:
        self.busy = busy

    @Slot(object)
    def on_update(self, update: object) -> None:
        self.updates.append(update)

    @Slot(object)
    def on_rendered(self, update: object) -> None:
        # The window's first render happens on the first update; once a later tick has passed,
        # the cold start (imports, first layout, glyph caches) is over.
        if len(self.updates) > 1:
            self.first_render_pending = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--interval-s", type=float, default=5.0)
    parser.add_argument("--baseline-s", type=float, default=5.0,
                        help="idle probe before the worker starts, and again after it stops")
    parser.add_argument("--explain", action="store_true",
                        help=f"print what the GUI thread was doing in stalls over {EXPLAIN_AFTER_MS} ms")
    parser.add_argument("--in-process", action="store_true",
                        help="run the simulator on threads of this process")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(["ui-stall"])  # noqa: F841 - must outlive the window
    sim: Simulator | _RemoteSim
    if args.in_process:
        sim = Simulator(seed=7, scenario="demo", realtime=True, accounts=make_demo_accounts(args.accounts),
                        page_size_cap=None)
        sim.start()
        sim.faults.latency_ms = args.latency_ms
    else:
        sim = _RemoteSim(args.accounts, args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            context = demo_context(AppPaths.portable(config_dir), sim_account_specs(sim))
            context.settings = Settings(refresh_interval_s=args.interval_s)
            window = build_window(context, start=False)
            window.resize(1600, 1000)
            window.show()
            probe = StallProbe()
            window.host.worker.sig_busy.connect(probe.on_busy)
            window.host.worker.sig_snapshot.connect(probe.on_update)
            window.sig_update_rendered.connect(probe.on_rendered)
            # Baseline: the same probe with the window shown and the worker not yet started, to
            # separate this machine's scheduling noise from stalls the refreshes cause.
            probe.start()
            _run_for(args.baseline_s)
            idle_before = list(probe.stalls_all_ms)
            probe.stalls_all_ms.clear()
            sampler = StallSampler(probe)
            if args.explain:
                sampler.start()
            window.host.start()
            _run_for(args.seconds)
            sampler.stop() if args.explain else None
            busy_all = list(probe.stalls_all_ms)
            steady = list(probe.stalls_steady_ms)
            window.host.shutdown()
            probe.busy = False
            _run_for(1.0)  # the worker's last signals land; not measured
            probe.stalls_all_ms.clear()
            _run_for(args.baseline_s)
            idle_after = list(probe.stalls_all_ms)
            probe.timer.stop()
            updates = probe.updates
            window.close()
    finally:
        sim.stop()

    probe.stalls_all_ms = busy_all
    if not updates or not probe.stalls_busy_ms:
        print("ui_stall: no refresh completed", file=sys.stderr)
        return 1
    errors = [a.error for u in updates for a in u.snapshot.accounts if not a.ok]  # type: ignore[attr-defined]
    failed = len(errors)
    busy = sorted(probe.stalls_busy_ms)
    p99 = busy[int(0.99 * (len(busy) - 1))]
    where = "in-process" if args.in_process else "child process"
    print(f"simulator={where} accounts={args.accounts} latency={args.latency_ms:g} ms "
          f"interval={args.interval_s:g} s run={args.seconds:g} s refreshes={len(updates)} "
          f"failed_account_states={failed}")
    print(f"longest event-loop stall during refreshes: {max(busy):.1f} ms (p99 {p99:.1f} ms, "
          f"{len(busy)} probe ticks)")
    print(f"longest event-loop stall overall (incl. table renders): {max(probe.stalls_all_ms):.1f} ms")
    if probe.stalls_first_ms:
        print(f"first refresh and first render (cold start, not counted above): "
              f"{max(probe.stalls_first_ms):.1f} ms")
    if errors:
        print(f"first account error: {errors[0]}")
    idle = idle_before + idle_after
    idle_ms = max(idle, default=0.0)
    print(f"idle baseline (window shown, worker not running, {args.baseline_s:g} s before and after): "
          f"longest stall {max(idle_before, default=0.0):.1f} / {max(idle_after, default=0.0):.1f} ms "
          f"(p99 {_p99(idle):.1f} ms); load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"longest stall after the cold start (refreshes, renders, streamed marks): "
          f"{max(steady, default=0.0):.1f} ms (p99 {_p99(steady):.1f} ms, {len(steady)} probe ticks)")
    if probe.long_steady:
        stalled = sum(ms for ms, _ in probe.long_steady)
        working = sum(min(cpu, ms + PROBE_MS) for ms, cpu in probe.long_steady)
        print(f"stalls over {EXPLAIN_AFTER_MS} ms after the cold start: {len(probe.long_steady)}, the GUI "
              f"thread on a CPU for {100 * working / max(stalled, 1e-9):.0f}% of them (the rest it waited "
              f"for the GIL or a core)")
    share = max(max(busy), max(steady, default=0.0)) - idle_ms
    print(f"the app's share of the longest stall after the cold start: {share:.1f} ms "
          f"(longest while working minus longest idle)  (target <= 50 ms)")
    if args.explain:
        print(f"GUI thread stacks in stalls over {EXPLAIN_AFTER_MS} ms (count, innermost last):")
        for stack, count in sampler.stacks.most_common(6):
            print(f"  {count}x\n{stack}")
    return 0


def _run_for(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0


if __name__ == "__main__":
    sys.exit(main())
