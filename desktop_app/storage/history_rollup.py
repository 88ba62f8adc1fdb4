"""Roll-ups of the charted history: per 1-, 5- and 15-minute bucket, the min, max and last value of
every charted series, kept up to date by the writer as each refresh is written (schema v5).

A week of 5-second refreshes of 20 accounts is 2.4 million samples, but a chart is about 1,000 pixels
wide: reading every sample to draw a week took seconds. The charts read the coarsest roll-up that
still gives each pixel column at most `MAX_BUCKET_PX` buckets' width (see `width_for_span`), and the
raw samples for short ranges. Min and max are kept, so a one-sample spike or crash stays on the chart.

Series (`kind`, `subject`): ("total", "") the portfolio's equity; ("equity", account id) and ("mm",
account id) an account's equity and MM rate in refreshes where it was not stale; ("net", coin) the
portfolio's net exposure to a coin, summed over accounts, 0 in a refresh without it. A missing figure
(NULL) adds nothing to a bucket; a bucket with no figure has no row.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections.abc import Iterable

WIDTHS_S = (60, 300, 900)  # bucket widths, finest first; each divides the next
# The coarsest width is used whose buckets are at most this many pixel columns wide. Each bucket
# draws its min and max, so at 2 px the band of values a pixel column shows is the same.
MAX_BUCKET_PX = 2.0
RAW = 0  # width 0: the samples themselves

_TABLE = """CREATE TABLE history_rollup (
        width_s INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        bucket_s INTEGER NOT NULL,
        min_value REAL NOT NULL,
        max_value REAL NOT NULL,
        last_value REAL NOT NULL,
        last_s REAL NOT NULL,
        PRIMARY KEY (width_s, kind, subject, bucket_s)) WITHOUT ROWID"""

# Filling the finest width from the samples: one grouping pass per table (the sort is the cost: ~2 s
# for a week of 20 accounts) gives min, max and the time of the last figure of each series; the last
# figure itself is then looked up by that time (index lookups, one per bucket). Refreshes are walked
# in time order.
_ACCOUNT_BUCKETS = """CREATE TEMP TABLE rollup_account_fill AS SELECT a.account_id AS subject,
        CAST(r.time_s / {w} AS INTEGER) * {w} AS bucket_s,
        MIN(a.equity_usd) AS equity_min, MAX(a.equity_usd) AS equity_max,
        MAX(CASE WHEN a.equity_usd IS NOT NULL THEN r.time_s END) AS equity_last_s,
        MIN(a.mm_rate) AS mm_min, MAX(a.mm_rate) AS mm_max,
        MAX(CASE WHEN a.mm_rate IS NOT NULL THEN r.time_s END) AS mm_last_s
    FROM refresh r CROSS JOIN account_sample a ON a.refresh_id = r.id WHERE a.stale = 0
    GROUP BY bucket_s, a.account_id"""
_ACCOUNT_ROWS = """INSERT INTO history_rollup SELECT {w}, '{kind}', f.subject, f.bucket_s, f.{kind}_min,
        f.{kind}_max, (SELECT a.{source} FROM refresh r CROSS JOIN account_sample a
            ON a.refresh_id = r.id AND a.account_id = f.subject
            WHERE r.time_s = f.{kind}_last_s AND a.stale = 0 AND a.{source} IS NOT NULL LIMIT 1),
        f.{kind}_last_s
    FROM rollup_account_fill f WHERE f.{kind}_last_s IS NOT NULL"""
# Every coin the history knows, in every refresh: 0 where no account held it (as the raw query).
_NET_BUCKETS = """CREATE TEMP TABLE rollup_net_fill AS SELECT c.coin AS subject,
        CAST(r.time_s / {w} AS INTEGER) * {w} AS bucket_s, MIN(COALESCE(s.net, 0.0)) AS low,
        MAX(COALESCE(s.net, 0.0)) AS high, MAX(r.time_s) AS last_s
    FROM refresh r CROSS JOIN coin_seen c LEFT JOIN
        (SELECT refresh_id, coin, SUM(net_usd) AS net FROM exposure_sample GROUP BY refresh_id, coin) s
        ON s.refresh_id = r.id AND s.coin = c.coin
    GROUP BY bucket_s, c.coin"""
_NET_ROWS = """INSERT INTO history_rollup SELECT {w}, 'net', f.subject, f.bucket_s, f.low, f.high,
        COALESCE((SELECT SUM(e.net_usd) FROM refresh r CROSS JOIN exposure_sample e ON e.refresh_id = r.id
            WHERE r.time_s = f.last_s AND e.coin = f.subject), 0.0), f.last_s
    FROM rollup_net_fill f"""
# The portfolio's equity: one row per refresh. A query with a single MAX() takes its bare columns from
# that row (the last value); min and max follow.
_TOTAL_LAST = """INSERT INTO history_rollup SELECT {w}, 'total', '', CAST(time_s / {w} AS INTEGER) * {w}
        AS b, equity_usd, equity_usd, equity_usd, MAX(time_s) FROM refresh WHERE equity_usd IS NOT NULL
        GROUP BY b"""
_TOTAL_SPREAD = """INSERT INTO history_rollup SELECT {w}, 'total', '', CAST(time_s / {w} AS INTEGER) * {w}
        AS b, MIN(equity_usd), MAX(equity_usd), 0.0, 0.0 FROM refresh WHERE equity_usd IS NOT NULL
        GROUP BY b ON CONFLICT (width_s, kind, subject, bucket_s) DO UPDATE SET
        min_value = excluded.min_value, max_value = excluded.max_value"""


def _finest(w: int) -> list[str]:
    return [
        _ACCOUNT_BUCKETS.format(w=w),
        _ACCOUNT_ROWS.format(w=w, kind="equity", source="equity_usd"),
        _ACCOUNT_ROWS.format(w=w, kind="mm", source="mm_rate"),
        "DROP TABLE rollup_account_fill",
        _NET_BUCKETS.format(w=w),
        _NET_ROWS.format(w=w),
        "DROP TABLE rollup_net_fill",
        _TOTAL_LAST.format(w=w),
        _TOTAL_SPREAD.format(w=w),
    ]


def _coarser(width_s: int, finer_s: int) -> tuple[str, str]:
    """Buckets of `width_s` from those of `finer_s` (min of the mins, max of the maxes, the last last)."""
    bucket = f"CAST(bucket_s / {width_s} AS INTEGER) * {width_s}"
    last = (f"INSERT INTO history_rollup SELECT {width_s}, kind, subject, {bucket} AS b,"
            f" last_value, last_value, last_value, MAX(last_s) FROM history_rollup"
            f" WHERE width_s = {finer_s} GROUP BY kind, subject, b")
    spread = (f"INSERT INTO history_rollup SELECT {width_s}, kind, subject, {bucket} AS b,"
              f" MIN(min_value), MAX(max_value), 0.0, 0.0 FROM history_rollup WHERE width_s = {finer_s}"
              " GROUP BY kind, subject, b ON CONFLICT (width_s, kind, subject, bucket_s) DO UPDATE SET"
              " min_value = excluded.min_value, max_value = excluded.max_value")
    return last, spread


def _migration() -> tuple[str, ...]:
    statements = [_TABLE, *_finest(WIDTHS_S[0])]
    for finer_s, width_s in itertools.pairwise(WIDTHS_S):
        statements.extend(_coarser(width_s, finer_s))
    return tuple(statements)


# v5: the roll-ups, filled from the samples already written.
V5 = _migration()

_UPSERT = (
    "INSERT INTO history_rollup VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (width_s, kind, subject, bucket_s) DO UPDATE SET"
    " min_value = MIN(min_value, excluded.min_value), max_value = MAX(max_value, excluded.max_value),"
    # Samples may arrive out of order: the newest one is the last.
    " last_value = CASE WHEN excluded.last_s >= last_s THEN excluded.last_value ELSE last_value END,"
    " last_s = MAX(last_s, excluded.last_s)"
)


def bucket_start_s(time_s: float, width_s: int) -> int:
    """The start of the `width_s` bucket holding `time_s`, as SQL computes it (times are positive)."""
    return int(time_s // width_s) * width_s


def add_samples(conn: sqlite3.Connection, time_s: float,
                values: Iterable[tuple[str, str, float | None]]) -> None:
    """Fold one refresh's figures ((kind, subject, value), None for a missing one) into every width.
    Runs inside the writer's transaction."""
    known = [(kind, subject, value) for kind, subject, value in values
             if value is not None and math.isfinite(value)]
    conn.executemany(_UPSERT, [(width_s, kind, subject, bucket_start_s(time_s, width_s), value, value, value,
                                time_s) for width_s in WIDTHS_S for kind, subject, value in known])


def width_for_span(span_s: float, columns: int) -> int:
    """The coarsest roll-up width whose buckets are at most MAX_BUCKET_PX of a chart `columns` pixels
    wide showing `span_s` seconds; RAW when even the finest is too coarse."""
    if not (span_s > 0 and columns > 0):
        return RAW
    px_per_s = columns / span_s
    fitting = [w for w in WIDTHS_S if w * px_per_s <= MAX_BUCKET_PX]
    return fitting[-1] if fitting else RAW
