"""History roll-ups (schema v5): the v4 -> v5 migration on a realistic file, the writer keeping them as
it writes, and what the charts read from them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from desktop_app.storage.history import HistoryReader, HistoryWriter
from desktop_app.storage.history_rollup import RAW, V5, width_for_span
from desktop_app.storage.history_schema import SCHEMA_VERSION, open_history_db, schema_version
from desktop_app.storage.journal_cache import JournalCache
from tests.storage.test_history_writer import sample, snap

T0 = 1_789_999_200.0  # a multiple of 900 s: buckets start on it
assert T0 % 900 == 0


def _v4_file(path: Path) -> None:
    """Two accounts every 5 s for an hour and a half as v4 wrote them: Main (UTA) and Spot (classic:
    no MM rate), Spot stale for a while, a one-sample equity spike on Main, ETH held for a while only,
    and a journal row."""
    conn = open_history_db(path, target_version=4)
    with conn:
        conn.execute("BEGIN")
        for i in range(1080):
            t = T0 + 5 * i
            main = 10_000.0 + i  # rises steadily
            if i == 500:
                main = 50_000.0  # the spike: one sample at T0 + 2,500 s
            spot_stale = 300 <= i < 400
            conn.execute("INSERT INTO refresh VALUES (?, ?, ?, 0.0, 0.0, 0.0, 2, 0, 0)",
                         (i + 1, t, main + 2_000))
            conn.execute("INSERT INTO account_sample VALUES (?, 'main', 'Main', 0, ?, 0.0, 0.1, ?, 1.0)",
                         (i + 1, main, 0.2 + i / 10_000))
            conn.execute("INSERT INTO account_sample VALUES (?, 'spot', 'Spot', ?, 2000.0, 0.0, NULL, NULL,"
                         " 1.0)", (i + 1, int(spot_stale)))
            conn.execute("INSERT INTO exposure_sample VALUES (?, 'main', 'BTC', 6000.0, 1000.0, 5000.0)",
                         (i + 1,))
            if 100 <= i < 200:
                conn.execute("INSERT INTO exposure_sample VALUES (?, 'spot', 'ETH', 0.0, 300.0, -300.0)",
                             (i + 1,))
        end = T0 + 5 * 1079
        conn.execute("INSERT INTO account_seen VALUES ('main', 'Main', ?, ?)", (T0, end))
        conn.execute("INSERT INTO account_seen VALUES ('spot', 'Spot', ?, ?)", (T0, end))
        conn.execute("INSERT INTO coin_seen VALUES ('BTC', ?, ?)", (T0, end))
        conn.execute("INSERT INTO coin_seen VALUES ('ETH', ?, ?)", (T0 + 500, T0 + 995))
        conn.execute("INSERT INTO journal_funding VALUES ('main', 'f1', 'linear', 'BTCUSDT', 'USDT', 1,"
                     " '-0.5', '0.0001')")
    conn.close()


def _rollups(path: Path) -> dict[tuple[object, ...], tuple[float, ...]]:
    conn = sqlite3.connect(path)
    try:
        return {row[:4]: row[4:] for row in conn.execute("SELECT * FROM history_rollup")}
    finally:
        conn.close()


def test_v4_file_migrates_to_v5_with_roll_ups_of_its_samples(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _v4_file(path)
    open_history_db(path).close()  # the writer migrates
    rows = _rollups(path)
    # Main's equity, first minute: samples 0..11 (T0 .. T0 + 55 s) = 10,000 .. 10,011, last at T0 + 55.
    assert rows[(60, "equity", "main", T0)] == (10_000.0, 10_011.0, 10_011.0, T0 + 55)
    # The spike's minute (samples 492..503): min 10,492, max 50,000, last 10,503; and in 5 and 15 minutes.
    assert rows[(60, "equity", "main", T0 + 2460)] == (10_492.0, 50_000.0, 10_503.0, T0 + 2515)
    assert rows[(900, "equity", "main", T0 + 1800)][:2] == (10_360.0, 50_000.0)  # samples 360..539
    assert rows[(900, "equity", "main", T0 + 1800)][2:] == (10_539.0, T0 + 2695)
    # Spot: no MM rate at all (classic), and no equity row while it was stale (samples 300..399).
    assert not [k for k in rows if k[1] == "mm" and k[2] == "spot"]
    assert (60, "equity", "spot", T0 + 1500) not in rows  # samples 300..311: all stale
    assert (300, "equity", "spot", T0 + 1500) not in rows  # samples 300..359: all stale
    assert rows[(300, "equity", "spot", T0 + 1800)] == (2000.0, 2000.0, 2000.0, T0 + 2095)  # 400..419 fresh
    # ETH, known to the history: −300 while held (samples 100..199), 0 in every other refresh.
    assert rows[(60, "net", "ETH", T0)] == (0.0, 0.0, 0.0, T0 + 55)
    assert rows[(900, "net", "ETH", T0)] == (-300.0, 0.0, -300.0, T0 + 895)  # 0..179: both; 179 held
    assert rows[(60, "net", "ETH", T0 + 900)] == (-300.0, -300.0, -300.0, T0 + 955)  # 180..191
    # The total (Main + 2,000) rolls up like the rest.
    assert rows[(60, "total", "", T0)] == (12_000.0, 12_011.0, 12_011.0, T0 + 55)
    # The journal and the samples are still there; the file is sound.
    conn = sqlite3.connect(path)
    try:
        assert schema_version(conn) == SCHEMA_VERSION == 5
        assert conn.execute("SELECT COUNT(*) FROM account_sample").fetchone()[0] == 2160
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    cache = JournalCache.open(path)
    cache.close()


def test_the_writer_keeps_the_roll_ups_the_migration_would_build(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T0) as writer:
        # Out of order on purpose: the newest sample of a bucket is its last whatever the arrival order.
        for k, t in enumerate([T0, T0 + 5, T0 + 65, T0 + 10, T0 + 70, T0 + 400]):
            writer.submit(sample(t, main_equity=15_000.0 + 100 * k, hedge_stale=k == 3), snap(t))
        assert writer.flush(5)
    written = _rollups(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DELETE FROM history_rollup")
        for statement in V5[1:]:  # the migration's fill, from the same samples
            conn.execute(statement)
    finally:
        conn.close()
    assert written == _rollups(path)
    # By hand: Main's first minute holds T0 (15,000), T0 + 5 (15,100), T0 + 10 (15,300, written last).
    assert written[(60, "equity", "main", T0)] == (15_000.0, 15_300.0, 15_300.0, T0 + 10)
    assert written[(60, "equity", "hedge", T0)] == (5_000.0, 5_000.0, 5_000.0, T0 + 5)  # stale at T0 + 10


def test_pruning_drops_whole_buckets_only(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryWriter(path, clock=lambda: T0) as writer:
        writer.submit(sample(T0 - 86_400 * 2 + 30), snap(T0 - 86_400 * 2 + 30))
        writer.submit(sample(T0), snap(T0))
        assert writer.flush(5)
    HistoryWriter(path, clock=lambda: T0, retention_days=1).close()
    assert {k[3] for k in _rollups(path)} == {T0}


@pytest.mark.parametrize(("span_s", "columns", "width_s"), [
    (3_600.0, 1200, RAW),  # an hour: 60-s buckets would be 20 px wide
    (86_400.0, 1200, 60),  # a day: 1,440 minutes in 1,200 px
    (86_400.0, 3000, RAW),
    (7 * 86_400.0, 1200, 900),  # 672 quarter-hours, 1.8 px each
    (7 * 86_400.0, 2400, 300),
    (30 * 86_400.0, 1200, 900),
    (0.0, 1200, RAW),
])
def test_the_resolution_fits_the_chart(span_s: float, columns: int, width_s: int) -> None:
    assert width_for_span(span_s, columns) == width_s


def test_a_reader_returns_the_buckets_of_a_range(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    _v4_file(path)
    open_history_db(path).close()
    with HistoryReader(path) as reader:
        starts, low, high, _last, last_s = reader.rollup_series("equity", "main", 900, T0 + 1000, T0 + 2000)
        # Buckets holding T0 + 1,000 .. T0 + 2,000: those starting at T0 + 900 and T0 + 1,800.
        assert starts.tolist() == [T0 + 900, T0 + 1800]
        assert high.tolist() == [10_359.0, 50_000.0] and low.tolist() == [10_180.0, 10_360.0]
        assert np.all(last_s >= starts)
        assert reader.first_s() == T0
