"""What happens to a batch of claimed records: deletion, anonymisation, restriction.

Each function acts on the rows of `model` carrying the batch's claim token and returns the
action it performed (a record that cannot be made anonymous is deleted instead).
"""

import datetime

from django.db import models
from django.db.models import Q

from subjects.models import PersonalRecord, RestrictionGround

from .models import Action
from .records import anonymous_value, can_anonymise, personal_fields


def delete_claimed(qs: models.QuerySet) -> str:
    qs.delete()
    return Action.DELETE


def anonymise_claimed(qs: models.QuerySet, *, now: datetime.datetime) -> str:
    """Irreversible: a copy under a new id, without the person's fields and without a data subject, then
    the original is deleted. No key, no pseudonym: nothing in the copy (not even its id, which the
    audit trail knows) leads back to the person. Dates, amounts and other statistics stay."""
    model: type[PersonalRecord] = qs.model
    if not can_anonymise(model):
        return delete_claimed(qs)
    fields = personal_fields(model)
    copies = []
    for record in qs:
        record.pk = None
        record.subject = None
        for field in fields:
            setattr(record, field.attname, anonymous_value(field))
        record.anonymised_at = now
        record.restricted_at = None
        record.restriction_ground = ""
        record.purpose_ended_on = record.retention_start = record.deletable_from = None
        record.retention_computed_at = now
        record.retention_claim = None
        copies.append(record)
    model.objects.bulk_create(copies)
    qs.delete()
    return Action.ANONYMISE


def restrict_claimed(qs: models.QuerySet, *, now: datetime.datetime, ground: str = RestrictionGround.RETENTION_DUTY):
    """Stored, excluded from processing (PersonalRecord.objects.processable()), marked with its ground."""
    qs.update(restricted_at=now, restriction_ground=ground, retention_claim=None)
    return Action.RESTRICT


# The identity of a data subject, emptied once nothing kept needs it any more.
IDENTITY_BLANKS = {
    "salutation": "",
    "title": "",
    "first_name": "",
    "last_name": "",
    "birth_date": None,
    "gender": "",
    "company": "",
    "job_title": "",
    "customer_number": None,
    "country": "",
    "blocked_reason": "",
}


# Data subjects whose identity is blank already (anonymised).
IDENTITY_BLANK = Q(
    *(
        Q(**{f"{name}__isnull": True}) if blank is None else Q(**{name: blank})
        for name, blank in IDENTITY_BLANKS.items()
    )
)


def anonymise_subjects(qs: models.QuerySet) -> int:
    """Empties the identity of erased data subjects and lifts their restriction (nothing is kept any more)."""
    return qs.update(**IDENTITY_BLANKS, restricted_at=None, restriction_ground="")


def apply_action(action: str, qs: models.QuerySet, *, now: datetime.datetime) -> str:
    if action == Action.DELETE:
        return delete_claimed(qs)
    if action == Action.ANONYMISE:
        return anonymise_claimed(qs, now=now)
    return restrict_claimed(qs, now=now)
