"""Server-aligned timestamps: the offset between this computer's clock and a Bybit host's clock.

Bybit accepts a signed request only when `server - recv_window <= timestamp < server + 1000`, so a
local clock running one second fast fails every private call. The client therefore measures the
offset to `/v5/market/time` per host and signs with `local now + offset`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

NowMs = Callable[[], int]

# A clock measured this long ago is measured again before the next signed request; drift of a
# PC clock is a few ms per hour, so this is about catching NTP steps and suspend/resume.
DEFAULT_RESYNC_AFTER_S = 600.0


def system_now_ms() -> int:
    """Local wall-clock time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


class HostClock:
    """Offset of one host's clock from the local clock (`server = local + offset_ms`)."""

    __slots__ = ("_now_ms", "generation", "lock", "offset_ms", "round_trip_ms", "synced_at_ms")

    def __init__(self, now_ms: NowMs = system_now_ms) -> None:
        self._now_ms = now_ms
        self.offset_ms: int | None = None  # None until measured
        self.round_trip_ms: int | None = None
        self.synced_at_ms: int | None = None  # local ms of the last measurement
        # Bumped by every measurement, so a request that signed with an old offset and got 10002
        # does not throw away a fresh measurement taken meanwhile by another request.
        self.generation = 0
        # Serialises measurements: fifty concurrent first requests must cause one /v5/market/time call.
        self.lock = asyncio.Lock()

    def local_now_ms(self) -> int:
        return self._now_ms()

    def server_now_ms(self) -> int:
        """Best estimate of the host's current time; the local time until the first measurement."""
        return self._now_ms() + (self.offset_ms or 0)

    def record(self, sent_ms: int, received_ms: int, server_ms: int) -> None:
        """Store one measurement. The server stamped its time somewhere inside the round trip; the
        midpoint is the estimate with the smallest worst-case error (half the round trip)."""
        midpoint_ms = (sent_ms + received_ms) // 2
        self.offset_ms = server_ms - midpoint_ms
        self.round_trip_ms = max(0, received_ms - sent_ms)
        self.synced_at_ms = received_ms
        self.generation += 1

    def needs_sync(self, resync_after_s: float = DEFAULT_RESYNC_AFTER_S) -> bool:
        if self.offset_ms is None or self.synced_at_ms is None:
            return True
        age_ms = self._now_ms() - self.synced_at_ms
        # A negative age means the local clock jumped backwards: measure again.
        return age_ms < 0 or age_ms > resync_after_s * 1000

    def invalidate(self, generation: int) -> None:
        """Forget measurement `generation` (it caused a 10002) so the next signed request measures
        again; a newer measurement is kept."""
        if generation == self.generation:
            self.synced_at_ms = None
