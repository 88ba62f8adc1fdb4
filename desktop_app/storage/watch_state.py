"""The watcher's state between runs (`watch-state.json` beside the history): the alert engine's
memory and which accounts were failing, so that the next run (after a restart, or the next `--once`
from cron) does not raise and send again what it already did, nor announce a failure twice.

Written atomically after each evaluation that changed something and whenever the alert messages
waiting for Telegram change (so a `kill -9` during an outage loses none of them); a file that cannot
be read, or was built to crash a parser, is left where it is and reported, and the watcher starts
from nothing (its alerts are raised again, once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.alerts.state import AlertStateError, EngineState, finite_number
from desktop_app.storage.atomic import atomic_write_json
from desktop_app.storage.errors import StorageError
from desktop_app.storage.safe_json import JsonInputError, loads_bounded_bytes

WATCH_STATE_VERSION = 1
MAX_STATE_BYTES = 4 * 1024 * 1024  # thousands of alerts; a larger file was not written by us


@dataclass(frozen=True, slots=True)
class WatchState:
    engine: EngineState = field(default_factory=EngineState)
    failed_accounts: tuple[str, ...] = ()  # account ids whose last refresh failed
    # Alert messages Telegram had not taken yet, with when they were first kept (epoch seconds).
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
            if not isinstance(text, str) or not isinstance(item, Mapping):
                raise AlertStateError("undelivered must be a list of {text, since_s}")
            undelivered.append((text, finite_number(item.get("since_s"), "undelivered since_s")))
        return cls(EngineState.from_dict(data.get("engine")), tuple(failed), tuple(undelivered))


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
        document = loads_bounded_bytes(raw, where="its content", max_bytes=MAX_STATE_BYTES, exact=False)
        return WatchState.from_dict(document), None
    except (JsonInputError, AlertStateError, OverflowError) as exc:
        reason = " ".join(str(exc).split()) if not isinstance(exc, OverflowError) else "a number out of range"
        return WatchState(), f"the watcher state {path} is damaged ({reason}); starting afresh"


def save_watch_state(path: Path, state: WatchState) -> None:
    """May raise: StorageError."""
    try:
        atomic_write_json(path, state.to_dict())
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot save the watcher state {path}: {exc}") from None
