import datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalise_phone(value: str, region: str = "DE") -> str:
    """The number in E.164 (+4930…), or ValidationError for anything that is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid_phone", params={"value": value}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid_phone", params={"value": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalise_phone(value)


def validate_not_future(value: datetime.date | datetime.datetime) -> None:
    today = timezone.localdate()
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day > today:
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


def validate_plausible_birth_date(value: datetime.date) -> None:
    validate_not_future(value)
    if value.year < 1900:
        raise ValidationError(_("The date of birth is implausible."), code="implausible_birth_date")


# The range a date the back office keeps can plausibly have. The admin's date picker takes anything from year 1 to
# 9999, but at the edges a time cannot be converted to UTC (OverflowError) and a retention period cannot be added
# (year 10000): those dates are typing errors, refused before anything is stored or counted with.
PLAUSIBLE_DATES = (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))


def plausible_date_errors(instance, exclude=()) -> dict[str, ValidationError]:
    """{field name: error} for every date or time field of `instance` (except `exclude`) outside PLAUSIBLE_DATES."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or not isinstance(field, (models.DateField, models.DateTimeField)):
            continue
        value = getattr(instance, field.attname)
        # Compared by the calendar date as entered: converting an edge-of-range time to UTC is what overflows.
        day = value.date() if isinstance(value, datetime.datetime) else value
        if isinstance(day, datetime.date) and not PLAUSIBLE_DATES[0] <= day <= PLAUSIBLE_DATES[1]:
            errors[field.name] = ValidationError(_("The date is implausible."), code="implausible_date")
    return errors
