"""The benchmark's arithmetic (`make bench` itself runs outside the suite: it prints figures)."""

import pytest

from benchmarks.measure import added_multiple, paired_added_ms, percentile


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


def test_the_added_time_is_a_multiple_of_the_reference_pages_median():
    # The console adds 2 ms per pair (as above); the trivial view's median is 1 ms, Django
    # admin's changelist's 16 ms: the table adds 2× the floor and 0.125 of the peer page.
    console = [0.022, 0.023, 0.024, 0.060, 0.061]
    direct = [0.020, 0.021, 0.058, 0.058, 0.059]
    trivial = [0.0009, 0.001, 0.004, 0.001, 0.0011]
    changelist = [0.015, 0.016, 0.030, 0.016, 0.017]
    assert added_multiple(console, direct, trivial) == pytest.approx(2.0)
    assert added_multiple(console, direct, changelist) == pytest.approx(0.125)
