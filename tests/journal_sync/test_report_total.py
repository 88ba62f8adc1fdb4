"""One rule for the journal's total, wherever it is shown: the accounts with current figures (after a sync,
those synced now; a failed account is listed failed and left out), as of the oldest of them. Worked by
hand on three small accounts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from desktop_app.commands.journal import journal_document
from desktop_app.domain.journal import JournalFunding, JournalTrade
from desktop_app.journal import journal_figures
from desktop_app.journal_sync.export import journal_csv
from desktop_app.journal_sync.report import AccountJournal, JournalReport

D = Decimal
DAY = 86_400_000
END = 1_767_225_600_000
START = END - 7 * DAY


def account(name: str, pnls: list[tuple[int, str]], funding: str, *, fresh: bool, error: str | None,
            as_of_ms: int) -> AccountJournal:
    trades = tuple(JournalTrade(name, t, "BTCUSDT", D(p), f"{name}-{t}") for t, p in pnls)
    payments = (JournalFunding(name, START + 1, "BTCUSDT", D(funding)),)
    figures = journal_figures(trades, payments, funding_next_24h_usd=D("-1.5"))
    return AccountJournal(name, name, fresh, error, as_of_ms, figures, trades, payments)


def synced_report() -> JournalReport:
    a = account("A", [(START + 10, "100"), (START + 30, "-40")], "-5", fresh=True, error=None, as_of_ms=END)
    # B's sync failed: it keeps its cached figures, two days old, and stays out of the total.
    b = account("B", [(START + 20, "1000")], "-7", fresh=False, error="[10016] Internal server error.",
                as_of_ms=END - 2 * DAY)
    c = account("C", [(START + 20, "-30")], "2", fresh=True, error=None, as_of_ms=END)
    return JournalReport(START, END, (a, b, c))


def test_after_a_sync_the_total_is_the_synced_accounts() -> None:
    report = synced_report()
    assert [a.name for a in report.in_total] == ["A", "C"] and report.total_as_of_ms == END
    total = report.total()
    # A and C merged in time order: +100, -30, -40 -> cumulative 100, 70, 30: the fall from 100 is 70.
    assert (total.trades, total.wins, total.losses) == (3, 1, 2)
    assert (total.realised_pnl_usd, total.funding_usd, total.net_pnl_usd) == (D(30), D(-3), D(27))
    assert total.max_drawdown_usd == D(70) and total.funding_next_24h_usd == D(-3)


def test_the_csv_and_the_cli_show_the_same_total() -> None:
    report = synced_report()
    rows = list(csv.reader(io.StringIO(journal_csv(report))))
    assert rows[2][:4] == ["B", "failed: [10016] Internal server error.", str(END - 2 * DAY), "1"]
    assert rows[4][:4] == ["Total", "", str(END), "3"]
    assert rows[4][8:12] == ["30", "-3", "27", "70"]
    document = journal_document(report)
    assert document["total"]["trades"] == 3 and document["total"]["net_pnl_usd"] == D(27)
    assert document["accounts"][1]["ok"] is False and document["accounts"][1]["trades"] is None


def test_offline_the_total_is_the_cached_accounts_as_of_the_oldest() -> None:
    a = account("A", [(START + 10, "100")], "-5", fresh=False, error=None, as_of_ms=END - DAY)
    b = account("B", [(START + 20, "1000")], "-7", fresh=False, error=None, as_of_ms=END - 2 * DAY)
    never = AccountJournal("N", "N", False, None, None, None)          # nothing cached for the period
    report = JournalReport(START, END, (a, b, never))
    assert [x.name for x in report.in_total] == ["A", "B"] and report.total_as_of_ms == END - 2 * DAY
    assert report.total().net_pnl_usd == D(1088)                      # 100 + 1000 - 5 - 7
    rows = list(csv.reader(io.StringIO(journal_csv(report))))
    assert rows[4][:4] == ["Total", "", str(END - 2 * DAY), "2"]


def test_no_account_in_the_total_is_no_total_not_zeros() -> None:
    failed = AccountJournal("F", "F", False, "[10003] API key is invalid.", None, None)
    report = JournalReport(START, END, (failed,))
    assert report.in_total == () and report.total_as_of_ms is None
    rows = list(csv.reader(io.StringIO(journal_csv(report))))
    assert rows[2] == ["Total", "", *[""] * 11]
    assert all(value is None for value in journal_document(report)["total"].values())
