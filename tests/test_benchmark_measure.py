"""The benchmark's arithmetic (`make bench` itself runs outside the suite: it prints figures)."""

import pytest

from benchmarks.measure import paired_added_ms, percentile


def test_percentile_is_the_nearest_rank():
    values = [0.005, 0.001, 0.004, 0.002, 0.003]
    assert percentile(values, 0.5) == 0.003
    assert percentile(values, 0.95) == 0.005
    assert percentile(values, 0.0) == 0.001


def test_added_time_pairs_each_sample_with_the_one_taken_after_it():
    # The machine was slow for the last pairs (and the direct half of the third): the two
    # medians, 24 and 58 ms, say the console saves 34 ms; each pair says it adds 2.
    console = [0.022, 0.023, 0.024, 0.060, 0.061]
    direct = [0.020, 0.021, 0.058, 0.058, 0.059]
    assert paired_added_ms(console, direct) == pytest.approx(2.0)
