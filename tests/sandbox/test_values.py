"""Value rules that are hard to reach over HTTP: timestamps and ISO-8601 parsing."""

import pytest

from fabric_sandbox.values import iso_from_ms, normalize_iso, timestamp_after


def test_a_timestamp_moves_past_one_from_the_same_millisecond():
    later = "2999-01-01T00:00:00.000Z"

    assert timestamp_after(later) == "2999-01-01T00:00:00.001Z"
    assert timestamp_after(timestamp_after(later)) == "2999-01-01T00:00:00.002Z"


def test_a_timestamp_follows_the_clock_when_it_is_ahead():
    assert timestamp_after("2000-01-01T00:00:00.000Z") > "2020"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-19T15:16:20.630Z", "2021-08-19T15:16:20.630Z"),
        ("2021-08-19", "2021-08-19T00:00:00.000Z"),
        ("2021-08-19T15:16:20", "2021-08-19T15:16:20.000Z"),
        ("2021-08-19T15:16:20.5+01:00", "2021-08-19T14:16:20.500Z"),
        ("0999-01-01", "0999-01-01T00:00:00.000Z"),
    ],
)
def test_iso_values_are_normalized_to_utc_milliseconds(value, expected):
    assert normalize_iso(value) == expected


@pytest.mark.parametrize("value", ["2021-02-30", "20210819", "2021-W33", "", "tomorrow", 5, None])
def test_non_iso_values_are_refused(value):
    assert normalize_iso(value) is None


def test_milliseconds_are_always_three_digits():
    assert iso_from_ms(1_630_365_642_007) == "2021-08-30T23:20:42.007Z"
