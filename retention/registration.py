"""Registering records with the engine: the date of their start event and their first deletable day.

Computed set-based: one UPDATE copies the start event's date into `retention_start`, then one
UPDATE per 300 distinct start dates (a CASE) or per calendar year (rules counted from the year
end) writes `deletable_from`. Holds are not part of it: they are applied when the sweep and the
forecast select what is due, so placing or lifting a hold needs no recomputation.
"""

import datetime
from itertools import islice

from django.db import models, transaction
from django.db.models import Case, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.utils import timezone

from dpo_portal.models import DataCategory
from subjects.models import PersonalRecord

from .models import DeletionRule
from .records import record_models
from .selectors import active_rules_by_category


def batched(items, size: int):
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def recompute(qs: models.QuerySet, rule: DeletionRule | None, *, now: datetime.datetime | None = None) -> int:
    """(Re)computes the start date and first deletable day of the records in `qs` under `rule`.

    `qs` must select the same rows before and after (filter by category or primary keys, not by
    the retention fields themselves). Without a rule nothing is ever due. Returns the row count.
    """
    now = now or timezone.now()
    if rule is None:
        return qs.update(retention_start=None, deletable_from=None, retention_computed_at=now)
    count = qs.update(retention_start=qs.model.retention_start_expression(rule.start_event), retention_computed_at=now)
    qs.filter(retention_start=None).update(deletable_from=None)
    starts = sorted(set(qs.exclude(retention_start=None).order_by().values_list("retention_start", flat=True)))
    if rule.from_year_end:
        for year in sorted({d.year for d in starts}):
            target = rule.deletable_from(datetime.date(year, 1, 1))
            qs.filter(retention_start__year=year).update(deletable_from=target)
    else:
        for chunk in batched(starts, 300):
            whens = [When(retention_start=d, then=Value(rule.deletable_from(d))) for d in chunk]
            qs.filter(retention_start__in=chunk).update(deletable_from=Case(*whens, output_field=DateField()))
    if not rule.retention_duty:
        # Without a statutory duty nothing outlives its purpose (Art. 17(1)(a), (c) GDPR): once the
        # purpose ended (consent withdrawn, objection upheld) the data is due the next day.
        next_day = ExpressionWrapper(F("purpose_ended_on") + datetime.timedelta(days=1), output_field=DateField())
        qs.filter(purpose_ended_on__isnull=False).filter(
            Q(deletable_from=None) | Q(deletable_from__gt=next_day)
        ).update(deletable_from=next_day)
    return count


def first_deletable_day(
    rule: DeletionRule, start: datetime.date | None, purpose_ended_on: datetime.date | None
) -> datetime.date | None:
    """What `recompute` writes for one record whose start event happened on `start` (None: not yet)."""
    day = rule.deletable_from(start) if start else None
    if not rule.retention_duty and purpose_ended_on:
        next_day = purpose_ended_on + datetime.timedelta(days=1)
        day = next_day if day is None or day > next_day else day
    return day


def recompute_for_rule(rule: DeletionRule, *, now: datetime.datetime | None = None) -> int:
    """Every record of the rule's category, recomputed (a rule was created, changed or activated)."""
    total = 0
    for model in record_models():
        records = model.objects.filter(category_id=rule.category_id)
        if records.exists():
            total += recompute(records, rule, now=now)
    return total


def invalidate_moved_start_events(rules: dict[int, DeletionRule], *, today: datetime.date) -> int:
    """Marks for recomputation the records whose start event changed where it matters, without scanning
    every record each night (both sets are read through partial indexes):

    * due records (first deletable day reached) whose start event moved: verified before the sweep
      acts, so a later contract end or a new contact never lets data go early (a new contact record moves the
      person's contact details already when it is registered: see register_model_batch);
    * records without a start date whose start event has happened since (contract ended).

    A start event moved earlier on a record not yet due is picked up when a service recomputes it
    (rule change, end of purpose, erasure) or when it becomes due.
    """
    moved = 0
    for model in record_models():
        # One index probe per category: a DISTINCT over the records would read every row.
        records_of = model.objects.filter(category_id=OuterRef("pk"))
        present = set(
            DataCategory.objects.filter(Exists(records_of), pk__in=rules).order_by().values_list("pk", flat=True)
        )
        for rule in (r for c, r in rules.items() if c in present):
            # Anonymous copies have no start date by design (anonymise_claimed): nothing to register.
            records = model.objects.filter(
                category_id=rule.category_id, retention_computed_at__isnull=False, anonymised_at=None
            )
            source = model.retention_start_expression(rule.start_event)
            due = records.filter(deletable_from__lte=today, anonymised_at=None).alias(start_source=source)
            # Moved, or not happened any more (a relationship runs again): a plain `!=` is unknown for NULL.
            moved += due.filter(
                ~models.Q(retention_start=models.F("start_source"))
                | models.Q(start_source__isnull=True, retention_start__isnull=False)
            ).update(retention_computed_at=None)
            started = records.filter(retention_start=None).alias(start_source=source)
            moved += started.filter(start_source__isnull=False).update(retention_computed_at=None)
    return moved


def _register(model: type[PersonalRecord], pks, rules: dict[int, DeletionRule]) -> list[models.QuerySet]:
    """Registers the records `pks` of `model` under their categories' rules. Returns the contact details whose
    start this contact may have moved, marked for registration (their date then holds the contact, even once
    this record is gone by its own rule)."""
    batch = model.objects.filter(pk__in=pks)
    for category_id in set(batch.values_list("category_id", flat=True)):
        recompute(batch.filter(category_id=category_id), rules.get(category_id))
    if not model.counts_as_contact:
        return []
    people = batch.exclude(subject_id=None).values("subject_id")
    moved = [d.objects.filter(subject_id__in=people) for d in record_models() if d.start_follows_other_records]
    for details in moved:
        details.update(retention_computed_at=None)
    return moved


def register_model_batch(model: type[PersonalRecord], rules: dict[int, DeletionRule], *, batch_size: int) -> int:
    """Registers up to `batch_size` unregistered records of `model`; returns how many (0: none left).
    The contact details a contact moved are registered after this kind (register_pending)."""
    with transaction.atomic():
        pending = model.objects.filter(retention_computed_at=None).order_by("pk")
        # Two sweeps at once skip each other's rows instead of waiting (ignored on SQLite).
        pks = list(pending.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
        if not pks:
            return 0
        _register(model, pks, rules)
        return len(pks)


@transaction.atomic
def register_records(*, model: type[PersonalRecord], pks) -> None:
    """Registers records created or changed by hand (the admin) at once, with the contact details of their
    people a new contact moved: the forecast counts an edited date the same minute, not after the night's
    registration. (The sweep checks due records again before it acts, whatever path changed them.)"""
    rules = active_rules_by_category()
    for details in _register(model, pks, rules):
        _register(details.model, list(details.values_list("pk", flat=True)), rules)


def register_pending(*, batch_size: int, today: datetime.date | None = None) -> int:
    """Registers every record created since the last run (admin, bulk_create, imports), and those whose
    start event moved (see invalidate_moved_start_events), in bounded batches. Contact details come last: the
    records registered before them may have moved their start."""
    rules = active_rules_by_category()
    invalidate_moved_start_events(rules, today=today or timezone.localdate())  # re-registered, and counted, below
    total = 0
    for model in sorted(record_models(), key=lambda m: m.start_follows_other_records):
        while done := register_model_batch(model, rules, batch_size=batch_size):
            total += done
    return total
