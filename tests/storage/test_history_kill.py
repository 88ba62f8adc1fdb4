"""Killing the app mid-write (SIGKILL) loses nothing that was committed and leaves a sound file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# The child writes batches as fast as it can; after each flush() returns it prints how many
# reports it had submitted, so every printed number is known to be committed.
CHILD = """
import sys
from pathlib import Path
from desktop_app.storage.history import HistoryWriter
from tests.alerts import factories as f

writer = HistoryWriter(Path(sys.argv[1]), clock=lambda: f.NOW, max_batch=50)
submitted = 0
while True:
    for _ in range(25):
        writer.submit(f.report([f.account("Main", equity=1000.0 + submitted)],
                               [f.position("Main", exposure=float(submitted))],
                               exposure=[f.coin("BTC", float(submitted))], taken_at=f.NOW + submitted))
        submitted += 1
    writer.flush()
    print(submitted, flush=True)
"""

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_during_writes_keeps_every_committed_batch(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env=env)
    committed = 0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            committed = int(line)
            if committed >= 2000:  # 80 batches: the writer is busy, the next batch is in flight
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert committed >= 2000

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        times = [row[0] for row in conn.execute("SELECT time_s FROM refresh ORDER BY time_s")]
        # Every report up to the last printed count is there, in order, each exactly once; a batch
        # that was in flight is either wholly there or wholly absent.
        assert len(times) >= committed
        assert times == [1_700_000_000.0 + i for i in range(len(times))]
        refreshes, accounts, exposures = conn.execute(
            "SELECT (SELECT count(*) FROM refresh), (SELECT count(*) FROM account_sample),"
            " (SELECT count(*) FROM exposure_sample)").fetchone()
        assert refreshes == accounts == exposures
    finally:
        conn.close()
