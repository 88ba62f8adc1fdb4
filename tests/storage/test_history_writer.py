"""HistoryWriter + HistoryReader: what a refresh stores, de-duplication, retention, the alert log,
closing, concurrent reading, and that no secret reaches the file."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from pathlib import Path

import numpy as np

from desktop_app.alerts.model import AlertEvent, EventKind, Severity
from desktop_app.domain.snapshot import PortfolioSnapshot
from desktop_app.risk.results import AccountRisk, RiskReport
from desktop_app.storage.history import HistoryReader, HistoryWriter
from tests.alerts import factories as f

T = f.NOW
DAY_S = 86_400.0


def sample(t: float, *, main_equity: float = 15_000.0, hedge_stale: bool = False,
           repriced: bool = False) -> RiskReport:
    accounts = [f.account("Main", equity=main_equity, mm_rate=0.25, available=9_000.0, upnl=120.0),
                f.account("Hedge", equity=5_000.0, mm_rate=0.5, stale=hedge_stale, upnl=-20.0),
                f.account("Never", equity=None, mm_rate=None, age_s=None, stale=True, upnl=None)]
    positions = [f.position("Main", exposure=6_000.0), f.position("Main", "BTCPERP", exposure=1_000.0),
                 f.position("Hedge", side="short", exposure=-4_000.0),
                 f.position("Main", "ETHUSDT", coin="ETH", exposure=2_500.0)]
    return f.report(accounts, positions, exposure=[f.coin("BTC", 7_000.0, 4_000.0), f.coin("ETH", 2_500.0)],
                    taken_at=t, repriced=repriced, missing=1)


def snap(t: float) -> PortfolioSnapshot:
    return PortfolioSnapshot(t, ())


def test_a_refresh_round_trips_through_the_database(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T) as writer:
        assert writer.submit(sample(T), snap(T))
        assert writer.submit(sample(T + 5, main_equity=14_000.0, hedge_stale=True), snap(T + 5))
        assert writer.flush(5)
    with HistoryReader(path) as reader:
        # Totals: 15,000 + 5,000 = 20,000, then 14,000 + 5,000 (stale, last good) = 19,000.
        assert [v.tolist() for v in reader.equity_series(None, 0)] == [[T, T + 5], [20_000.0, 19_000.0]]
        assert reader.equity_series("main", 0)[1].tolist() == [15_000.0, 14_000.0]
        assert reader.equity_series("hedge", 0)[0].tolist() == [T]  # the stale refresh is skipped
        assert reader.upnl_series(None, 0)[1].tolist() == [100.0, 100.0]  # 120 − 20
        assert reader.mm_rate_series("main", T + 1)[1].tolist() == [0.25]
        # Both per-account series in one read: Main at T and T + 5; Hedge only at T (stale at T + 5).
        times, equity, rates = reader.account_series("main", 0)
        assert (times.tolist(), equity.tolist(), rates.tolist()) == ([T, T + 5], [15_000.0, 14_000.0],
                                                                     [0.25, 0.25])
        assert [c.tolist() for c in reader.account_series("hedge", 0)] == [[T], [5_000.0], [0.5]]
        assert [c.tolist() for c in reader.account_series("main", T + 1, T + 4)] == [[], [], []]
        # BTC: Main long 6,000 + 1,000, Hedge short 4,000 → net 3,000, long 7,000, short 4,000, gross 11,000.
        assert reader.exposure_series("BTC", 0)[1].tolist() == [3_000.0, 3_000.0]
        assert reader.exposure_series("BTC", 0, measure="long")[1].tolist() == [7_000.0, 7_000.0]
        assert reader.exposure_series("BTC", 0, measure="short")[1].tolist() == [4_000.0, 4_000.0]
        assert reader.exposure_series("BTC", 0, measure="gross")[1].tolist() == [11_000.0, 11_000.0]
        assert reader.exposure_series("SOL", 0)[1].tolist() == [0.0, 0.0]  # not held: zero
        assert reader.coins() == ("BTC", "ETH")
        assert [(a.account_id, a.name, a.first_s, a.last_s) for a in reader.accounts()] == [
            ("hedge", "Hedge", T, T + 5), ("main", "Main", T, T + 5)]  # "Never" had no data: no rows


def test_repriced_reports_and_the_same_snapshot_are_not_stored_twice(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T) as writer:
        assert writer.submit(sample(T), snap(T))
        assert not writer.submit(sample(T + 1, repriced=True), snap(T))  # streamed marks, same poll
        assert not writer.submit(sample(T + 2, repriced=True))  # no snapshot: repriced is skipped
        assert writer.submit(sample(T + 3))
    with HistoryReader(path) as reader:
        assert reader.equity_series(None, 0)[0].tolist() == [T, T + 3]


def test_retention_deletes_old_rows_at_open_and_while_running(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    old = AlertEvent(("drawdown", "portfolio"), Severity.WARNING, EventKind.RAISED, 0.06, 0.05, "down",
                     T - 95 * DAY_S)
    recent = AlertEvent(("drawdown", "portfolio"), Severity.WARNING, EventKind.CLEARED, 0.03, 0.05, "up", T)
    with HistoryWriter(path, clock=lambda: T) as writer:
        writer.submit(sample(T - 100 * DAY_S))
        writer.submit(sample(T - 70 * DAY_S))
        writer.submit_alerts([old, recent])
    # Opened 10 days later with the default 90 days: the cutoff is T + 10 d − 90 d = T − 80 d.
    with HistoryWriter(path, clock=lambda: T + 10 * DAY_S, prune_every_s=0) as writer:
        with HistoryReader(path) as reader:
            assert reader.equity_series(None, 0)[0].tolist() == [T - 70 * DAY_S]
            assert reader.alert_log() == (recent,)
        writer.retention_days = 5
        writer.submit(sample(T + 9 * DAY_S))
        writer.flush(5)  # the batch is written, then pruned: cutoff T + 10 d − 5 d = T + 5 d
        with HistoryReader(path) as reader:
            assert reader.equity_series(None, 0)[0].tolist() == [T + 9 * DAY_S]
            assert reader.alert_log() == ()
    conn = sqlite3.connect(path)
    try:  # children went with their refresh: 2 account rows and 3 exposure rows (Main BTC/ETH, Hedge BTC)
        assert conn.execute("SELECT count(*) FROM account_sample").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM exposure_sample").fetchone()[0] == 3
    finally:
        conn.close()


def test_alert_log_newest_first_and_closed_writer_refuses(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    raised = AlertEvent(("mm_rate", "Hedge"), Severity.WARNING, EventKind.RAISED, 0.55, 0.5,
                        "Hedge: margin rate 55% — liquidation at 100%", T)
    cleared = AlertEvent(("mm_rate", "Hedge"), Severity.WARNING, EventKind.CLEARED, None, 0.5,
                         "No longer applies: Hedge: margin rate 55% — liquidation at 100%", T + 60)
    writer = HistoryWriter(path, clock=lambda: T)
    writer.submit_alerts([raised])
    writer.submit_alerts([cleared])
    writer.close()  # flushes what is queued
    writer.close()
    assert not writer.submit(sample(T)) and not writer.submit_alerts([raised]) and writer.dropped == 2
    assert not writer.flush(1)
    with HistoryReader(path) as reader:
        assert reader.alert_log() == (cleared, raised)
        assert reader.alert_log(limit=1) == (cleared,)


def test_reader_reads_while_the_writer_writes(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    counts: list[int] = []
    with HistoryWriter(path, clock=lambda: T, max_batch=7) as writer, HistoryReader(path) as reader:
        def produce() -> None:
            for i in range(300):
                writer.submit(sample(T + i))

        producer = threading.Thread(target=produce)
        producer.start()
        while producer.is_alive() or len(counts) < 3:
            counts.append(len(reader.equity_series(None, 0)[0]))
        producer.join()
        writer.flush(10)
        counts.append(len(reader.equity_series(None, 0)[0]))
    assert counts == sorted(counts) and counts[-1] == 300
    assert writer.last_error is None


def test_no_secret_or_api_key_reaches_the_file(tmp_path: Path) -> None:
    from desktop_app.bybit.environments import DEMO
    from desktop_app.domain.credentials import Credentials, Secret
    from desktop_app.domain.snapshot import AccountSpec

    secret, api_key = "S3CR3T-value-xyz", "APIKEY-abc-123"
    spec = AccountSpec("main", "Main", DEMO, Credentials(api_key, Secret(secret)))  # what the app holds
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T) as writer:
        writer.submit(sample(T), snap(T))
        writer.submit_alerts([AlertEvent(("stale", spec.name), Severity.WARNING, EventKind.RAISED, 4.0, 3.0,
                                         f"{spec.name}: data 40 s old", T)])
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Main" in data  # the scan does see the file's text
    assert secret.encode() not in data and api_key.encode() not in data


def _main_named(name: str) -> AccountRisk:
    """Account "main" (the id of sample()'s "Main") under another name."""
    return dataclasses.replace(f.account(name, equity=1.0), account_id="main")


def test_accounts_and_coins_follow_renames_and_retention(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    renamed = f.report([_main_named("Main 2")], [f.position("Main", "SOLUSDT", coin="SOL", exposure=100.0)],
                       taken_at=T - 60 * DAY_S)
    with HistoryWriter(path, clock=lambda: T) as writer:
        writer.submit(sample(T - 70 * DAY_S))  # Main, Hedge; BTC, ETH
        writer.submit(sample(T - 50 * DAY_S))
        writer.submit(renamed)  # older than the last sample: its name does not win
        writer.flush(5)
        with HistoryReader(path) as reader:
            assert [(a.account_id, a.name, a.first_s, a.last_s) for a in reader.accounts()] == [
                ("hedge", "Hedge", T - 70 * DAY_S, T - 50 * DAY_S),
                ("main", "Main", T - 70 * DAY_S, T - 50 * DAY_S)]
            assert reader.coins(0) == ("BTC", "ETH", "SOL")
            assert reader.coins(T - 55 * DAY_S) == ("BTC", "ETH")  # SOL: last seen at T − 60 d
    # 30 days later with the default 90 days the cutoff is T + 30 d − 90 d = T − 60 d: the T − 70 d
    # refresh goes; Main's oldest sample left is the rename at T − 60 d, Hedge's the one at T − 50 d.
    with HistoryWriter(path, clock=lambda: T + 30 * DAY_S, prune_every_s=0) as writer:
        writer.submit(f.report([_main_named("Trading")], [], taken_at=T + 30 * DAY_S))  # newest name wins
        writer.flush(5)
        with HistoryReader(path) as reader:
            assert [(a.account_id, a.name, a.first_s, a.last_s) for a in reader.accounts()] == [
                ("hedge", "Hedge", T - 50 * DAY_S, T - 50 * DAY_S),
                ("main", "Trading", T - 60 * DAY_S, T + 30 * DAY_S)]
        writer.retention_days = 10
        writer.submit(f.report([_main_named("Trading")], [], taken_at=T + 30 * DAY_S + 5))
        writer.flush(5)  # cutoff T + 30 d − 10 d = T + 20 d: Hedge and every coin are gone
        with HistoryReader(path) as reader:
            assert [a.account_id for a in reader.accounts()] == ["main"]
            assert reader.accounts()[0].first_s == T + 30 * DAY_S
            assert reader.coins(0) == ()


def test_a_missing_figure_reads_as_nan_in_the_account_columns(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    no_rate = f.report([f.account("Classic", equity=8_000.0, mm_rate=None)], [], taken_at=T)
    with HistoryWriter(path, clock=lambda: T) as writer:
        writer.submit(no_rate)
        assert writer.flush(5)
    with HistoryReader(path) as reader:
        times, equity, rates = reader.account_series("classic", 0)
        assert times.tolist() == [T] and equity.tolist() == [8_000.0]
        assert np.isnan(rates).tolist() == [True]  # a classic account has no MM rate: NULL -> NaN
