"""Reads about rules, holds and what is coming due."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from dpo_portal.models import DataCategory

from .models import DeletionRule, LegalHold
from .records import record_models

FORECAST_HORIZONS = (30, 90, 365)


def rule_for_category(category: DataCategory | int) -> DeletionRule | None:
    """The active deletion rule of a data category (an instance or its id), or None when it has none."""
    category_id = category if isinstance(category, int) else category.pk
    return DeletionRule.objects.active().filter(category_id=category_id).select_related("category").first()


def active_rules_by_category() -> dict[int, DeletionRule]:
    return {r.category_id: r for r in DeletionRule.objects.active().select_related("category")}


def record_holds(record, *, today: datetime.date | None = None) -> bool:
    """Whether an active legal hold covers `record` (on its subject, itself or its category)."""
    from django.contrib.contenttypes.models import ContentType

    holds = LegalHold.objects.active(today)
    return holds.filter(
        Q(subject_id=record.subject_id)
        | Q(category_id=record.category_id)
        | Q(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    ).exists()


def forecast(*, today: datetime.date | None = None) -> list[dict]:
    """Per active rule: records already due and coming due within 30, 90 and 365 days.

    One grouped query per kind of record, however many rules and records there are. Held data and
    anonymised records are left out: they will not be processed.
    """
    from .sweep import held_category_ids, not_held

    today = today or timezone.localdate()
    rules = active_rules_by_category()
    held = held_category_ids(today)
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    buckets = {"due": Q(deletable_from__lte=today)}
    for days in FORECAST_HORIZONS:
        buckets[f"next_{days}"] = Q(deletable_from__gt=today, deletable_from__lte=today + datetime.timedelta(days=days))
    for model in record_models():
        qs = not_held(
            model.objects.filter(
                anonymised_at=None, deletable_from__lte=today + datetime.timedelta(days=max(FORECAST_HORIZONS))
            ),
            today=today,
        )
        rows = qs.order_by().values("category_id").annotate(**{k: Count("pk", filter=q) for k, q in buckets.items()})
        for row in rows:
            for key in buckets:
                totals[row["category_id"]][key] += row[key]
    result = []
    for category_id, rule in sorted(rules.items(), key=lambda item: item[1].code):
        counts = totals.get(category_id, {})
        result.append(
            {
                "rule": rule,
                "held": category_id in held,
                **{k: (0 if category_id in held else counts.get(k, 0)) for k in buckets},
            }
        )
    return result
