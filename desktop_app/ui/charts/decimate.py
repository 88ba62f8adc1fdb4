"""Min/max decimation of a long time series for drawing, from a precomputed block pyramid.

A week of 5-second samples is 120,960 points per curve, and a plot is about 1,200 pixels wide. Each
frame of a pan asks for the visible part of every curve reduced to at most one minimum and one maximum
per pixel column ("peak" decimation: a one-sample spike or crash is never lost, unlike a stride).
Reducing 120,960 points per curve per frame is what made panning slow; here the minima and maxima of
aligned blocks of 2^k samples are computed once per series, so a frame reduces at most a few thousand
numbers per curve. Blocks are aligned to the series, not to the view, so panning never changes which
samples share a block: the envelope does not shimmer while dragging.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Levels below 2^4-sample blocks are reduced from the raw samples when asked for (at most 16 samples
# per pixel column, so cheap); storing them would cost more memory than the series itself.
_STORED_FROM_LEVEL = 4


@dataclass(frozen=True, slots=True)
class Envelope:
    """What one curve draws for a window, and the exact extent of the samples inside that window."""

    times_s: np.ndarray  # drawn x: raw sample times, or a block's middle time twice (its min and max)
    values: np.ndarray
    # (min, max) of the samples with start_s <= time <= end_s, NaN ignored; with no such sample, of the
    # neighbours drawn at the edges; None when there is nothing finite to measure.
    extent: tuple[float, float] | None


def _reduce_pairs(mins: np.ndarray, maxs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blocks twice the size: min and max of each pair of neighbours (a trailing odd one is dropped)."""
    half = mins.size // 2
    return (np.fmin(mins[0:2 * half:2], mins[1:2 * half:2]),
            np.fmax(maxs[0:2 * half:2], maxs[1:2 * half:2]))


def _common_prefix(old_times: np.ndarray, old_values: np.ndarray, times: np.ndarray,
                   values: np.ndarray) -> int:
    """How many leading samples two series share (a NaN equals a NaN)."""
    count = min(old_values.size, values.size)
    if count == 0:
        return 0
    if old_times is times and old_values is values:
        return count
    a, b = old_values[:count], values[:count]
    differs = (old_times[:count] != times[:count]) | ((a != b) & ~(np.isnan(a) & np.isnan(b)))
    changed = np.flatnonzero(differs)
    return int(changed[0]) if changed.size else count


class MinMaxPyramid:
    """One series (times ascending) with the min/max of its aligned 2^k-sample blocks, k >= 4."""

    def __init__(self, times_s: np.ndarray, values: np.ndarray) -> None:
        self.times_s = times_s
        self.values = values
        self.all_finite = bool(np.isfinite(values).all())
        self._levels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # Pairwise halving (elementwise fmin/fmax) is three times faster than reducing rows of 16.
        mins, maxs = values, values
        for _ in range(_STORED_FROM_LEVEL):
            mins, maxs = _reduce_pairs(mins, maxs)
        level = _STORED_FROM_LEVEL
        while mins.size:
            self._levels[level] = (mins, maxs)
            mins, maxs = _reduce_pairs(mins, maxs)
            level += 1

    def extended(self, times_s: np.ndarray, values: np.ndarray) -> MinMaxPyramid:
        """The pyramid of a series that continues this one (the same samples first, then newer ones;
        the newest few may have changed, as a roll-up's open bucket does), reducing only the blocks
        from the first changed sample on: a reload every few seconds adds a few samples to a week of
        them, and rebuilding all 45 curves' pyramids took ~30 ms of the GUI thread. A series that
        shares less than its first sample with this one gets a pyramid of its own."""
        same = _common_prefix(self.times_s, self.values, times_s, values)
        if same == 0:
            return MinMaxPyramid(times_s, values)
        grown = object.__new__(MinMaxPyramid)
        grown.times_s, grown.values = times_s, values
        grown.all_finite = (self.all_finite if same == self.values.size else
                            bool(np.isfinite(values[:same]).all())) and bool(np.isfinite(values[same:]).all())
        grown._levels = {}
        level = _STORED_FROM_LEVEL
        while (blocks := values.size >> level) > 0:
            old_mins, old_maxs = self._levels.get(level, (values[:0], values[:0]))
            size = 1 << level
            kept = min(old_mins.size, same // size)  # whole blocks whose samples did not change
            old_mins, old_maxs = old_mins[:kept], old_maxs[:kept]
            if blocks > kept:
                new = values[kept * size:blocks * size].reshape(blocks - kept, size)
                old_mins = np.concatenate((old_mins, np.fmin.reduce(new, axis=1)))
                old_maxs = np.concatenate((old_maxs, np.fmax.reduce(new, axis=1)))
            grown._levels[level] = (old_mins, old_maxs)
            level += 1
        return grown

    def _blocks(self, level: int, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Min and max of the whole blocks first..stop-1 of 2^level samples."""
        stored = self._levels.get(level)
        if stored is not None:
            return stored[0][first:stop], stored[1][first:stop]
        size = 1 << level  # a level below the stored ones: reduce the raw samples
        blocks = self.values[first * size:stop * size].reshape(stop - first, size)
        return np.fmin.reduce(blocks, axis=1), np.fmax.reduce(blocks, axis=1)

    def _extent(self, begin: int, end: int, level: int) -> tuple[float, float] | None:
        """Exact min and max of the samples begin..end-1: whole blocks from the pyramid, the ragged
        ends from the raw samples."""
        if end <= begin:
            return None
        size = 1 << level
        first, stop = -(-begin // size), end // size
        if level < _STORED_FROM_LEVEL or stop - first < 2:  # few samples: reduce them directly
            lows = highs = [self.values[begin:end]]
        else:
            mins, maxs = self._blocks(level, first, stop)
            head, tail = self.values[begin:first * size], self.values[stop * size:end]
            lows, highs = [mins, head, tail], [maxs, head, tail]
        # fmin/fmax skip NaN (a gap) unless every value is NaN; then the window has no extent.
        low = float(np.fmin.reduce([np.fmin.reduce(p) for p in lows if p.size]))
        high = float(np.fmax.reduce([np.fmax.reduce(p) for p in highs if p.size]))
        return None if np.isnan(low) or np.isnan(high) else (low, high)

    def envelope(self, start_s: float, end_s: float, columns: int) -> Envelope:
        """The samples from `start_s` to `end_s` (plus one neighbour each side, so the line reaches the
        plot's edges), as they are when that is at most two points per column, else as the min and
        the max of each block of 2^k samples, with k the smallest giving at most `columns` blocks."""
        times, values = self.times_s, self.values
        count = values.size
        inside_first = int(np.searchsorted(times, start_s, side="left"))
        inside_stop = int(np.searchsorted(times, end_s, side="right"))
        begin, end = max(inside_first - 1, 0), min(inside_stop + 1, count)
        shown = end - begin
        columns = max(columns, 1)
        if shown <= 2 * columns:
            level = 0
        else:
            level = max(1, math.ceil(math.log2(shown / columns)))
            while -(-end >> level) - (begin >> level) > columns:  # aligned blocks can straddle both ends
                level += 1
        extent = self._extent(inside_first, inside_stop, level)
        if extent is None:  # nothing inside the window (zoomed in between two samples): fit the neighbours
            extent = self._extent(begin, end, level)
        if level == 0:
            return Envelope(times[begin:end], values[begin:end], extent)
        size = 1 << level
        first, stop = begin >> level, end >> level  # whole blocks; a trailing partial one is added below
        mins, maxs = self._blocks(level, first, stop)
        whole = stop - first
        ragged = end > stop * size
        pair_times = np.empty(2 * (whole + ragged))
        pair_values = np.empty(pair_times.size)
        middles = times[first * size + size // 2:stop * size:size]
        pair_times[0:2 * whole:2], pair_times[1:2 * whole:2] = middles, middles
        # Blocks with an odd index are drawn max then min, even ones min then max, so neighbours join
        # top to top and bottom to bottom: the same band as always max-then-min, with fewer pixels to
        # draw (no line back across the whole band between every two columns; ~25 % less paint time).
        pair_values[0:2 * whole:2], pair_values[1:2 * whole:2] = maxs, mins
        even = first & 1  # the first block in the slice with an even index
        pair_values[2 * even:2 * whole:4] = mins[even::2]
        pair_values[2 * even + 1:2 * whole:4] = maxs[even::2]
        if ragged:  # the series ends inside this block (the newest samples): reduce what there is
            tail = values[stop * size:end]
            pair_times[-2:] = times[(stop * size + end - 1) // 2]
            low, high = np.fmin.reduce(tail), np.fmax.reduce(tail)
            pair_values[-2], pair_values[-1] = (high, low) if stop & 1 else (low, high)
        return Envelope(pair_times, pair_values, extent)
