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


# IBAN length per country (ISO 13616, the SWIFT IBAN registry): a wrong length is a digit lost or added.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19,
    "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def normalise_iban(value: str) -> str:
    """The IBAN without spaces, upper-case, or ValidationError unless its country, length and check digits
    (mod 97, ISO 13616) agree."""
    iban = "".join(value.split()).upper()
    valid = (
        iban[:2] in IBAN_LENGTHS
        and len(iban) == IBAN_LENGTHS[iban[:2]]
        and iban.isascii()
        and iban.isalnum()
        and iban[2:4].isdigit()
        and int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
    )
    if not valid:
        raise ValidationError(_("This is not a valid IBAN."), code="invalid_iban")
    return iban
