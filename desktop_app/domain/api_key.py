"""What the exchange says about an API key: permissions, IP binding, expiry. Never the secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """What `/v5/user/query-api` says about the key. The secret is never part of it."""

    key_id: str
    note: str
    read_only: bool
    permissions: tuple[tuple[str, tuple[str, ...]], ...]  # (group, scopes) pairs, in Bybit's order
    ips: tuple[str, ...]
    deadline_day: int | None  # remaining days for unbound keys; negative or None when not applicable
    expires_at: datetime | None  # None when Bybit says 1970-01-01 (no expiry)
    created_at: datetime | None
    is_unified: bool
    user_id: int | None
    is_master: bool

    def scopes(self, group: str) -> tuple[str, ...]:
        for name, scopes in self.permissions:
            if name == group:
                return scopes
        return ()

    def days_left(self, now_s: float) -> float | None:
        """Days (fractional) until the key expires at epoch second `now_s`; None when it does not.

        `expiredAt` is exact; `deadlineDay` (whole days) is the fallback when Bybit gives no date.
        """
        if self.expires_at is not None:
            expires = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=UTC)
            return (expires.timestamp() - now_s) / 86_400
        if self.deadline_day is not None and self.deadline_day >= 0:
            return float(self.deadline_day)
        return None

    @property
    def can_withdraw(self) -> bool:
        return "Withdraw" in self.scopes("Wallet")

    @property
    def can_transfer(self) -> bool:
        transfer_scopes = ("AccountTransfer", "SubMemberTransfer", "SubMemberTransferList")
        return not self.read_only and any(s in self.scopes("Wallet") for s in transfer_scopes)

    @property
    def can_trade(self) -> bool:
        trade_groups = ("ContractTrade", "Spot", "Options", "Derivatives")
        return not self.read_only and any(self.scopes(g) for g in trade_groups)

    @property
    def ip_bound(self) -> bool:
        return bool(self.ips) and "*" not in self.ips
