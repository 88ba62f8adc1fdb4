"""What the watcher prints: one timestamped line per change of state, and a summary when asked.

Lines (local time, ISO 8601): an account failed or recovered, an alert raised, escalated, eased or
cleared (its message names the account or position, in the configured language), a Telegram
problem, a stream or history problem; with `--verbose` one summary line per interval. The frame is
English (a log is read by tools too); the alert messages are those Telegram gets. Each line is
flushed at once, so journald, launchd's log or a redirected file has it while the watcher runs.
An output whose reader went away (a closed pipe, a lost terminal) is no longer written to; the
watcher goes on monitoring and alerting all the same.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from desktop_app.alerts.text import one_line
from desktop_app.commands.runner import money, percent
from desktop_app.live.alerts import AlertUpdate, TelegramResult
from desktop_app.service import PortfolioUpdate

REPEAT_AFTER_S = 600.0
_RETRY_SUFFIX = re.compile(r" \(retrying in [0-9.]+ s\)$")
_KIND_WORDS = {"raised": "alert raised", "escalated": "alert escalated", "eased": "alert eased",
               "cleared": "alert cleared"}


def stamp(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s).astimezone().isoformat(timespec="seconds")


class WatchOutput:
    """Not thread-safe: the watcher's loop only."""

    def __init__(self, out: TextIO | None = None, *, failed: frozenset[str] = frozenset(),
                 on_change: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`failed`: account ids already announced as failed (by an earlier run); `on_change` runs
        after a change worth remembering (an alert event, an account failing or recovering)."""
        self._out = out
        self._clock = clock
        self._on_change = on_change
        self.failed: set[str] = set(failed)
        self.latest: PortfolioUpdate | None = None
        self.active: AlertUpdate | None = None
        self.events = 0  # alert events printed (tests read it)
        self._said_at: dict[str, float] = {}  # problem text -> when it was last printed
        self._gone = False  # the output's reader went away

    def line(self, text: str) -> None:
        if self._gone:
            return
        out = self._out if self._out is not None else sys.stdout
        try:
            out.write(f"{stamp(self._clock())} {text}\n")
            out.flush()
        except (OSError, ValueError):  # a closed pipe or file: nobody reads the lines any more
            self._gone = True
            if out is sys.stdout:
                _silence_stdout()

    # --- sinks of the live loop -------------------------------------------------------------------

    def on_update(self, update: PortfolioUpdate) -> None:
        self.latest = update
        if update.report.repriced:
            return  # streamed marks change figures, not whether an account answers
        changed = False
        for state in update.snapshot.accounts:
            if state.pending:
                continue  # still waiting: neither failed nor recovered yet
            if state.ok and state.account_id in self.failed:
                self.failed.discard(state.account_id)
                self.line(f"account recovered: {state.name}")
                changed = True
            elif not state.ok and state.account_id not in self.failed:
                self.failed.add(state.account_id)
                self.line(f"account failed: {state.name}: {one_line(state.error or 'no data', None)}")
                changed = True
        if changed and self._on_change is not None:
            self._on_change()

    def on_alerts(self, update: AlertUpdate) -> None:
        self.active = update
        for event in update.events:
            self.events += 1
            self.line(f"{_KIND_WORDS.get(event.kind.value, event.kind.value)}: "
                      f"{event.severity.value.upper()} {one_line(event.message, None)}")
        if update.events and self._on_change is not None:
            self._on_change()

    def on_error(self, message: str, source: str) -> None:
        """A refresh, stream or history problem. A stream that keeps failing while it retries says
        the same every few seconds: the same text (its retry delay aside) is printed once per
        `REPEAT_AFTER_S`, so an outage of hours is a few lines, not thousands."""
        text = one_line(message, None)
        key = f"{source}:{_RETRY_SUFFIX.sub('', text)}"
        now = self._clock()
        last = self._said_at.get(key)
        if last is not None and now - last < REPEAT_AFTER_S:
            return
        # What was said longer ago may be said again anyway: forget it (months of distinct texts).
        self._said_at = {k: t for k, t in self._said_at.items() if now - t < REPEAT_AFTER_S}
        self._said_at[key] = now
        self.line(f"{source} problem: {text}")

    def on_telegram(self, result: TelegramResult) -> None:
        if not result.ok:
            self.line(one_line(result.message, None))

    # --- the summary ----------------------------------------------------------------------------

    def summary(self) -> str:
        """'summary: 2/2 accounts ok; equity 329,670.00 USD; worst MM rate 4.95% (Hedge); ...'."""
        update = self.latest
        if update is None:
            return "summary: no account has answered yet"
        report = update.report
        ok = sum(1 for a in report.accounts if a.ok)
        parts = [f"{ok}/{len(report.accounts)} accounts ok",
                 f"equity {money(report.totals.equity_usd)} USD",
                 f"uPnL {money(report.totals.unrealised_pnl_usd)} USD"]
        rates = [(a.mm_rate, a.name) for a in report.accounts
                 if a.mm_rate is not None and not math.isnan(a.mm_rate)]
        if rates:
            rate, name = max(rates)
            parts.append(f"worst MM rate {percent(rate)} ({name})")
        first = report.first_liquidation
        parts.append(f"first liquidation: {first.headline if first else 'none within the searched range'}")
        active = self.active.active if self.active is not None else ()
        worst = self.active.worst if self.active is not None else None
        parts.append(f"{len(active)} alerts active" + (f" (worst {worst.value})" if worst else ""))
        return "summary: " + "; ".join(parts)


def _silence_stdout() -> None:
    """Point the process's stdout at the null device: Python flushes it once more at exit, and with
    its reader gone that would end in an error message on stderr and exit status 120."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)
