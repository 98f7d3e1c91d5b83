"""Everything held about a person, read generically from every kind of personal record.

The kinds are found through the app registry (every concrete subclass of PersonalRecord), so a new
kind of record shows up in access reports and data copies without a change here. An access report
shows the person's request files too (Art. 15); requests change only the kinds with `subject_rights`.
"""

import datetime
import decimal
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _

from dpo_portal.fields import EncryptedTextField
from subjects.models import DataSubject, PersonalRecord
from subjects.selectors import record_models


def rights_record_models() -> list[type[PersonalRecord]]:
    """The kinds a request changes (rectification, restriction, erasure, Art. 19): every kind but the request files,
    which prove how requests were handled. Access reports and copies read every kind (records_of)."""
    return record_models(rights_only=True)


# Bookkeeping fields shown as the record's metadata rather than as its content.
META_FIELDS = {
    "id",
    "subject",
    "activity",
    "category",
    "collected_on",
    "contract_end",
    "last_contact",
    "source",
    "restricted_at",
    "restriction_ground",
    "anonymised_at",
    "retention_computed_at",
    "retention_claim",
    "created_at",
    "updated_at",
}
IDENTITY_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "country",
    "company",
    "job_title",
    "customer_number",
    "language",
)


def jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def field_value(obj: models.Model, field: models.Field):
    """The value as a person reads it: choice labels, related objects by name, JSON-safe."""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    value = getattr(obj, field.attname)
    if hasattr(value, "code") and hasattr(value, "name"):  # django-countries
        return value.code or ""
    return jsonable(value)


def field_label(field: models.Field) -> str:
    """The field's name for the person: an encrypted field's name notes how it is stored ("IBAN (encrypted)"),
    which is the DPO's concern; the report and the copy show the value decrypted, so the note goes."""
    label = str(field.verbose_name)
    if isinstance(field, EncryptedTextField):
        # Translators: exactly as the storage note ends the labels of encrypted fields, e.g. "IBAN (encrypted)".
        return label.removesuffix(" " + _("(encrypted)"))
    return label


def content_fields(model: type[models.Model]) -> list[models.Field]:
    # Staff accounts (who logged a request, who decided a case) are the staff's data, not the person's.
    user_model = get_user_model()
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in META_FIELDS and not (f.is_relation and f.related_model is user_model)
    ]


def identity_data(subject: DataSubject) -> list[dict]:
    return [
        {"name": name, "label": field_label(field), "value": field_value(subject, field)}
        for name in IDENTITY_FIELDS
        for field in [subject._meta.get_field(name)]
    ]


def record_dict(record: PersonalRecord) -> dict:
    return {
        "id": record.pk,
        # Empty only for a request file taken before the register had its entries (load_register fills them).
        "category": record.category.code if record.category_id else "",
        "category_name": record.category.name if record.category_id else "",
        "activity": record.activity.code if record.activity_id else "",
        "activity_name": record.activity.name if record.activity_id else "",
        "collected_on": jsonable(record.collected_on),
        "source": record.get_source_display(),
        "restricted": record.restricted_at is not None,
        "restriction_ground": record.get_restriction_ground_display() if record.restriction_ground else "",
        "fields": [
            {"name": f.name, "label": field_label(f), "value": field_value(record, f)}
            for f in content_fields(type(record))
        ],
    }


def records_of(subject: DataSubject, *, querysets=None) -> list[tuple[type[PersonalRecord], list]]:
    """(kind, records) for every kind the person has records of: one query per kind."""
    result = []
    for model in record_models():
        related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name != "subject"]
        qs = model.objects.filter(subject=subject).select_related(*related).order_by("pk")
        if querysets is not None:
            qs = querysets(model, qs)
        rows = list(qs)
        if rows:
            result.append((model, rows))
    return result


def kinds_payload(kinds: Iterable[tuple[type[PersonalRecord], list]]) -> list[dict]:
    return [
        {
            "kind": model._meta.model_name,
            "label": str(model._meta.verbose_name_plural),
            "columns": [field_label(f) for f in content_fields(model)],
            "records": [record_dict(r) for r in rows],
        }
        for model, rows in kinds
    ]


def yes_no(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else str(value)
