"""The history file: pragmas, permissions, and migrating v1, v2 and v3 files to the current schema."""

from __future__ import annotations

import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from desktop_app.storage.history import HistoryReader
from desktop_app.storage.history_schema import SCHEMA_VERSION, HistoryError, open_history_db, schema_version
from desktop_app.storage.journal_cache import JournalCache
from desktop_app.storage.paths import AppPaths


def test_new_file_is_current_wal_normal_and_private(tmp_path: Path) -> None:
    path = AppPaths.portable(tmp_path / "data").history_db
    conn = open_history_db(path)
    try:
        assert schema_version(conn) == SCHEMA_VERSION == 5
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        conn.close()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_v1_file_with_data_migrates_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = open_history_db(path, target_version=1)
    assert schema_version(conn) == 1
    columns = {row[1] for row in conn.execute("PRAGMA table_info(account_sample)")}
    assert "available_usd" not in columns
    conn.execute("INSERT INTO refresh VALUES (1, 1000.0, 25000.0, 10.0, 8000.0, 2000.0, 2, 0, 0)")
    conn.execute("INSERT INTO account_sample VALUES (1, 'main', 'Main', 0, 15000.0, 5.0, 0.2, 0.1)")
    conn.execute("INSERT INTO exposure_sample VALUES (1, 'main', 'BTC', 5000.0, 3000.0, 2000.0)")
    conn.execute("INSERT INTO alert_log VALUES (1, 1000.0, 'mm_rate', 'Main', 'warning', 'raised', 0.55, 0.5,"
                 " 'Main: margin rate 55% — liquidation at 100%')")
    conn.close()

    # A reader never migrates (the writer does; it can take seconds): it says so and leaves v1 alone.
    with pytest.raises(HistoryError, match="being upgraded"):
        HistoryReader(path)
    conn = sqlite3.connect(path)
    assert schema_version(conn) == 1
    conn.close()
    open_history_db(path).close()  # what the writer does when it opens the file
    with HistoryReader(path) as reader:
        times, values = reader.equity_series("main", 0)
        assert times.tolist() == [1000.0] and values.tolist() == [15000.0]
        assert values.dtype == np.float64
        assert reader.exposure_series("BTC", 0, measure="gross")[1].tolist() == [8000.0]  # 5,000 + 3,000
        assert reader.alert_log()[0].message == "Main: margin rate 55% — liquidation at 100%"
    conn = sqlite3.connect(path)
    try:
        assert schema_version(conn) == SCHEMA_VERSION
        assert conn.execute("SELECT available_usd FROM account_sample").fetchall() == [(None,)]
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"account_sample_by_account", "exposure_sample_by_coin"} <= indexes
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_v2_file_migrates_to_v3_with_the_accounts_and_coins_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = open_history_db(path, target_version=2)
    # Three refreshes at 1000, 1005, 1010 s. "main" was renamed from "Main" to "Trading" at 1010 s;
    # "hedge" was sampled at 1005 s only. BTC was held at 1000 and 1010 s, ETH at 1005 s.
    for refresh_id, time_s in ((1, 1000.0), (2, 1005.0), (3, 1010.0)):
        conn.execute("INSERT INTO refresh VALUES (?, ?, 1.0, 0.0, 0.0, 0.0, 1, 0, 0)", (refresh_id, time_s))
    samples = ((1, "main", "Main"), (2, "main", "Main"), (2, "hedge", "Hedge"), (3, "main", "Trading"))
    for refresh_id, account_id, name in samples:
        conn.execute("INSERT INTO account_sample VALUES (?, ?, ?, 0, 1.0, 0.0, 0.1, 0.1, NULL)",
                     (refresh_id, account_id, name))
    for refresh_id, account_id, coin in ((1, "main", "BTC"), (2, "hedge", "ETH"), (3, "main", "BTC")):
        conn.execute("INSERT INTO exposure_sample VALUES (?, ?, ?, 1.0, 0.0, 1.0)",
                     (refresh_id, account_id, coin))
    conn.close()

    open_history_db(path).close()  # the writer migrates
    with HistoryReader(path) as reader:
        assert [(a.account_id, a.name, a.first_s, a.last_s) for a in reader.accounts()] == [
            ("hedge", "Hedge", 1005.0, 1005.0), ("main", "Trading", 1000.0, 1010.0)]
        assert reader.coins(0) == ("BTC", "ETH")
        assert reader.coins(1006) == ("BTC",)  # ETH was last held at 1005 s


def test_v3_file_gains_the_journal_cache_and_keeps_its_history(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = open_history_db(path, target_version=3)
    conn.execute("INSERT INTO refresh VALUES (1, 1000.0, 25000.0, 10.0, 8000.0, 2000.0, 1, 0, 0)")
    conn.execute("INSERT INTO account_sample VALUES (1, 'main', 'Main', 0, 15000.0, 5.0, 0.2, 0.1, 900.0)")
    conn.execute("INSERT INTO account_seen VALUES ('main', 'Main', 1000.0, 1000.0)")
    conn.close()
    open_history_db(path).close()  # the writer migrates
    with HistoryReader(path) as reader:
        assert reader.equity_series("main", 0)[1].tolist() == [15000.0]
    cache = JournalCache.open(path)
    try:
        host = "https://api.bybit.com"
        cache.store_marks(host, "BTCUSD", {86_400_000: (Decimal("60000.5"), True)})
        assert cache.marks(host, "BTCUSD", 0, 10**12) == {86_400_000: (Decimal("60000.5"), True)}
    finally:
        cache.close()
    conn = sqlite3.connect(path)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"journal_closed_pnl", "journal_funding", "journal_coverage", "journal_mark_day"} <= tables
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(HistoryError, match="newer RiskDesk"):
        open_history_db(path)
    conn = sqlite3.connect(path)
    assert schema_version(conn) == 99
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()


def test_a_file_that_is_not_a_database_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="cannot be used"):
        open_history_db(path)


def test_a_reader_never_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with pytest.raises(HistoryError, match="Cannot open the history database"):
        HistoryReader(path)
    assert not path.exists()
