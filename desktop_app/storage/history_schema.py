"""The history database file: opening it (WAL, synchronous=NORMAL), its schema, and migrations.

`PRAGMA user_version` holds the schema version. Each migration is a list of statements run in one
`BEGIN IMMEDIATE` transaction together with the version bump, so a crash mid-migration leaves the
previous version intact, and two connections opening the file at once migrate it only once.
Migrations are never edited once released: a change to the schema is a new migration.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from desktop_app.storage.atomic import PRIVATE_FILE_MODE, ensure_private_dir
from desktop_app.storage.errors import StorageError
from desktop_app.storage.history_rollup import V5

BUSY_TIMEOUT_MS = 10_000

_V1 = (
    """CREATE TABLE refresh (
        id INTEGER PRIMARY KEY,
        time_s REAL NOT NULL,
        equity_usd REAL,
        upnl_usd REAL,
        gross_exposure_usd REAL NOT NULL,
        net_exposure_usd REAL NOT NULL,
        accounts_ok INTEGER NOT NULL,
        accounts_stale INTEGER NOT NULL,
        accounts_missing INTEGER NOT NULL)""",
    "CREATE INDEX refresh_by_time ON refresh(time_s)",
    """CREATE TABLE account_sample (
        refresh_id INTEGER NOT NULL REFERENCES refresh(id) ON DELETE CASCADE,
        account_id TEXT NOT NULL,
        account TEXT NOT NULL,
        stale INTEGER NOT NULL,
        equity_usd REAL,
        upnl_usd REAL,
        im_rate REAL,
        mm_rate REAL,
        PRIMARY KEY (refresh_id, account_id))""",
    """CREATE TABLE exposure_sample (
        refresh_id INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        coin TEXT NOT NULL,
        long_usd REAL NOT NULL,
        short_usd REAL NOT NULL,
        net_usd REAL NOT NULL,
        PRIMARY KEY (refresh_id, account_id, coin),
        FOREIGN KEY (refresh_id, account_id)
            REFERENCES account_sample(refresh_id, account_id) ON DELETE CASCADE)""",
    """CREATE TABLE alert_log (
        id INTEGER PRIMARY KEY,
        time_s REAL NOT NULL,
        rule TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity TEXT NOT NULL,
        kind TEXT NOT NULL,
        value REAL,
        threshold REAL,
        message TEXT NOT NULL)""",
    "CREATE INDEX alert_log_by_time ON alert_log(time_s)",
)

# v2: per-account and per-coin chart queries no longer scan every sample, and the available
# balance is recorded (rows written by v1 keep NULL there: it was never measured).
_V2 = (
    "ALTER TABLE account_sample ADD COLUMN available_usd REAL",
    "CREATE INDEX account_sample_by_account ON account_sample(account_id, refresh_id)",
    "CREATE INDEX exposure_sample_by_coin ON exposure_sample(coin, refresh_id)",
)

# v3: which accounts and coins the history holds, and over what time, kept up to date by the writer.
# Answering that from the samples meant grouping every sample (seconds on a week of 20 accounts),
# and the charts ask it on every reload. Filled here from the samples already written.
_V3 = (
    """CREATE TABLE account_seen (
        account_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        first_s REAL NOT NULL,
        last_s REAL NOT NULL)""",
    # With a single MAX() aggregate, SQLite takes the bare column (the name) from the newest row.
    """INSERT INTO account_seen (account_id, account, first_s, last_s)
        SELECT a.account_id, a.account, MAX(r.time_s), MAX(r.time_s)
        FROM account_sample a JOIN refresh r ON r.id = a.refresh_id GROUP BY a.account_id""",
    """UPDATE account_seen SET first_s = (SELECT MIN(r.time_s) FROM account_sample a
        JOIN refresh r ON r.id = a.refresh_id WHERE a.account_id = account_seen.account_id)""",
    """CREATE TABLE coin_seen (
        coin TEXT PRIMARY KEY,
        first_s REAL NOT NULL,
        last_s REAL NOT NULL)""",
    """INSERT INTO coin_seen (coin, first_s, last_s)
        SELECT e.coin, MIN(r.time_s), MAX(r.time_s)
        FROM exposure_sample e JOIN refresh r ON r.id = e.refresh_id GROUP BY e.coin""",
)

# v4: the trade journal's cache of what Bybit's history endpoints returned, so a journal reopens
# offline and a sync asks only for what is new. Money stays exact decimal text. `journal_coverage`
# says which span of each account's history stream is complete in the cache, and for which key
# (`source`: a digest of host and API key; another key may be another Bybit account). Daily mark
# closes value coin-settled PnL in USD; `final` is 0 for a day still running.
_V4 = (
    """CREATE TABLE journal_closed_pnl (
        account_id TEXT NOT NULL,
        row_id TEXT NOT NULL,
        category TEXT NOT NULL,
        symbol TEXT NOT NULL,
        order_id TEXT NOT NULL,
        position_side TEXT NOT NULL,
        closed_size TEXT NOT NULL,
        avg_entry_price TEXT,
        avg_exit_price TEXT,
        closed_pnl TEXT NOT NULL,
        exec_type TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        closed_ms INTEGER NOT NULL,
        settle_coin TEXT,
        PRIMARY KEY (account_id, row_id))""",
    "CREATE INDEX journal_closed_pnl_by_time ON journal_closed_pnl(account_id, closed_ms)",
    """CREATE TABLE journal_funding (
        account_id TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        category TEXT,
        symbol TEXT NOT NULL,
        currency TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        amount TEXT NOT NULL,
        rate TEXT,
        PRIMARY KEY (account_id, entry_id))""",
    "CREATE INDEX journal_funding_by_time ON journal_funding(account_id, time_ms)",
    """CREATE TABLE journal_coverage (
        account_id TEXT NOT NULL,
        stream TEXT NOT NULL,
        source TEXT NOT NULL,
        from_ms INTEGER NOT NULL,
        to_ms INTEGER NOT NULL,
        PRIMARY KEY (account_id, stream))""",
    """CREATE TABLE journal_mark_day (
        host TEXT NOT NULL,
        symbol TEXT NOT NULL,
        day_ms INTEGER NOT NULL,
        close TEXT NOT NULL,
        final INTEGER NOT NULL,
        PRIMARY KEY (host, symbol, day_ms))""",
)

# v5: min, max and last per 1-, 5- and 15-minute bucket of every charted series (history_rollup.py),
# so a chart of a week reads thousands of rows instead of millions.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4, V5)  # MIGRATIONS[n] takes version n to n + 1
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(StorageError):
    """The history database cannot be opened, migrated, read or written."""


def open_history_db(path: Path, *, target_version: int = SCHEMA_VERSION,
                    check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating if needed, owner-only) and migrate the database; returns an autocommit
    connection (transactions are explicit) in WAL mode with synchronous=NORMAL and foreign keys on.

    May raise: HistoryError (unreadable, not a database, or written by a newer RiskDesk).
    """
    try:
        ensure_private_dir(path.parent)
        _create_private(path)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=check_same_thread)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"Cannot open the history database {path}: {exc}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # WAL: readers (the GUI's charts) never block the writer thread and vice versa; with WAL,
        # synchronous=NORMAL loses no committed transaction when the app is killed (only on power loss).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, target_version)
    except sqlite3.Error as exc:
        conn.close()
        raise HistoryError(f"The history database {path} cannot be used: {exc}") from None
    except HistoryError:
        conn.close()
        raise
    return conn


def open_history_reader(path: Path) -> sqlite3.Connection:
    """Open an existing history database to read it, never creating, converting or migrating it: the
    writer does that (a migration can take seconds and holds the write lock). The connection may be
    closed from another thread than its user's (a reader thread is joined before it is closed).

    May raise: HistoryError (missing, unreadable, not yet migrated by the writer, or newer).
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise HistoryError(f"Cannot open the history database {path}: {exc}") from None
    try:
        found = schema_version(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise HistoryError(f"The history database {path} cannot be used: {exc}") from None
    if found != SCHEMA_VERSION:
        conn.close()
        if found > SCHEMA_VERSION:
            raise HistoryError(f"The history database was written by a newer RiskDesk (schema {found}; "
                               f"this version knows up to {SCHEMA_VERSION}). Update RiskDesk.")
        raise HistoryError("The history database is being upgraded; the charts follow once it is done.")
    return conn


def migrate(conn: sqlite3.Connection, target_version: int = SCHEMA_VERSION) -> int:
    """Bring the schema to `target_version`; returns the version found before.

    May raise: HistoryError (a newer schema than this RiskDesk knows), sqlite3.Error.
    """
    if not 0 <= target_version <= SCHEMA_VERSION:
        raise ValueError(f"target_version must be between 0 and {SCHEMA_VERSION}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)
        if found > SCHEMA_VERSION:
            raise HistoryError(f"The history database was written by a newer RiskDesk (schema {found}; "
                               f"this version knows up to {SCHEMA_VERSION}). Update RiskDesk.")
        for version in range(found, target_version):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return found


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _create_private(path: Path) -> None:
    # sqlite would create the file world-readable (0644); account names and balances are private.
    # The -wal and -shm files take the database file's permissions.
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(fd)
