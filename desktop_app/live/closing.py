"""Closing several things at once within a time limit, without losing a stop that comes meanwhile.

A stop (a cancel) that arrives while the session and the HTTP pool close must neither cut the
closing short nor be swallowed: `close_all` lets what it closes finish (each handles its own cancel),
says whether a cancel came, and the caller raises it once everything it owns is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

log = logging.getLogger(__name__)


async def close_all(closers: Sequence[Coroutine[Any, Any, None]], timeout_s: float, *, what: str,
                    level: int = logging.WARNING) -> bool:
    """Run `closers` together for up to `timeout_s`; a failure or the timeout is logged at `level`,
    naming `what`. True when a cancel came meanwhile (the caller passes it on when done)."""
    closing = asyncio.gather(*closers, return_exceptions=True)
    try:
        results = await asyncio.wait_for(closing, timeout_s)
    except TimeoutError:
        log.log(level, "closing %s: TimeoutError (%.1f s)", what, timeout_s)
        return False
    except asyncio.CancelledError:
        if closing.done() and not closing.cancelled():
            closing.exception()  # seen: asyncio would log a cancelled gather's outcome as never retrieved
        return True
    for result in results:
        if isinstance(result, Exception):
            log.log(level, "closing %s: %s", what, type(result).__name__)
    return any(isinstance(result, asyncio.CancelledError) for result in results)
