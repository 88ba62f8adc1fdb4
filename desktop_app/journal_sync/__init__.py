"""The trade journal's orchestration: sync Bybit's history into the cache, then build the journal.

`JournalService.sync` fetches what the cache lacks (7-day windows, newest history first), the open
positions and funding terms for the forecast, and daily marks for coin-settled rows; `cached_report`
builds the journal from the cache alone (offline). No Qt: the GUI runs it on a thread of its own.
"""

from __future__ import annotations

from desktop_app.journal_sync.report import AccountJournal, JournalReport
from desktop_app.journal_sync.service import DEFAULT_DAYS, MAX_DAYS, JournalService, SyncProgress

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "AccountJournal", "JournalReport", "JournalService", "SyncProgress"]
