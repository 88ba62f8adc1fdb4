"""What the journal shows: per account (from a fresh sync, or from the cache with its age) and in total.

The total has one rule wherever it is shown (window, CSV, `riskdesk-cli journal`): it adds up the
accounts whose figures are current for the report, that is every account with figures and no error.
After a sync those are the accounts synced just now; an account whose sync failed is listed failed
(with its cached figures and their age in its own row) and left out of the total. A journal read from
the cache alone (offline) has no failures: its total adds up the cached accounts, and is as of the
oldest of them (`total_as_of_ms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop_app.domain.journal import JournalFigures, JournalFunding, JournalTrade
from desktop_app.journal import (
    MissingPriceError,
    funding_in_usd,
    journal_figures,
    total_figures,
    trades_in_usd,
)
from desktop_app.journal.figures import AccountEvents
from desktop_app.journal.usd import PriceOf
from desktop_app.storage.history_schema import HistoryError
from desktop_app.storage.journal_cache import JournalCache


@dataclass(frozen=True, slots=True)
class AccountJournal:
    """One account's journal. `fresh`: synced just now; otherwise built from the cache as of `as_of_ms`
    (None: nothing cached for the whole period). `error` says why the sync or the valuation failed."""

    account_id: str
    name: str
    fresh: bool
    error: str | None
    as_of_ms: int | None
    figures: JournalFigures | None
    trades: tuple[JournalTrade, ...] = ()
    funding: tuple[JournalFunding, ...] = ()

    @property
    def ok(self) -> bool:
        return self.fresh and self.error is None and self.figures is not None

    def events(self) -> AccountEvents:
        forecast = self.figures.funding_next_24h_usd if self.figures is not None else None
        return AccountEvents(self.trades, self.funding, forecast)


@dataclass(frozen=True, slots=True)
class JournalReport:
    start_ms: int
    end_ms: int
    accounts: tuple[AccountJournal, ...]

    @property
    def complete(self) -> bool:
        return all(a.ok for a in self.accounts)

    @property
    def in_total(self) -> tuple[AccountJournal, ...]:
        """The accounts the total adds up: those with figures and no error."""
        return tuple(a for a in self.accounts if a.figures is not None and a.error is None)

    @property
    def total_as_of_ms(self) -> int | None:
        """When the total's figures are as of: the oldest of its accounts' (None: no account in it)."""
        times = [a.as_of_ms for a in self.in_total if a.as_of_ms is not None]
        return min(times) if times else None

    def total(self) -> JournalFigures:
        """The accounts `in_total` together: trades merged in time order, funding summed (no account:
        figures of nothing; check `in_total` before showing them as a total)."""
        return total_figures(a.events() for a in self.in_total)


def account_journal(cache: JournalCache, account_id: str, name: str, start_ms: int, end_ms: int,
                    price_of: PriceOf, *, fresh: bool, forecast: Decimal | None,
                    error: str | None = None) -> AccountJournal:
    """The account's journal over [start_ms, end_ms] from the cache. A row that cannot be valued (no
    mark price for a coin amount) turns the account into an error rather than a wrong figure."""
    try:
        trades = trades_in_usd(account_id, cache.closed_pnl(account_id, start_ms, end_ms), price_of)
        funding = funding_in_usd(account_id, cache.funding(account_id, start_ms, end_ms), price_of)
    except (MissingPriceError, HistoryError) as exc:
        return AccountJournal(account_id, name, fresh, error or str(exc), end_ms, None)
    figures = journal_figures(trades, funding, funding_next_24h_usd=forecast)
    return AccountJournal(account_id, name, fresh, error, end_ms, figures, trades, funding)
