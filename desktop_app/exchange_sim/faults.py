"""Fault injection, settable from tests and the command line while the server runs."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields


@dataclass(frozen=True, slots=True)
class FaultSnapshot:
    latency_ms: float
    error_rate_5xx: float
    error_rate_10006: float
    error_rate_10016: float
    timeout_rate: float
    timeout_mode: str
    timeout_hold_s: float
    malformed_rate: float
    clock_skew_ms: int
    fail_uids: frozenset[int]


@dataclass
class Faults:
    """Mutable and thread-safe: assign attributes from any thread (`sim.faults.latency_ms = 50`).

    latency_ms       added to every request before it is answered
    error_rate_5xx   fraction answered with HTTP 502/503/504 and an HTML body
    error_rate_10006 fraction of private requests answered with retCode 10006 (rate limited)
    error_rate_10016 fraction answered with retCode 10016 (server error, retry)
    timeout_rate     fraction that never get an answer: "hold" keeps the socket open for
                     timeout_hold_s, "close" drops the connection without a response
    malformed_rate   fraction answered 200 with a truncated or non-JSON body
    clock_skew_ms    server clock = local clock + skew (timestamps, envelope time, /v5/market/time)
    fail_uids        accounts whose private requests all fail with retCode 10016
    """

    latency_ms: float = 0.0
    error_rate_5xx: float = 0.0
    error_rate_10006: float = 0.0
    error_rate_10016: float = 0.0
    timeout_rate: float = 0.0
    timeout_mode: str = "hold"
    timeout_hold_s: float = 30.0
    malformed_rate: float = 0.0
    clock_skew_ms: int = 0
    fail_uids: set[int] = field(default_factory=set)
    seed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"riskdesk-sim-faults:{self.seed}")
        if self.timeout_mode not in ("hold", "close"):
            raise ValueError("timeout_mode must be 'hold' or 'close'")

    def snapshot(self) -> FaultSnapshot:
        with self._lock:
            return FaultSnapshot(
                self.latency_ms, self.error_rate_5xx, self.error_rate_10006, self.error_rate_10016,
                self.timeout_rate, self.timeout_mode, self.timeout_hold_s, self.malformed_rate,
                int(self.clock_skew_ms), frozenset(self.fail_uids),
            )

    def roll(self, probability: float) -> bool:
        """One seeded draw: True with the given probability (no draw at 0, so a clean run stays clean)."""
        if probability <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < probability

    def pick(self, options: tuple[str, ...]) -> str:
        with self._lock:
            return self._rng.choice(options)

    def fail(self, uid: int) -> None:
        with self._lock:
            self.fail_uids.add(uid)

    def recover(self, uid: int) -> None:
        with self._lock:
            self.fail_uids.discard(uid)

    def reset(self) -> None:
        """Back to a healthy exchange."""
        defaults = Faults()
        with self._lock:
            for f in fields(self):
                if not f.name.startswith("_") and f.name != "seed":
                    setattr(self, f.name, getattr(defaults, f.name))
