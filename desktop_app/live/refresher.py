"""Each account refreshed on its own, and shown as soon as it answers: the slowest never holds the rest.

A poll starts a fetch for every enabled account whose previous fetch has ended; an account still
waiting for its server is not asked again (its fetch ends by the deadline, monitor.py). Each answer
replaces that account's state and an update is published: answers that arrive together go out as
one (the update waits `batch_s` for the others, or goes at once when no fetch is left), so a healthy
poll, where every account answers within milliseconds of the others, is still one update. A fetch
still waiting after `late_after_s` is published as pending: the account's last good figures, stale
with their age, never shown as fresh while nobody knows whether they still hold.

No Qt: the worker drives it on its asyncio loop, and the soak benchmark measures it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from desktop_app.bybit.errors import BybitError
from desktop_app.domain.snapshot import PENDING, AccountSpec, AccountState, PortfolioSnapshot

log = logging.getLogger(__name__)

BATCH_S = 0.25  # answers this close together go out as one update
LATE_AFTER_S = 5.0  # a fetch not answered by then shows its account as waiting (stale), not fresh
INTERNAL_ERROR = -109  # a bug in fetching one account: that account fails, the others go on
_WAITING = "waiting for an answer (the refresh has not finished); the figures are the last good ones"
_WAITING_FIRST = "waiting for the first answer"


class RefreshService(Protocol):
    """What the refresher needs (RiskService is one)."""

    async def refresh_account(self, spec: AccountSpec, previous: AccountState | None) -> AccountState: ...
    async def compose(self, accounts: Sequence[AccountSpec], snapshot: PortfolioSnapshot) -> Any: ...


class AccountRefresher:
    """Not thread-safe: call it on the worker's event loop only."""

    def __init__(self, service: RefreshService, *, publish: Callable[[Any], None],
                 report_error: Callable[[str], None], busy: Callable[[bool], None] | None = None,
                 late_after_s: float = LATE_AFTER_S, batch_s: float = BATCH_S,
                 now: Callable[[], float] = time.time) -> None:
        """`publish` gets each update `service.compose` makes; `report_error` a failure of either (a
        bug, or a total outage); `busy` whether any fetch is in flight, on each change."""
        self._service = service
        self._publish = publish
        self._report_error = report_error
        self._busy = busy
        self.late_after_s = late_after_s
        self.batch_s = batch_s
        self._now = now
        self._accounts: tuple[AccountSpec, ...] = ()
        self._states: dict[str, AccountState] = {}
        self._in_flight: dict[str, tuple[asyncio.Task[None], float]] = {}  # id -> (fetch, started, epoch s)
        self._late_ids: set[str] = set()  # in flight for longer than late_after_s
        self._dirty = False
        self._publisher: asyncio.Task[None] | None = None
        self._batch: asyncio.TimerHandle | None = None
        self._was_busy = False

    # --- commands ------------------------------------------------------------------------------

    def set_accounts(self, accounts: Sequence[AccountSpec]) -> None:
        """Follow the configured accounts: fetches of removed or changed accounts are cancelled and
        their states forgotten. The next poll fetches the new ones."""
        wanted = {a.account_id: a for a in accounts if a.enabled}
        old = {a.account_id: a for a in self._accounts}
        self._accounts = tuple(wanted.values())
        for account_id, spec in old.items():
            if wanted.get(account_id) != spec:
                self._states.pop(account_id, None)
                self._late_ids.discard(account_id)
                fetch = self._in_flight.pop(account_id, None)
                if fetch is not None:
                    fetch[0].cancel()
        self._note_busy()

    def poll(self, account_ids: Collection[str] | None = None) -> None:
        """Start a fetch of every enabled account (or of `account_ids`) that is not fetching already."""
        loop = asyncio.get_running_loop()
        for spec in self._accounts:
            if (account_ids is not None and spec.account_id not in account_ids) \
                    or spec.account_id in self._in_flight:
                continue
            task = loop.create_task(self._fetch(spec))
            self._in_flight[spec.account_id] = (task, self._now())
            loop.call_later(self.late_after_s, self._late, spec.account_id, task)
        if not self._accounts and account_ids is None:
            self._request_publish()  # nothing to fetch: the (empty) portfolio is the news
        self._note_busy()

    def cancel(self) -> None:
        """Cancel every fetch, the pending batch and the publisher (the worker is stopping)."""
        for task, _ in self._in_flight.values():
            task.cancel()
        self._in_flight.clear()
        self._late_ids.clear()
        if self._batch is not None:
            self._batch.cancel()
        if self._publisher is not None:
            self._publisher.cancel()

    @property
    def in_flight(self) -> frozenset[str]:
        return frozenset(self._in_flight)

    # --- fetching ------------------------------------------------------------------------------

    async def _fetch(self, spec: AccountSpec) -> None:
        previous = self._states.get(spec.account_id)
        try:
            state = await self._service.refresh_account(spec, previous)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug: this account fails, the others carry on
            log.warning("refresh of %s failed unexpectedly: %s", spec.name, type(exc).__name__)
            state = AccountState(spec.account_id, spec.name, previous.data if previous else None,
                                 f"internal error while refreshing ({type(exc).__name__})", INTERNAL_ERROR,
                                 self._now())
        fetch = self._in_flight.get(spec.account_id)
        if fetch is None or fetch[0] is not asyncio.current_task():
            return  # removed or changed meanwhile: this answer belongs to nobody now
        del self._in_flight[spec.account_id]
        self._late_ids.discard(spec.account_id)
        self._states[spec.account_id] = state
        self._note_busy()
        # The last answer outstanding goes out at once; others wait a moment for their neighbours.
        self._request_publish(0.0 if not self._in_flight else self.batch_s)

    def _late(self, account_id: str, task: asyncio.Task[None]) -> None:
        fetch = self._in_flight.get(account_id)
        if fetch is not None and fetch[0] is task:
            self._late_ids.add(account_id)
            self._request_publish()  # its figures turn from fresh to waiting

    # --- publishing ----------------------------------------------------------------------------

    def snapshot(self) -> PortfolioSnapshot:
        """Every enabled account as the window should show it now."""
        now = self._now()
        states = []
        for spec in self._accounts:
            state = self._states.get(spec.account_id)
            fetch = self._in_flight.get(spec.account_id)
            if fetch is not None and (state is None or spec.account_id in self._late_ids):
                data = state.data if state is not None else None
                state = AccountState(spec.account_id, spec.name, data,
                                     _WAITING if data is not None else _WAITING_FIRST, PENDING, fetch[1])
            if state is not None:
                states.append(state)
        return PortfolioSnapshot(taken_at=now, accounts=tuple(states))

    def _request_publish(self, delay_s: float = 0.0) -> None:
        self._dirty = True
        if self._publisher is not None and not self._publisher.done():
            return  # the running publisher goes round again while anything is new
        if delay_s > 0:
            if self._batch is None:
                self._batch = asyncio.get_running_loop().call_later(delay_s, self._start_publisher)
            return
        self._start_publisher()

    def _start_publisher(self) -> None:
        if self._batch is not None:
            self._batch.cancel()
            self._batch = None
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.get_running_loop().create_task(self._publish_loop())

    async def _publish_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                update = await self._service.compose(self._accounts, self.snapshot())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # account failures are inside the update; this is a bug or an outage
                log.warning("composing an update failed: %s", type(exc).__name__)
                message = str(exc) if isinstance(exc, BybitError) else f"{type(exc).__name__}: {exc}"
                self._report_error(message)
                continue
            try:
                self._publish(update)
            except Exception as exc:  # a bug where the update goes: said, and the next one goes out
                log.warning("publishing an update failed: %s", type(exc).__name__)
                self._report_error(f"publishing an update failed ({type(exc).__name__}: "
                                   f"{' '.join(str(exc).split())})")

    def _note_busy(self) -> None:
        busy = bool(self._in_flight)
        if busy != self._was_busy:
            self._was_busy = busy
            if self._busy is not None:
                self._busy(busy)
