"""Reads about a data subject across every kind of record."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import get_language

from .models import DataSubject, PersonalRecord


def record_models(*, rights_only: bool = False) -> list[type[PersonalRecord]]:
    """Every concrete kind of personal record, including those other apps define; with `rights_only`, the
    kinds a data subject's request acts on (PersonalRecord.subject_rights)."""
    return [m for m in apps.get_models() if issubclass(m, PersonalRecord) and (m.subject_rights or not rights_only)]


@dataclass(frozen=True)
class HeldData:
    category: str
    activity: str
    kind: str
    count: int
    restricted: int


def subject_data_overview(subject: DataSubject, *, include_special: bool = True) -> list[HeldData]:
    """What is held about `subject`, per data category, kind of record and processing activity.

    One aggregate query per kind of record, whatever the number of records.
    """
    lang = "en" if (get_language() or "de").startswith("en") else "de"
    result = []
    for model in record_models():
        qs = model.objects.filter(subject=subject)
        if not include_special:
            qs = qs.exclude(category__is_special=True)
        grouped = qs.values(f"category__name_{lang}", f"activity__name_{lang}").annotate(
            n=Count("pk"), restricted=Count("pk", filter=Q(restricted_at__isnull=False))
        )
        result += [
            HeldData(
                category=g[f"category__name_{lang}"],
                activity=g[f"activity__name_{lang}"],
                kind=str(model._meta.verbose_name_plural),
                count=g["n"],
                restricted=g["restricted"],
            )
            for g in grouped
        ]
    return sorted(result, key=lambda h: (h.category, h.kind, h.activity))
