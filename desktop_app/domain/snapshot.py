"""Immutable portfolio snapshots: what the monitor produces and the risk engine and GUI consume.

A snapshot never mixes "no data" with "zero": an account whose refresh failed keeps its last good
data (`data`, with `data.fetched_at`) and carries the error of the failed attempt. An account still
waiting for a late answer is stale too (`pending`): its last good data, never shown as fresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.account import AccountInfo, Position, Wallet
from desktop_app.domain.credentials import Credentials
from desktop_app.domain.environment import Environment

# The error code of an account whose refresh is still waiting for a late answer. Negative codes are
# RiskDesk's own (the client's are in bybit/errors.py, the streams' in bybit/ws_common.py, -100 to
# -114); this one is not the client's to raise, and no other code may share it.
PENDING = -120


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """An account the monitor refreshes. Built in memory from the config and the keyring."""

    account_id: str
    name: str
    environment: Environment
    credentials: Credentials
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class AccountData:
    """One complete, consistent fetch of an account."""

    info: AccountInfo
    wallet: Wallet
    positions: tuple[Position, ...]
    fetched_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class AccountState:
    account_id: str
    name: str
    data: AccountData | None  # last good data; may be older than this refresh
    error: str | None  # why the latest attempt failed; None when `data` is from it
    error_code: int | None
    attempted_at: float  # epoch seconds

    @property
    def ok(self) -> bool:
        return self.error is None and self.data is not None

    @property
    def stale(self) -> bool:
        return not self.ok

    @property
    def pending(self) -> bool:
        """Its refresh is late and still waiting for an answer (the data shown is the last good)."""
        return self.error_code == PENDING

    def age_s(self, now: float) -> float | None:
        """Seconds since the data was fetched, or None when there never was any."""
        return None if self.data is None else max(0.0, now - self.data.fetched_at)


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    taken_at: float  # epoch seconds
    accounts: tuple[AccountState, ...]

    @property
    def complete(self) -> bool:
        return all(a.ok for a in self.accounts)

    def positions(self) -> tuple[tuple[AccountState, Position], ...]:
        """Every position of every account that has data, with its account."""
        return tuple((a, p) for a in self.accounts if a.data is not None for p in a.data.positions)
