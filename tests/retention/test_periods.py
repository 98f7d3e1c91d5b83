import datetime

import pytest

from retention.periods import PeriodError, add_months, deletable_from

D = datetime.date


def test_it_counts_a_booking_voucher_from_the_end_of_the_year():
    assert deletable_from(D(2025, 3, 10), years=8, from_year_end=True) == D(2034, 1, 1)


@pytest.mark.parametrize("event", [D(2025, 1, 1), D(2025, 6, 30), D(2025, 12, 31)])
def test_it_gives_every_day_of_a_year_the_same_day_with_year_end_start(event):
    assert deletable_from(event, years=10, from_year_end=True) == D(2036, 1, 1)


def test_it_counts_six_years_for_business_letters():
    assert deletable_from(D(2019, 11, 5), years=6, from_year_end=True) == D(2026, 1, 1)


def test_it_does_not_count_the_event_day():
    # § 187(1) BGB: 30 days from 1 March end on 31 March; deletion from 1 April.
    assert deletable_from(D(2025, 3, 1), days=30) == D(2025, 4, 1)
    assert deletable_from(D(2025, 3, 10), years=1) == D(2026, 3, 11)


def test_it_allows_deletion_the_next_day_for_a_zero_period():
    assert deletable_from(D(2025, 3, 10)) == D(2025, 3, 11)


@pytest.mark.parametrize(
    ("event", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 3, 1)),  # period ends 28 Feb 2025
        (D(2024, 1, 31), 1, D(2024, 3, 1)),  # ends 29 Feb 2024 (leap year)
        (D(2025, 3, 31), 1, D(2025, 5, 1)),  # ends 30 April
        (D(2025, 8, 31), 6, D(2026, 3, 1)),  # ends 28 Feb 2026
        (D(2025, 1, 30), 1, D(2025, 3, 1)),
        (D(2025, 2, 28), 1, D(2025, 3, 29)),  # not the month's end: same date number
        (D(2025, 11, 15), 3, D(2026, 2, 16)),  # across the year boundary
    ],
)
def test_it_ends_on_the_last_day_of_a_shorter_month(event, months, expected):
    assert deletable_from(event, months=months) == expected


def test_it_ends_a_year_from_a_leap_day_on_28_february():
    assert deletable_from(D(2024, 2, 29), years=1) == D(2025, 3, 1)
    assert deletable_from(D(2024, 2, 29), years=4) == D(2028, 3, 1)  # 29 Feb 2028 exists
    assert deletable_from(D(2024, 2, 29), months=12) == D(2025, 3, 1)


def test_it_counts_years_and_months_before_days():
    assert deletable_from(D(2025, 1, 31), years=1, months=1, days=10) == D(2026, 3, 11)


def test_it_counts_a_limitation_period_of_three_years_from_the_year_end():
    # § 199(1) BGB: claims of 2025 become time-barred with the end of 2028.
    assert deletable_from(D(2025, 7, 1), years=3, from_year_end=True) == D(2029, 1, 1)


def test_add_months_goes_backwards_too():
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)


@pytest.mark.parametrize(
    "kwargs", [{"years": -1}, {"months": -2}, {"days": -1}, {"years": 31}, {"months": 361}, {"days": 20000}]
)
def test_it_refuses_negative_or_absurd_periods(kwargs):
    with pytest.raises(PeriodError):
        deletable_from(D(2025, 1, 1), **kwargs)


def test_it_accepts_the_longest_period():
    assert deletable_from(D(2025, 1, 1), years=30) == D(2055, 1, 2)
