"""Writes about data subjects and their records."""

from dpo_portal.models import DataCategory, ProcessingActivity

from .models import PersonalRecord


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
