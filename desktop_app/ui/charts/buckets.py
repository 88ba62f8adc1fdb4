"""Roll-up buckets (min, max, last of each 1-, 5- or 15-minute bucket) as points a curve draws.

Each bucket is drawn as the decimation of raw samples is (decimate.py): its min and its max at the
middle of its samples' time span, one above the other. Buckets alternate min-then-max and
max-then-min by the parity of their index in time (fixed, so nothing shimmers on reload), so
neighbours join top to top and bottom to bottom: a bucket whose values swing fills its band as the
raw samples do, a steady stretch is a thin line, and a spike of one sample is on the chart at any
resolution. The series ends with the newest bucket's last value at the newest sample's time.
"""

from __future__ import annotations

import numpy as np

Buckets = tuple[np.ndarray, ...]  # (bucket start s, min, max, last value, last sample s), oldest first
Series = tuple[np.ndarray, np.ndarray]


def bucket_points(buckets: Buckets, width_s: float) -> Series:
    """(times, values) of `width_s`-second `buckets`: two points per bucket, then the last value."""
    start_s, low, high, last, last_s = buckets
    n = start_s.size
    if n == 0:
        return np.empty(0), np.empty(0)
    times = np.empty(2 * n + 1)
    values = np.empty(2 * n + 1)
    middle = (start_s + last_s) / 2
    times[0:2 * n:2], times[1:2 * n:2] = middle, middle
    odd = (np.rint(start_s / width_s).astype(np.int64) & 1).astype(bool)
    values[0:2 * n:2] = np.where(odd, high, low)
    values[1:2 * n:2] = np.where(odd, low, high)
    times[-1], values[-1] = last_s[-1], last[-1]
    return times, values


def merged(old: Buckets | None, new: Buckets) -> Buckets:
    """`old` with the buckets read again (the newest may have grown) or added by `new`."""
    if old is None or not old[0].size:
        return new
    if not new[0].size:
        return old
    keep = int(np.searchsorted(old[0], new[0][0], side="left"))  # old buckets before the re-read ones
    return tuple(np.concatenate((before[:keep], after)) for before, after in zip(old, new, strict=True))
