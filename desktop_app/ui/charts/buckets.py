"""Roll-up buckets (min, max, last of each 1-, 5- or 15-minute bucket) as points a curve draws.

Each bucket becomes three points within the time its samples span: its two extremes, then its last
value at the last sample's time. The extreme nearer the last value comes second, so a rising stretch
draws min -> max -> last and a falling one max -> min -> last: the line keeps the data's direction and
never zigzags across a bucket more than the data did. Min and max are both drawn, so a spike is on the
chart at any resolution, and the newest point is the newest sample.
"""

from __future__ import annotations

import numpy as np

Buckets = tuple[np.ndarray, ...]  # (bucket start s, min, max, last value, last sample s), oldest first
Series = tuple[np.ndarray, np.ndarray]


def bucket_points(buckets: Buckets) -> Series:
    """(times, values) of `buckets`: three points per bucket, in time order."""
    start_s, low, high, last, last_s = buckets
    n = start_s.size
    times = np.empty(3 * n)
    values = np.empty(3 * n)
    rising = np.abs(high - last) <= np.abs(last - low)  # the last value is nearer the max
    first = np.where(rising, low, high)
    second = np.where(rising, high, low)
    times[0::3], values[0::3] = start_s, first
    times[1::3], values[1::3] = (start_s + last_s) / 2, second
    times[2::3], values[2::3] = last_s, last
    return times, values


def merged(old: Buckets | None, new: Buckets) -> Buckets:
    """`old` with the buckets read again (the newest may have grown) or added by `new`."""
    if old is None or not old[0].size:
        return new
    if not new[0].size:
        return old
    keep = int(np.searchsorted(old[0], new[0][0], side="left"))  # old buckets before the re-read ones
    return tuple(np.concatenate((before[:keep], after)) for before, after in zip(old, new, strict=True))
