import datetime

import phonenumbers
from django.core.exceptions import ValidationError
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
