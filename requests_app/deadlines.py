"""Deadlines for answering data-subject requests (Art. 12(3) GDPR).

Periods are counted per Regulation (EEC, Euratom) No 1182/71 (Art. 3): the day of receipt is not
counted; a period in months ends on the same date number in the last month, or on that month's
last day where there is no such date; a period ending on a Saturday, Sunday or public holiday ends
on the next working day. Public holidays are Germany's national ones plus those of the controller's
Land (`settings.DPO_HOLIDAY_SUBDIVISION`).
"""

import calendar
import datetime
from functools import lru_cache

import holidays
from django.conf import settings

# Art. 12(3) GDPR: one month, extendable "by two further months".
RESPONSE_MONTHS = 1
EXTENDED_MONTHS = 3


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date number `months` later, or that month's last day where there is no such date."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _holidays(subdivision: str, year: int) -> frozenset[datetime.date]:
    try:
        calendar_ = holidays.country_holidays("DE", subdiv=subdivision or None, years=year)
    except NotImplementedError as exc:  # the library's answer to an unknown subdivision
        raise ValueError(f"Unknown German Land code {subdivision!r}") from exc
    return frozenset(calendar_.keys())


def is_working_day(day: datetime.date, *, subdivision: str | None = None) -> bool:
    """Neither a Saturday, a Sunday nor a public holiday in Germany and the given Land."""
    land = settings.DPO_HOLIDAY_SUBDIVISION if subdivision is None else subdivision
    return day.weekday() < 5 and day not in _holidays(land, day.year)


def next_working_day(day: datetime.date, *, subdivision: str | None = None) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, subdivision=subdivision):
        day += datetime.timedelta(days=1)
    return day


def response_due(received: datetime.date, *, extended: bool = False, subdivision: str | None = None) -> datetime.date:
    """Last day for answering a request received on `received`: one month, or three when extended."""
    if isinstance(received, datetime.datetime):
        raise TypeError("response_due takes the local date of receipt, not a datetime")
    end = add_months(received, EXTENDED_MONTHS if extended else RESPONSE_MONTHS)
    return next_working_day(end, subdivision=subdivision)
