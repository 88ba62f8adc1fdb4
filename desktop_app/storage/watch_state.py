"""The watcher's state between runs (`watch-state.json` beside the history): the alert engine's
memory and which accounts were failing, so that the next run (after a restart, or the next `--once`
from cron) does not raise and send again what it already did, nor announce a failure twice.

Written atomically after each evaluation that changed something; a file that cannot be read is left
where it is and reported, and the watcher starts from nothing (its alerts are raised again, once).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.alerts.state import AlertStateError, EngineState
from desktop_app.storage.atomic import atomic_write_json
from desktop_app.storage.errors import StorageError

WATCH_STATE_VERSION = 1
MAX_STATE_BYTES = 4 * 1024 * 1024  # thousands of alerts; a larger file was not written by us


@dataclass(frozen=True, slots=True)
class WatchState:
    engine: EngineState = field(default_factory=EngineState)
    failed_accounts: tuple[str, ...] = ()  # account ids whose last refresh failed
    # Alert messages Telegram had not taken when the last run ended, with when that run ended.
    undelivered: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"version": WATCH_STATE_VERSION, "engine": self.engine.to_dict(),
                "failed_accounts": sorted(self.failed_accounts),
                "undelivered": [{"text": text, "since_s": since_s} for text, since_s in self.undelivered]}

    @classmethod
    def from_dict(cls, data: object) -> WatchState:
        """May raise: AlertStateError."""
        if not isinstance(data, Mapping) or data.get("version") != WATCH_STATE_VERSION:
            raise AlertStateError(f"not a watcher state of version {WATCH_STATE_VERSION}")
        failed = data.get("failed_accounts", [])
        if not isinstance(failed, list) or not all(isinstance(a, str) for a in failed):
            raise AlertStateError("failed_accounts must be a list of account ids")
        items = data.get("undelivered", [])
        undelivered = []
        for item in items if isinstance(items, list) else [None]:
            text = item.get("text") if isinstance(item, Mapping) else None
            since_s = item.get("since_s") if isinstance(item, Mapping) else None
            if not isinstance(text, str) or not _finite(since_s):
                raise AlertStateError("undelivered must be a list of {text, since_s}")
            undelivered.append((text, float(since_s)))  # type: ignore[arg-type]
        return cls(EngineState.from_dict(data.get("engine")), tuple(failed), tuple(undelivered))


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_watch_state(path: Path) -> tuple[WatchState, str | None]:
    """The stored state, or an empty one and why the file could not be used (None when it simply
    does not exist yet). Never raises."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return WatchState(), None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return WatchState(), f"the watcher state {path} cannot be read ({reason}); starting afresh"
    if len(raw) > MAX_STATE_BYTES:
        return WatchState(), f"the watcher state {path} is too large to be ours; starting afresh"
    try:
        return WatchState.from_dict(json.loads(raw.decode("utf-8"))), None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, AlertStateError) else "not valid JSON"
        return WatchState(), f"the watcher state {path} is damaged ({reason}); starting afresh"


def save_watch_state(path: Path, state: WatchState) -> None:
    """May raise: StorageError."""
    try:
        atomic_write_json(path, state.to_dict())
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot save the watcher state {path}: {exc}") from None
