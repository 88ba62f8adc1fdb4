"""Walking Bybit's account history over a period longer than one query may span.

Closed PnL and the transaction logs answer at most 7 days per query (`endTime - startTime <= 7 days`)
and at most two years back. `history_windows` cuts a period into back-to-back windows, newest first;
the caller fetches them one by one (each window following its own page cursors), so it can keep
what each window brought and show progress.
"""

from __future__ import annotations

from desktop_app.bybit.client import HISTORY_WINDOW_MS

DAY_MS = 86_400_000
# Bybit keeps two years of closed PnL and transaction logs; older start times are refused with
# 10001 "Can't query order earlier than 2 years". A day's margin keeps clocks apart from that edge.
MAX_HISTORY_MS = 729 * DAY_MS


def history_windows(start_ms: int, end_ms: int, span_ms: int = HISTORY_WINDOW_MS) -> list[tuple[int, int]]:
    """[start, end] windows (both inclusive, in ms) covering `start_ms`..`end_ms` exactly once,
    newest first, each spanning less than `span_ms`. Empty when end < start.

    May raise: ValueError (span_ms < 1).
    """
    if span_ms < 1:
        raise ValueError("span_ms must be at least 1 ms")
    windows: list[tuple[int, int]] = []
    upper = end_ms
    while upper >= start_ms:
        lower = max(start_ms, upper - span_ms + 1)
        windows.append((lower, upper))
        upper = lower - 1
    return windows
