"""The key-expiry alert's facts: what each account's API key may do and when it expires.

Key permissions and expiry change rarely, so each account's key is asked about once every
`interval_s` (an hour), after a REST update; a failed question waits the same hour, never a poll.
An answer from elsewhere (the window's connection test, `watch --once`) counts as the hour's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

from desktop_app.bybit.errors import BybitError
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import AccountSpec

log = logging.getLogger(__name__)

KEY_INFO_INTERVAL_S = 3600.0


class KeyInfoSchedule:
    """Not thread-safe: the session's event loop only."""

    def __init__(self, fetch: Callable[[AccountSpec], Awaitable[ApiKeyInfo]] | None, *,
                 interval_s: float | None, apply: Callable[[str, ApiKeyInfo], None],
                 spawn: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        """`fetch` (e.g. RiskService.api_key_info) asks; `apply` gets each answer; None for `fetch`
        or `interval_s` asks nothing."""
        self._fetch = fetch
        self._interval_s = interval_s
        self._apply = apply
        self._spawn = spawn
        self._asked_at: dict[str, float] = {}  # account -> monotonic time of the last answer or question

    def answered(self, account_id: str) -> None:
        """An answer came from elsewhere: the next question is an interval away."""
        self._asked_at[account_id] = time.monotonic()

    def ask_due(self, specs: Iterable[AccountSpec]) -> None:
        """Ask about every key of `specs` not asked about within the interval."""
        if self._fetch is None or self._interval_s is None:
            return
        now = time.monotonic()
        for spec in specs:
            last = self._asked_at.get(spec.account_id)
            if spec.credentials is not None and (last is None or now - last >= self._interval_s):
                self._asked_at[spec.account_id] = now  # also when it fails: again in an hour, not per poll
                self._spawn(self._ask(spec))

    async def _ask(self, spec: AccountSpec) -> None:
        assert self._fetch is not None
        try:
            info = await self._fetch(spec)
        except BybitError as exc:
            log.info("key info of %s: %s", spec.name, exc)
            return
        self._apply(spec.account_id, info)
