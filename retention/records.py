"""The kinds of personal record the engine looks after, found at run time (other apps add their own)."""

import uuid
from collections.abc import Callable

from django.db import models
from django.db.models import Exists, OuterRef, Q

from subjects.models import DataSubject, PersonalRecord
from subjects.selectors import record_models  # noqa: F401  (the engine's kinds: every kind, request files too)

# Fields of PersonalRecord itself that describe the record, not the person: they survive anonymisation.
_BASE_FIELDS = {f.name for f in PersonalRecord._meta.get_fields()}


def personal_fields(model: type[PersonalRecord]) -> list[models.Field]:
    """The fields overwritten on anonymisation: the model's declaration, or else every free-text field."""
    if model.anonymise_fields is not None:
        return [model._meta.get_field(name) for name in model.anonymise_fields]
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _BASE_FIELDS and isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def _links_to_person(field: models.Field) -> bool:
    target = field.related_model
    return target is DataSubject or (isinstance(target, type) and issubclass(target, PersonalRecord))


def can_anonymise(model: type[PersonalRecord]) -> bool:
    """False when a required link to another personal record would keep leading back to the person."""
    return not any(
        f.is_relation and f.many_to_one and not f.null and f.name != "subject" and _links_to_person(f)
        for f in model._meta.concrete_fields
    )


def anonymous_value(field: models.Field):
    """What an anonymised field holds: nothing, or a random token where the column must stay unique."""
    if field.unique:
        return f"anon-{uuid.uuid4().hex}"[: field.max_length or 40]
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return field.get_default()


def dependants(model: type[PersonalRecord]) -> list[tuple[type[PersonalRecord], str]]:
    """(kind, field name) of the personal records that cascade from `model` (an event's health data)."""
    found = []
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.on_delete is models.CASCADE and issubclass(related, PersonalRecord) and rel.field.name != "subject":
            found.append((related, rel.field.name))
    return found


def without_live_dependants(qs: models.QuerySet, *, gone: Callable[[type], Q] | None = None) -> models.QuerySet:
    """A record others still depend on waits for them: deleting it would take them along unprotocolled.

    `gone(kind)` describes records of that kind an earlier step of the same run deletes; a dry
    run, which deletes nothing, passes it so that it counts what the real run would.
    """
    for related, field_name in dependants(qs.model):
        live = related.objects.filter(**{field_name: OuterRef("pk")})
        if gone is not None:
            live = live.exclude(gone(related))
        qs = qs.filter(~Exists(live))
    return qs
