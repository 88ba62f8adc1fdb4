"""Funding rates of the simulator's perpetuals: every 8 hours, seeded per symbol and settlement time.

One function gives the rate of a settlement, so the tickers (the rate of the next settlement), the
funding history (past settlements) and the accounts' SETTLEMENT rows always agree.
"""

from __future__ import annotations

import hashlib
import random
from decimal import ROUND_HALF_EVEN, Decimal

FUNDING_INTERVAL_MS = 8 * 3_600_000
FUNDING_INTERVAL_MIN = FUNDING_INTERVAL_MS // 60_000  # instruments-info `fundingInterval`
FUNDING_CAP = Decimal("0.005")  # tickers `fundingCap`, instruments upper/lowerFundingRate
_BASE_RATE = 0.0001  # Bybit's usual resting rate (0.01% per 8 h)
_RATE_SPREAD = 0.00012
_STEP = Decimal("0.000001")


def settlement_at_or_before(time_ms: int) -> int:
    """The latest funding time (00:00, 08:00, 16:00 UTC) at or before `time_ms`."""
    return time_ms - time_ms % FUNDING_INTERVAL_MS


def next_settlement(time_ms: int) -> int:
    return settlement_at_or_before(time_ms) + FUNDING_INTERVAL_MS


def funding_rate(seed: int, symbol: str, settlement_ms: int) -> Decimal:
    """The rate settled at `settlement_ms` (a fraction per interval): mostly a little positive, as on
    Bybit, sometimes negative, never beyond the cap."""
    digest = hashlib.sha256(f"riskdesk-funding:{seed}:{symbol}:{settlement_ms}".encode()).digest()
    draw = random.Random(digest).gauss(_BASE_RATE, _RATE_SPREAD)
    rate = Decimal(repr(draw)).quantize(_STEP, ROUND_HALF_EVEN)
    return max(-FUNDING_CAP, min(FUNDING_CAP, rate))


INTEREST_RATE = Decimal("0.0001")  # Bybit's interest component per 8 h
_CLAMP = Decimal("0.0005")


def premium_index(seed: int, symbol: str, settlement_ms: int) -> Decimal:
    """The premium index over the interval that ends at `settlement_ms`, held constant through it, such
    that Bybit's formula F = P + clamp(I − P, −0.05 %, 0.05 %) gives back that settlement's rate F.

    A rate equal to the interest rate I is what a zero premium gives (the simulator's mark equals its
    index); any other rate needs |P − I| beyond the clamp, so P = F ± 0.05 %.
    """
    rate = funding_rate(seed, symbol, settlement_ms)
    if rate == INTEREST_RATE:
        return Decimal(0)
    return rate + _CLAMP if rate > INTEREST_RATE else rate - _CLAMP
