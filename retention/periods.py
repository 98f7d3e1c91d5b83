"""Retention periods: the first day on which data may be deleted.

Counted as the German Civil Code counts periods (§§ 187, 188 BGB), which HGB § 257 and
AO § 147 rely on:

* The day of the start event is not counted (§ 187(1) BGB); a period of years or months ends
  with the end of the day of the last month that has the event's date number (§ 188(2) BGB).
  A period of days ends with the end of its last day.
* Where the last month has no such date number (29 February in a common year, the 31st in a
  30-day month), the period ends with that month's last day (§ 188(3) BGB):
  29 Feb 2024 + 1 year ends on 28 Feb 2025; 31 Jan + 1 month ends on 28 (or 29) February.
* Years and months are counted first, then days (a period of "1 year and 10 days" from
  31 Jan 2025 ends on 10 Feb 2026).
* With `from_year_end` the period starts at the end of the calendar year in which the
  event falls (§ 257(5) HGB, § 147(4) AO), that is, with the end of 31 December.
* The first deletable day is the day after the period ends.
"""

import calendar
import datetime

# No retention duty or limitation period in German law runs longer than 30 years (§ 197 BGB);
# anything longer is a typing error, not a rule.
MAX_YEARS = 30


class PeriodError(ValueError):
    """A period that cannot be a retention period (negative, or longer than MAX_YEARS)."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months` calendar months, on the month's last day where the date number is missing."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_period(*, years: int = 0, months: int = 0, days: int = 0) -> None:
    """Raises PeriodError for a negative or absurdly long period."""
    if min(years, months, days) < 0:
        raise PeriodError("A retention period cannot be negative.")
    if years * 12 + months + days / 366 * 12 > MAX_YEARS * 12:
        raise PeriodError(f"A retention period cannot be longer than {MAX_YEARS} years.")


def period_end(event: datetime.date, *, years: int = 0, months: int = 0, days: int = 0, from_year_end: bool = False):
    """The last day of the retention period that starts with `event` (see the module docstring)."""
    check_period(years=years, months=months, days=days)
    start = datetime.date(event.year, 12, 31) if from_year_end else event
    return add_months(start, years * 12 + months) + datetime.timedelta(days=days)


def deletable_from(
    event: datetime.date, *, years: int = 0, months: int = 0, days: int = 0, from_year_end: bool = False
) -> datetime.date:
    """First day on which data may be deleted whose retention period of the given length starts with `event`.

    With `from_year_end` the period starts at the end of the calendar year in which `event` falls
    (HGB §257(5), AO §147(4)): a booking voucher of 10 March 2025 kept 8 years may be deleted from
    1 January 2034. Raises PeriodError (a ValueError) for a negative or absurd period.
    """
    end = period_end(event, years=years, months=months, days=days, from_year_end=from_year_end)
    return end + datetime.timedelta(days=1)
