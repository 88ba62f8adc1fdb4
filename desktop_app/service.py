"""The one place that turns configured accounts into risk figures: refresh, history, risk report.

Shared by the GUI worker (on its own asyncio loop, on a QThread) and by `riskdesk-cli`, so both
show the same numbers. No Qt here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop_app.bybit.client import BybitClient
from desktop_app.bybit.http import DEFAULT_DEADLINE_S, HttpPool
from desktop_app.domain.account import MarginMode
from desktop_app.domain.api_key import ApiKeyInfo
from desktop_app.domain.snapshot import AccountSpec, AccountState, PortfolioSnapshot
from desktop_app.monitor import Monitor
from desktop_app.price_history import PriceHistory, PriceHistoryCache
from desktop_app.risk import (
    Book,
    ReturnModel,
    RiskReport,
    StressResult,
    book_from_snapshot,
    build_report,
    prepare_positions,
)
from desktop_app.risk import stress as risk_stress

KEY_EXPIRY_WARNING_DAYS = 14  # Bybit expires IP-unbound keys after 90 days; warn two weeks ahead
MAX_SHOCK = 10.0  # a price move of +1000%: beyond it a stress test says nothing a trader can use


@dataclass(frozen=True, slots=True)
class PortfolioUpdate:
    """Everything one refresh produced; immutable, safe to hand to another thread."""

    snapshot: PortfolioSnapshot
    book: Book
    model: ReturnModel
    report: RiskReport
    history: PriceHistory


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What "Test connection" shows about an account and its key."""

    margin_mode: MarginMode | None
    classic: bool
    key: ApiKeyInfo
    clock_offset_ms: float
    warnings: tuple[str, ...]


def key_warnings(key: ApiKeyInfo) -> tuple[str, ...]:
    """Loud warnings for a key that can do more than read, is not IP-bound, or expires soon."""
    warnings: list[str] = []
    if key.can_withdraw:
        warnings.append("This key can WITHDRAW funds. RiskDesk only reads: create a read-only key.")
    if key.can_trade:
        warnings.append("This key can TRADE. RiskDesk only reads: create a read-only key.")
    if key.can_transfer:
        warnings.append("This key can TRANSFER funds between accounts. Use a read-only key.")
    if not key.ip_bound:
        warnings.append("This key is not bound to an IP address: anyone who obtains it can use it "
                        "from anywhere, and Bybit expires such keys after 90 days.")
    if key.deadline_day is not None and 0 <= key.deadline_day <= KEY_EXPIRY_WARNING_DAYS:
        warnings.append(f"This key expires in {key.deadline_day} day(s).")
    return tuple(warnings)


def stress_update(update: PortfolioUpdate, shocks: Mapping[str, float], *, beta: bool = True) -> StressResult:
    """Stress an update with no network call and no service state (the GUI thread calls it directly).

    May raise: ValueError (a shock of −100% or worse, above MAX_SHOCK, or not finite).
    """
    if any(not -1.0 < float(s) <= MAX_SHOCK for s in shocks.values()):  # NaN fails this too
        raise ValueError(f"a shock must be a fraction above -1 and at most {MAX_SHOCK:g}, e.g. -0.15")
    return risk_stress(update.book, shocks, model=update.model, beta=beta)


class RiskService:
    """Owns the HTTP pool, the monitor and the price-history cache of one process or worker."""

    def __init__(self, pool: HttpPool | None = None, *, confidences: Sequence[float] = (0.95, 0.99),
                 horizon_days: int = 1, deadline_s: float = DEFAULT_DEADLINE_S) -> None:
        """`deadline_s` bounds each request and each account's fetch of a pool made here.
        May raise: ValueError (a deadline that is not a positive number of seconds)."""
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else HttpPool(deadline_s=deadline_s)
        self._monitor = Monitor(self._pool)
        self._history = PriceHistoryCache()
        self._confidences = tuple(confidences)
        self._horizon_days = horizon_days
        self._previous: PortfolioSnapshot | None = None

    @property
    def pool(self) -> HttpPool:
        return self._pool

    def set_var_options(self, confidences: Sequence[float], horizon_days: int) -> None:
        """The VaR confidence levels (fractions) and horizon (days) of every report from now on."""
        self._confidences = tuple(confidences)
        self._horizon_days = horizon_days

    async def update(self, accounts: Sequence[AccountSpec]) -> PortfolioUpdate:
        """Refresh every enabled account and compute the report; account failures are in the snapshot.
        Each account ends within the pool's deadline, so the slowest bounds the wait."""
        before = {s.account_id: s for s in self._previous.accounts} if self._previous is not None else {}
        enabled = [a for a in accounts if a.enabled]
        states = await asyncio.gather(*(self.refresh_account(a, before.get(a.account_id)) for a in enabled))
        return await self.compose(accounts, PortfolioSnapshot(taken_at=time.time(), accounts=tuple(states)))

    async def refresh_account(self, spec: AccountSpec, previous: AccountState | None) -> AccountState:
        """One account's fetch on its own (the live worker publishes each as it answers); failures
        become its state, never exceptions. Its positions are converted for the risk engine as it
        answers, while other accounts are still on the network."""
        state = await self._monitor.refresh_account(spec, previous)
        if state.data is not None:
            prepare_positions(state.data.positions)
        return state

    async def compose(self, accounts: Sequence[AccountSpec], snapshot: PortfolioSnapshot) -> PortfolioUpdate:
        """The update of a snapshot: its book, price history, return model and risk report."""
        self._previous = snapshot
        book = book_from_snapshot(snapshot)
        history = await self._price_history(accounts, snapshot, book)
        model = ReturnModel.from_closes(history.closes)
        report = build_report(book, model=model, confidences=self._confidences,
                              horizon_days=self._horizon_days)
        # Position rows are built lazily on first read and cached: read them here, on the worker
        # thread, so the GUI thread never pays for building them.
        tuple(report.positions)
        return PortfolioUpdate(snapshot=snapshot, book=book, model=model, report=report, history=history)

    async def _price_history(self, accounts: Sequence[AccountSpec], snapshot: PortfolioSnapshot,
                             book: Book) -> PriceHistory:
        # Market data is public: any account whose host answered gives the history for all.
        by_id = {a.account_id: a for a in accounts}
        answered = [by_id[s.account_id] for s in snapshot.accounts if s.ok and s.account_id in by_id]
        source = answered[0] if answered else None
        if source is None or not book.coins:
            return PriceHistory(closes={}, missing=tuple(book.coins) if source is None else ())
        return await self._history.history(self._monitor.client_for(source), book.coins)

    async def test_connection(self, spec: AccountSpec) -> ConnectionReport:
        """Reach the account with its key and describe what the key may do.

        May raise: BybitError with the client's actionable message (wrong environment, bad secret,
        clock skew, IP whitelist, expired key).
        """
        client = BybitClient(spec.environment, spec.credentials, self._pool)
        await client.server_time_ms()
        clock = self._pool.clock_for(spec.environment.rest_url)
        info = await client.account_info()
        key = await client.api_key_info()
        return ConnectionReport(margin_mode=info.margin_mode, classic=info.is_classic, key=key,
                                clock_offset_ms=float(clock.offset_ms), warnings=key_warnings(key))

    async def api_key_info(self, spec: AccountSpec) -> ApiKeyInfo:
        """What the account's key may do and when it expires. May raise: BybitError."""
        return await self._monitor.client_for(spec).api_key_info()

    def forget(self, account_id: str) -> None:
        self._monitor.forget(account_id)

    async def aclose(self) -> None:
        if self._owns_pool:
            await self._pool.aclose()
