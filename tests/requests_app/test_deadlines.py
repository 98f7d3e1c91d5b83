"""Art. 12(3) GDPR deadlines, counted per Regulation 1182/71 with German public holidays."""

import datetime

import pytest

from requests_app.deadlines import add_months, is_working_day, response_due

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2025, 3, 3), D(2025, 4, 3)),  # same date number, a Thursday
        (D(2025, 1, 31), D(2025, 2, 28)),  # no 31 February: the month's last day (a Friday)
        (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
        (D(2023, 1, 29), D(2023, 2, 28)),  # no 29 February in 2023
        (D(2025, 3, 31), D(2025, 4, 30)),
        (D(2025, 2, 15), D(2025, 3, 17)),  # 15 March is a Saturday: the next Monday
        (D(2025, 6, 16), D(2025, 7, 16)),
    ],
)
def test_it_counts_one_month_per_regulation_1182_71(received, due):
    assert response_due(received, subdivision="SH") == due


def test_it_does_not_count_the_day_of_receipt():
    # Received on 1 April: the period starts on 2 April and ends with 1 May's date number… a holiday.
    assert response_due(D(2025, 4, 1), subdivision="SH") == D(2025, 5, 2)


def test_it_moves_a_sunday_end_to_monday():
    assert D(2025, 2, 2).weekday() == 6
    assert response_due(D(2025, 1, 2), subdivision="SH") == D(2025, 2, 3)


def test_it_skips_national_holidays_and_the_weekend_after_them():
    # 25 and 26 December 2025 (Thu, Fri), then the weekend: Monday 29 December.
    assert response_due(D(2025, 11, 25), subdivision="SH") == D(2025, 12, 29)
    # Good Friday 18 April 2025, the weekend, Easter Monday: Tuesday 22 April.
    assert response_due(D(2025, 3, 18), subdivision="SH") == D(2025, 4, 22)
    # New Year's Day across the year boundary.
    assert response_due(D(2025, 12, 1), subdivision="SH") == D(2026, 1, 2)


def test_it_knows_reformation_day_in_schleswig_holstein_but_not_in_north_rhine_westphalia():
    # Extended: 31 July + 3 months = Friday 31 October 2025.
    assert response_due(D(2025, 7, 31), extended=True, subdivision="NW") == D(2025, 10, 31)
    # In SH 31 October is a holiday, 1 and 2 November the weekend.
    assert response_due(D(2025, 7, 31), extended=True, subdivision="SH") == D(2025, 11, 3)


def test_it_knows_corpus_christi_in_north_rhine_westphalia_but_not_in_schleswig_holstein():
    assert response_due(D(2025, 5, 19), subdivision="NW") == D(2025, 6, 20)
    assert response_due(D(2025, 5, 19), subdivision="SH") == D(2025, 6, 19)


def test_it_uses_the_controllers_land_from_the_settings(settings):
    settings.DPO_HOLIDAY_SUBDIVISION = "NW"
    assert response_due(D(2025, 5, 19)) == D(2025, 6, 20)
    settings.DPO_HOLIDAY_SUBDIVISION = "SH"
    assert response_due(D(2025, 5, 19)) == D(2025, 6, 19)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2025, 1, 31), D(2025, 4, 30)),  # 30 April 2025 is a Wednesday
        (D(2023, 11, 30), D(2024, 2, 29)),  # leap year, across the year boundary
        (D(2024, 11, 30), D(2025, 2, 28)),
        (D(2025, 2, 1), D(2025, 5, 2)),  # 1 May is Labour Day
    ],
)
def test_it_extends_to_three_months_from_receipt(received, due):
    assert response_due(received, extended=True, subdivision="SH") == due


def test_it_refuses_an_unknown_land():
    with pytest.raises(ValueError, match="XX"):
        response_due(D(2025, 1, 1), subdivision="XX")


def test_it_refuses_a_datetime():
    with pytest.raises(TypeError):
        response_due(datetime.datetime(2025, 1, 1, 12, 0))


def test_add_months_keeps_or_clamps_the_date_number():
    assert add_months(D(2024, 12, 31), 2) == D(2025, 2, 28)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)


def test_is_working_day():
    assert is_working_day(D(2025, 10, 31), subdivision="NW")
    assert not is_working_day(D(2025, 10, 31), subdivision="SH")
    assert not is_working_day(D(2025, 10, 3), subdivision="NW")  # German Unity Day
    assert not is_working_day(D(2025, 10, 4), subdivision="NW")  # Saturday
