"""Writes about data subjects and their records."""

from django.db import transaction

from audit.services import Action, audit_record
from dpo_portal.models import DataCategory, ProcessingActivity

from .models import DataSubject, PersonalRecord
from .signals import IDENTITY_FIELDS, identity_changed


class RecordDefaults:
    """Resolves a record's default activity and category by code, one query per kind per instance."""

    def __init__(self) -> None:
        self._activities: dict[str, ProcessingActivity] = {}
        self._categories: dict[str, DataCategory] = {}

    def apply(self, record: PersonalRecord) -> PersonalRecord:
        activity_code, category_code = record.default_codes()
        if record.activity_id is None:
            if not self._activities:
                self._activities = {a.code: a for a in ProcessingActivity.objects.all()}
            record.activity = self._activities[activity_code]
        if record.category_id is None:
            if not self._categories:
                self._categories = {c.code: c for c in DataCategory.objects.all()}
            record.category = self._categories[category_code]
        return record


def _announce(subject: DataSubject, *, created: bool, fields) -> None:
    changed = [f for f in fields if f in IDENTITY_FIELDS]
    if created or changed:
        identity_changed.send(sender=DataSubject, subject=subject, created=created, fields=changed)


@transaction.atomic
def subject_create(*, actor=None, **data) -> DataSubject:
    """Creates a data subject (validated), audits it and announces the new identity."""
    subject = DataSubject(**data)
    subject.full_clean()
    subject.save()
    audit_record(subject, Action.CREATE, fields=[k for k, v in data.items() if v not in (None, "")], actor=actor)
    _announce(subject, created=True, fields=data.keys())
    return subject


@transaction.atomic
def subject_update(*, subject: DataSubject, actor=None, **changes) -> DataSubject:
    """Rectification (Art. 16): changes the given fields; the audit trail names them, never their values."""
    changed = [k for k, v in changes.items() if getattr(subject, k) != v]
    for key, value in changes.items():
        setattr(subject, key, value)
    subject.full_clean()
    subject.save()
    if changed:
        audit_record(subject, Action.CHANGE, fields=changed, actor=actor)
        _announce(subject, created=False, fields=changed)
    return subject


def subject_saved_in_admin(*, subject: DataSubject, created: bool, changed_fields) -> None:
    """The admin saves the form itself; this announces what it changed."""
    _announce(subject, created=created, fields=changed_fields)
