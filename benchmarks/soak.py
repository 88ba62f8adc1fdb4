"""Fault soak: the real window and worker against a misbehaving simulator for ten minutes.

The simulator runs in a child process (it stands in for Bybit) with these faults for the whole run:
10% of requests answered 5xx, 5% held for 8 s and then closed unanswered, bursts of retCode 10006
(half of the private requests for 15 s every 90 s), the server clock 3 s ahead and then 3 s behind
(switching every 2 minutes), and every WebSocket connection dropped once a minute. The window
(offscreen) refreshes every account on the app's default 5 s interval and 15 s deadline.

Every half second the soak reads what the window shows (its latest update, ages as of now) and
prints at the end, each with its goal:
  accounts stale at the end       faults stopped, then one deadline and two intervals to recover (goal 0)
  figures shown as fresh while stale  an account shown OK whose data is older than the freshness bound:
                                  interval + the refresher's lateness margin + 2 s (goal 0)
  longest stale stretch           the longest time any account was shown stale (failed or waiting)
  crashes                         worker thread gone, a whole refresh failing, an internal error in an
                                  account, an unhandled exception in any thread (goal 0)
  memory growth                   resident memory from the end of the warm-up to the end

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--accounts 5]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QObject, QTimer, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop_app.exchange_sim import Simulator, make_demo_accounts
from desktop_app.live.refresher import INTERNAL_ERROR, LATE_AFTER_S
from desktop_app.storage.paths import AppPaths
from desktop_app.storage.settings import Settings
from desktop_app.ui.app import build_window
from desktop_app.ui.context import demo_context
from desktop_app.ui.demo import sim_account_specs
from desktop_app.ui.worker.messages import REFRESH, WorkerError

SAMPLE_MS = 500
WARM_UP_S = 20.0
DROP_EVERY_S = 60.0
BURST_EVERY_S, BURST_S = 90.0, 15.0
SKEW_SWITCH_S, SKEW_MS = 120.0, 3000
FRESH_SLACK_S = 2.0


def _serve(conn: object, accounts: int) -> None:
    """Child process: the simulator, taking fault settings from the parent until told to stop."""
    if hasattr(os, "nice"):
        os.nice(5)
    with Simulator(seed=7, scenario="demo", realtime=True, accounts=make_demo_accounts(accounts)) as sim:
        conn.send((sim.base_url, sim.accounts))  # type: ignore[attr-defined]
        while True:
            command, value = conn.recv()  # type: ignore[attr-defined]
            if command == "stop":
                return
            if command == "faults":
                for name, setting in value.items():
                    setattr(sim.faults, name, setting)
            elif command == "drop":
                assert sim.streams is not None
                sim.streams.drop_connections("/")
            elif command == "reset":
                sim.faults.reset()
            elif command == "requests":
                conn.send(sim.stats.requests)  # type: ignore[attr-defined]


class _RemoteSim:
    def __init__(self, accounts: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, accounts), daemon=True)
        self._proc.start()
        self.base_url, self.accounts = self._conn.recv()

    def send(self, command: str, value: object = None) -> None:
        self._conn.send((command, value))

    def requests(self) -> int:
        self.send("requests")
        return int(self._conn.recv())

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def stop(self) -> None:
        self.send("stop")
        self._proc.join(10)


def rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak (ru_maxrss)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Findings:
    fresh_bound_s: float
    samples: int = 0
    updates: int = 0
    fresh_while_stale: int = 0  # samples of an account shown OK with data older than the bound
    fresh_while_stale_accounts: set[str] = field(default_factory=set)
    stale_since: dict[str, float] = field(default_factory=dict)
    longest_stale_s: float = 0.0
    longest_stale_account: str = ""
    crashes: list[str] = field(default_factory=list)
    account_errors: dict[str, int] = field(default_factory=dict)


class _CrashLog(logging.Handler):
    """Log records that mean a bug, not a fault: they count as crashes."""

    MARKERS = ("failed unexpectedly", "live task failed", "composing an update failed", "worker loop ended")

    def __init__(self, findings: Findings) -> None:
        super().__init__(logging.WARNING)
        self.findings = findings

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR or any(m in message for m in self.MARKERS):
            self.findings.crashes.append(f"log {record.name}: {message}")


class Soak(QObject):
    def __init__(self, window: object, sim: _RemoteSim, findings: Findings, fault_s: float) -> None:
        super().__init__()
        self.window = window
        self.sim = sim
        self.findings = findings
        self.fault_s = fault_s
        self.started = time.monotonic()
        self.phase = "warm-up"
        self.rss_start_mb = 0.0
        self.last_drop = self.last_skew = -1
        self.sampler = QTimer(self)
        self.sampler.setInterval(SAMPLE_MS)
        self.sampler.timeout.connect(self.sample)
        self.faults = QTimer(self)
        self.faults.setInterval(1000)
        self.faults.timeout.connect(self.schedule)

    def start(self) -> None:
        self.sampler.start()
        self.faults.start()

    @Slot()
    def finish(self) -> None:
        """Stop measuring first: quitting the app stops the worker too, which is no crash."""
        self.sampler.stop()
        self.faults.stop()
        QApplication.quit()

    @Slot(object)
    def on_update(self, update: object) -> None:
        self.findings.updates += 1
        for state in update.snapshot.accounts:  # type: ignore[attr-defined]
            if state.error_code == INTERNAL_ERROR:
                self.findings.crashes.append(f"internal error in {state.name}: {state.error}")

    @Slot(object)
    def on_error(self, error: WorkerError) -> None:
        if error.source == REFRESH:
            self.findings.crashes.append(f"refresh failed as a whole: {error.message}")

    @Slot()
    def schedule(self) -> None:
        """Faults by the clock: constant rates, 10006 bursts, the clock skew flipping, drops."""
        t = time.monotonic() - self.started - WARM_UP_S
        if self.phase == "warm-up" and t >= 0:
            self.phase = "faults"
            self.rss_start_mb = rss_mb()
            self.sim.send("faults", {"error_rate_5xx": 0.10, "timeout_rate": 0.05, "timeout_mode": "hold",
                                     "timeout_hold_s": 8.0})
        if self.phase != "faults":
            return
        if t >= self.fault_s:
            self.phase = "recovery"
            self.sim.send("reset")
            return
        burst = (t % BURST_EVERY_S) < BURST_S and t >= BURST_EVERY_S / 2
        skew = SKEW_MS if int(t // SKEW_SWITCH_S) % 2 == 0 else -SKEW_MS
        self.sim.send("faults", {"error_rate_10006": 0.5 if burst else 0.0, "clock_skew_ms": skew})
        minute = int(t // DROP_EVERY_S)
        if minute != self.last_drop and t >= DROP_EVERY_S * (minute + 0.5):
            self.last_drop = minute
            self.sim.send("drop")

    @Slot()
    def sample(self) -> None:
        """What the window shows now: each account shown OK must hold data younger than the bound."""
        f = self.findings
        if not self.window.host.running:  # type: ignore[attr-defined]
            f.crashes.append(f"the worker thread ended after {time.monotonic() - self.started:.0f} s")
            self.sampler.stop()
            return
        update = self.window.latest  # type: ignore[attr-defined]
        if update is None:
            return
        now = time.time()
        f.samples += 1
        for state in update.snapshot.accounts:
            age = state.age_s(now)
            if state.ok:
                if age is not None and age > f.fresh_bound_s:
                    f.fresh_while_stale += 1
                    f.fresh_while_stale_accounts.add(state.name)
                since = f.stale_since.pop(state.account_id, None)
                if since is not None and now - since > f.longest_stale_s:
                    f.longest_stale_s, f.longest_stale_account = now - since, state.name
            else:
                f.stale_since.setdefault(state.account_id, now)
                kind = "waiting" if state.pending else (state.error or "")[:60]
                f.account_errors[kind] = f.account_errors.get(kind, 0) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the fault phase")
    parser.add_argument("--accounts", type=int, default=5)
    args = parser.parse_args(argv)
    interval_s = Settings().refresh_interval_s
    deadline_s = Settings().request_deadline_s
    findings = Findings(fresh_bound_s=interval_s + LATE_AFTER_S + FRESH_SLACK_S)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("desktop_app").addHandler(_CrashLog(findings))
    previous_hook = threading.excepthook

    def thread_hook(hook_args: threading.ExceptHookArgs) -> None:
        findings.crashes.append(f"unhandled {hook_args.exc_type.__name__} in {hook_args.thread}")
        previous_hook(hook_args)

    threading.excepthook = thread_hook
    sys.unraisablehook = lambda u: findings.crashes.append(f"unraisable {u.exc_type.__name__}")

    # The offscreen platform warns on every window geometry change; nothing to learn from it here.
    qInstallMessageHandler(lambda mode, context, message: None if "propagateSizeHints" in message
                           else sys.stderr.write(f"{message}\n"))
    app = QApplication.instance() or QApplication(["soak"])
    sim = _RemoteSim(args.accounts)
    fault_s = args.minutes * 60
    recovery_s = deadline_s + 2 * interval_s
    try:
        with tempfile.TemporaryDirectory() as config_dir:
            context = demo_context(AppPaths.portable(config_dir), sim_account_specs(sim))
            window = build_window(context, start=False)
            window.show()
            soak = Soak(window, sim, findings, fault_s)
            window.host.worker.sig_snapshot.connect(soak.on_update)
            window.host.worker.sig_error.connect(soak.on_error)
            window.host.start()
            soak.start()
            QTimer.singleShot(int((WARM_UP_S + fault_s + recovery_s) * 1000), soak.finish)
            app.exec()
            rss_end_mb = rss_mb()
            latest = window.latest
            requests = sim.requests() if sim.alive else 0
            if not sim.alive:
                findings.crashes.append("the simulator process ended")
            window.allow_close()
            window.close()
    finally:
        sim.stop()

    stale_end = [a.name for a in latest.snapshot.accounts if not a.ok] if latest is not None else ["all"]
    now = time.time()
    for account_id, since in findings.stale_since.items():  # still stale at the end
        if now - since > findings.longest_stale_s:
            findings.longest_stale_s, findings.longest_stale_account = now - since, account_id
    print(f"soak: {args.accounts} accounts, faults for {args.minutes:g} min (5xx 10%, held-and-closed 5%, "
          f"10006 bursts, clock ±{SKEW_MS / 1000:g} s, WebSocket drops every {DROP_EVERY_S:g} s); "
          f"interval {interval_s:g} s, deadline {deadline_s:g} s; {findings.updates} updates, "
          f"{findings.samples} samples, {requests} requests served")
    print(f"accounts stale at the end ({recovery_s:g} s after the faults stopped): {len(stale_end)}"
          f"{' (' + ', '.join(stale_end) + ')' if stale_end else ''}  (goal 0)")
    where = ", ".join(sorted(findings.fresh_while_stale_accounts))
    print(f"figures shown as fresh while stale (older than {findings.fresh_bound_s:g} s): "
          f"{findings.fresh_while_stale} samples{' in ' + where if where else ''}  (goal 0)")
    print(f"longest time an account stayed stale: {findings.longest_stale_s:.1f} s "
          f"({findings.longest_stale_account or 'none'})")
    print(f"crashes: {len(findings.crashes)}  (goal 0)")
    for crash in findings.crashes[:5]:
        print(f"  {crash}")
    growth = rss_end_mb - soak.rss_start_mb
    print(f"memory growth: {growth:+.1f} MB (resident {soak.rss_start_mb:.0f} MB after the warm-up, "
          f"{rss_end_mb:.0f} MB at the end)")
    top = sorted(findings.account_errors.items(), key=lambda kv: -kv[1])[:4]
    print("stale samples by reason: " + "; ".join(f"{n} × {k}" for k, n in top))
    return 0 if not findings.crashes and not stale_end and not findings.fresh_while_stale else 1


if __name__ == "__main__":
    sys.exit(main())
