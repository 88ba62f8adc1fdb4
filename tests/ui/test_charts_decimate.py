"""Min/max decimation of the history curves: every block keeps its minimum and maximum, the window's
extent is exact, the output stays within two points per pixel column, gaps (NaN) stay gaps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.ui.charts.decimate import MinMaxPyramid


def spiky(count: int = 64) -> MinMaxPyramid:
    """Times 0, 1, 2, ... s; value 0 except a few one-sample spikes."""
    values = np.zeros(count)
    values[5], values[20], values[47], values[63] = 9.0, -7.0, 3.0, -1.0
    return MinMaxPyramid(np.arange(count, dtype=np.float64), values)


def test_each_block_keeps_its_max_and_min_from_the_stored_pyramid() -> None:
    # 64 samples on 4 columns: 64 / 4 = 16 samples per block (level 4, stored). Blocks 0..15, 16..31,
    # 32..47, 48..63 hold the spikes 9 (at 5), −7 (at 20), 3 (at 47), −1 (at 63); everything else is 0.
    # Even blocks are drawn (min, max), odd ones (max, min): block 0 (0, 9), block 1 (0, −7),
    # block 2 (0, 3), block 3 (0, −1); the joins go 9 → 0 (tops) and −7 → 0 (bottoms).
    envelope = spiky().envelope(0.0, 63.0, 4)
    assert envelope.values.tolist() == [0.0, 9.0, 0.0, -7.0, 0.0, 3.0, 0.0, -1.0]
    # Each pair is drawn at its block's middle sample: 0 + 8, 16 + 8, 32 + 8, 48 + 8.
    assert envelope.times_s.tolist() == [8.0, 8.0, 24.0, 24.0, 40.0, 40.0, 56.0, 56.0]
    assert envelope.extent == (-7.0, 9.0)


def test_coarser_blocks_merge_the_stored_ones() -> None:
    # 2 columns: blocks of 32 samples (level 5, from pairs of level-4 blocks): 0..31 holds 9 and −7
    # (even: min first), 32..63 holds 3 and −1 (odd: max first).
    envelope = spiky().envelope(0.0, 63.0, 2)
    assert envelope.values.tolist() == [-7.0, 9.0, 3.0, -1.0]
    assert envelope.times_s.tolist() == [16.0, 16.0, 48.0, 48.0]


def test_fine_blocks_are_reduced_from_the_raw_samples() -> None:
    # 16 columns: 64 / 16 = 4 samples per block (level 2, not stored). Block 1 (samples 4..7) holds
    # the 9, block 5 (20..23) the −7, block 11 (44..47) the 3, block 15 (60..63) the −1.
    envelope = spiky().envelope(0.0, 63.0, 16)
    pairs = envelope.values.reshape(16, 2)
    assert pairs.max(axis=1).tolist() == [0, 9] + [0] * 9 + [3] + [0] * 4
    assert pairs.min(axis=1).tolist() == [0] * 5 + [-7] + [0] * 9 + [-1]
    # Block 1 is odd: its 9 comes first; block 11 too (3 first); block 5 is odd: (0, −7).
    assert pairs[[1, 5, 11]].tolist() == [[9.0, 0.0], [0.0, -7.0], [3.0, 0.0]]
    assert envelope.times_s[0::2].tolist() == [4.0 * block + 2 for block in range(16)]


def test_few_samples_are_drawn_as_they_are_with_a_neighbour_each_side() -> None:
    # Window 10..20 s holds samples 10..20 (11 samples); with the neighbours 9 and 21 that is 13
    # points, under two per column for 8 columns (16), so no decimation.
    envelope = spiky().envelope(10.0, 20.0, 8)
    assert envelope.times_s.tolist() == [float(t) for t in range(9, 22)]
    assert envelope.values.tolist() == [0.0] * 11 + [-7.0, 0.0]
    assert envelope.extent == (-7.0, 0.0)


def test_the_extent_counts_only_samples_inside_the_window() -> None:
    # Window 6..46 s: the spikes at 5 (9) and 47 (3) are just outside it, only −7 at 20 is inside.
    # With 2 columns the blocks are 32 samples (0..31, 32..63), which do reach the outside spikes: the
    # drawn envelope shows them at the edges, but the Y extent must not.
    envelope = spiky().envelope(6.0, 46.0, 2)
    assert envelope.extent == (-7.0, 0.0)
    assert envelope.values.max() == 9.0


def test_a_series_that_ends_inside_a_block_reduces_the_ragged_end() -> None:
    # 70 samples on 4 columns: 70 / 4 = 17.5, so 32-sample blocks would be 3 (0..31, 32..63, 64..69);
    # 16-sample blocks would be 5 > 4 columns. Level 5: the last block holds samples 64..69 only, and
    # as block 2 (even) it is drawn min (0) then max (the 4 at sample 66).
    values = np.zeros(70)
    values[66] = 4.0
    envelope = MinMaxPyramid(np.arange(70, dtype=np.float64), values).envelope(0.0, 69.0, 4)
    assert envelope.values.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 4.0]
    # Middles: 16, 48 and, for the ragged block 64..69, sample (64 + 69) // 2 = 66.
    assert envelope.times_s.tolist() == [16.0, 16.0, 48.0, 48.0, 66.0, 66.0]


def test_a_gap_of_nan_stays_a_gap_and_is_not_measured() -> None:
    # Samples 16..31 are missing (NaN): that block's pair is NaN (the line breaks there); the extent
    # ignores NaN: values are 1 .. 64 without 17 .. 32, so 1 and 64. Blocks: 0 (even) 1, 16;
    # 2 (even) 33, 48; 3 (odd) 64, 49.
    values = np.arange(1.0, 65.0)
    values[16:32] = np.nan
    pyramid = MinMaxPyramid(np.arange(64, dtype=np.float64), values)
    assert not pyramid.all_finite
    envelope = pyramid.envelope(0.0, 63.0, 4)
    assert np.isnan(envelope.values[2:4]).all()
    assert envelope.values[[0, 1, 4, 5, 6, 7]].tolist() == [1.0, 16.0, 33.0, 48.0, 64.0, 49.0]
    assert envelope.extent == (1.0, 64.0)


def test_a_window_between_two_samples_fits_the_neighbours() -> None:
    # Samples every 10 s; the window 12..18 s holds none: the line from 10 s to 20 s crosses it, so
    # those two samples (values 1 and 2) are drawn and measured.
    times = np.array([0.0, 10.0, 20.0, 30.0])
    envelope = MinMaxPyramid(times, np.array([0.0, 1.0, 2.0, 3.0])).envelope(12.0, 18.0, 100)
    assert envelope.times_s.tolist() == [10.0, 20.0]
    assert envelope.extent == (1.0, 2.0)


def test_an_empty_series_draws_nothing() -> None:
    envelope = MinMaxPyramid(np.empty(0), np.empty(0)).envelope(0.0, 10.0, 100)
    assert envelope.times_s.size == 0 and envelope.extent is None


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=3000),
       window=st.tuples(st.floats(-10.0, 3010.0), st.floats(0.0, 3000.0)),
       columns=st.integers(1, 400))
def test_decimation_keeps_every_extreme_and_two_points_per_column(
        values: list[float], window: tuple[float, float], columns: int) -> None:
    data = np.asarray(values)
    times = np.arange(data.size, dtype=np.float64)
    start_s, end_s = window[0], window[0] + window[1]
    envelope = MinMaxPyramid(times, data).envelope(start_s, end_s, columns)
    inside = data[(times >= start_s) & (times <= end_s)]
    if inside.size:
        # The Y extent is exactly the samples in the window, and the drawn points reach both.
        assert envelope.extent == (inside.min(), inside.max())
        assert envelope.values.min() <= inside.min() and envelope.values.max() >= inside.max()
    assert envelope.values.size <= 2 * columns
    # Nothing is invented: every drawn value is a sample, at a time of a sample.
    assert np.isin(envelope.values, data).all()
    assert np.isin(envelope.times_s, times).all()


@pytest.mark.parametrize("columns", [1, 3, 1000])
def test_a_single_spike_in_a_long_series_is_always_drawn(columns: int) -> None:
    # A week of 5 s samples (120,960) that is flat but for one sample: the crash must show at any width.
    values = np.full(120_960, 50.0)
    values[98_765] = -5.0
    envelope = MinMaxPyramid(np.arange(values.size) * 5.0, values).envelope(0.0, 604_800.0, columns)
    assert envelope.values.min() == -5.0
    assert envelope.extent == (-5.0, 50.0)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 600), st.integers(0, 600), st.integers(0, 2**32 - 1), st.booleans())
def test_an_extended_pyramid_is_the_pyramid_of_the_whole_series(old_count: int, added: int, seed: int,
                                                                 with_gap: bool) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, old_count + added)
    if with_gap and values.size > 3:
        values[values.size // 3] = np.nan
    times = np.arange(values.size, dtype=np.float64) * 5.0
    grown = MinMaxPyramid(times[:old_count], values[:old_count]).extended(times, values)
    whole = MinMaxPyramid(times, values)
    assert grown.all_finite == whole.all_finite
    assert grown._levels.keys() == whole._levels.keys()
    for level, (mins, maxs) in whole._levels.items():
        np.testing.assert_array_equal(grown._levels[level][0], mins)
        np.testing.assert_array_equal(grown._levels[level][1], maxs)


def test_a_series_that_does_not_continue_gets_a_pyramid_of_its_own() -> None:
    first = spiky(64)
    shifted = MinMaxPyramid(np.arange(1.0, 65.0), first.values)  # other times: a new range was read
    assert first.extended(shifted.times_s, shifted.values)._levels[4][1].tolist() == [9.0, 0.0, 3.0, 0.0]
    shorter = first.extended(first.times_s[:32], first.values[:32])
    assert shorter.values.size == 32 and set(shorter._levels) == {4, 5}
