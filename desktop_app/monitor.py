"""Refresh every account concurrently into one immutable `PortfolioSnapshot`.

Each account's calls (account info, wallet, the four position queries) run concurrently, and all
accounts run concurrently, so a refresh of 20 accounts costs about one account's latency. One
account's failure is recorded in its `AccountState` (with its last good data and the error) and
never stops the others. An account's whole fetch ends within the pool's deadline, and its data is
checked for plausibility (bybit/plausible.py) before it may count: failed, never a wrong figure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from desktop_app.bybit.client import BybitClient, gather_or_cancel
from desktop_app.bybit.errors import TIMEOUT, BybitError
from desktop_app.bybit.http import HttpPool
from desktop_app.bybit.plausible import check_account
from desktop_app.domain.account import AccountInfo
from desktop_app.domain.snapshot import AccountData, AccountSpec, AccountState, PortfolioSnapshot

log = logging.getLogger(__name__)

# The margin mode and account type change only when the trader switches them on the website, so
# account info is asked for once a minute, not on every poll: one request in six saved per account.
ACCOUNT_INFO_TTL_S = 60.0


class Monitor:
    """Owns one `BybitClient` per account over a shared `HttpPool` (one HTTP client per host)."""

    def __init__(self, pool: HttpPool, *, now: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._now = now
        self._clients: dict[str, tuple[AccountSpec, BybitClient]] = {}
        self._infos: dict[str, tuple[AccountInfo, float]] = {}

    def client_for(self, spec: AccountSpec) -> BybitClient:
        """The account's client, rebuilt when its environment or credentials changed."""
        cached = self._clients.get(spec.account_id)
        if cached is not None and cached[0] == spec:
            return cached[1]
        client = BybitClient(spec.environment, spec.credentials, self._pool)
        self._clients[spec.account_id] = (spec, client)
        self._infos.pop(spec.account_id, None)  # another key may belong to another account
        return client

    async def refresh(
        self, accounts: Sequence[AccountSpec], previous: PortfolioSnapshot | None = None
    ) -> PortfolioSnapshot:
        """Fetch every enabled account; failures become stale states, never exceptions."""
        enabled = [a for a in accounts if a.enabled]
        before = {s.account_id: s for s in previous.accounts} if previous is not None else {}
        states = await asyncio.gather(*(self.refresh_account(a, before.get(a.account_id)) for a in enabled))
        return PortfolioSnapshot(taken_at=self._now(), accounts=tuple(states))

    async def refresh_account(self, spec: AccountSpec, previous: AccountState | None = None) -> AccountState:
        """One account's complete fetch, or its last good data with the error of this attempt."""
        attempted_at = self._now()
        last_good = previous.data if previous is not None else None
        deadline_s = self._pool.deadline_s
        try:
            # Building the client can fail too (an unreadable RSA key): that is this account's error,
            # not a reason to stop every other account's refresh.
            client = self.client_for(spec)
            try:
                # Each request has the deadline; so has the account's fetch as a whole (a clock sync,
                # then calls that may page), or a slow server would hold the account for a multiple of it.
                async with asyncio.timeout(deadline_s):
                    # The first failure cancels the account's other calls.
                    info, wallet, positions = await gather_or_cancel(
                        self._account_info(spec.account_id, client), client.wallet(), client.all_positions()
                    )
            except TimeoutError:
                raise BybitError(TIMEOUT, f"no complete answer within {deadline_s:g} s; the server is too "
                                 "slow or stalled") from None
            check_account(wallet, positions)
        except BybitError as failure:
            log.info("refresh of %s failed: %s", spec.name, failure)
            return AccountState(
                spec.account_id, spec.name, last_good, str(failure), failure.ret_code, attempted_at
            )
        data = AccountData(info=info, wallet=wallet, positions=positions, fetched_at=self._now())
        return AccountState(spec.account_id, spec.name, data, None, None, attempted_at)

    async def _account_info(self, account_id: str, client: BybitClient) -> AccountInfo:
        cached = self._infos.get(account_id)
        if cached is not None and self._now() - cached[1] < ACCOUNT_INFO_TTL_S:
            return cached[0]
        info = await client.account_info()
        self._infos[account_id] = (info, self._now())
        return info

    def forget(self, account_id: str) -> None:
        """Drop a removed account's client and cached account info."""
        self._clients.pop(account_id, None)
        self._infos.pop(account_id, None)
