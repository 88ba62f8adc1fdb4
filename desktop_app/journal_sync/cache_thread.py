"""The journal cache's own thread during a sync.

SQLite waits up to its busy timeout (seconds) for a lock that a watcher or the window holds while it
writes history. Run on the event loop, that wait would stall every account's requests; on this thread
it stalls only the cache calls queued behind it. One thread, so the cache's connection is used by
one thread at a time and its transactions never interleave.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from desktop_app.storage.journal_cache import JournalCache

P = ParamSpec("P")
T = TypeVar("T")


class CacheThread:
    """Runs calls on the cache one after another on a thread of their own, for one sync."""

    def __init__(self, cache: JournalCache) -> None:
        self.cache = cache
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskdesk-journal-cache")

    async def run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`call(*args, **kwargs)` on the cache's thread. A cancelled caller leaves the call to finish
        (a transaction is never cut short); its result is dropped. May raise: what `call` raises."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        """Wait for the call in progress, if any, so the caller may use the cache again on its own thread."""
        self._executor.shutdown(wait=True, cancel_futures=True)
