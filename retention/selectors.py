"""Reads about rules, holds and what is coming due."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Func, Q, Value
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dpo_portal.models import DataCategory
from subjects.models import KEPT_FOR_THE_SUBJECT, DataSubject, RestrictionGround

from .models import Action, DeletionRule, LegalHold, ProtocolBatch
from .models.protocol import record_digest, split_digests
from .records import record_models

FORECAST_HORIZONS = (30, 90, 365)


def rule_for_category(category: DataCategory | int) -> DeletionRule | None:
    """The active deletion rule of a data category (an instance or its id), or None when it has none."""
    category_id = category if isinstance(category, int) else category.pk
    return DeletionRule.objects.active().filter(category_id=category_id).select_related("category").first()


def categories_without_rule() -> models.QuerySet:
    """Data categories no active deletion rule covers: the sweep never processes their records."""
    return DataCategory.objects.exclude(deletion_rules__is_active=True).order_by("name_de")


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


# The forecast's windows: due now, and coming due within each horizon (after today, up to today + days).
FORECAST_WINDOWS = ("now", *(str(days) for days in FORECAST_HORIZONS))


def _window(window: str, today: datetime.date) -> Q:
    if window == "now":
        return Q(deletable_from__lte=today)
    return Q(deletable_from__gt=today, deletable_from__lte=today + datetime.timedelta(days=int(window)))


def _to_be_processed(qs: models.QuerySet, rules: dict[int, DeletionRule], *, today, ignoring_holds=()):
    """The records of `qs` a sweep will process once due under `rules` (active, their categories not held): not
    held themselves, not anonymous, and not restricted already under a rule that restricts (the sweep leaves those)."""
    from .sweep import not_held

    restricting = [c for c, r in rules.items() if r.action == Action.RESTRICT]
    qs = qs.filter(anonymised_at=None, category_id__in=list(rules))
    qs = qs.exclude(restricted_at__isnull=False, category_id__in=restricting)
    return not_held(qs, today=today, ignoring=ignoring_holds)


def _rules_not_held(today: datetime.date, *, ignoring_holds=(), rules=None) -> tuple[dict[int, DeletionRule], set[int]]:
    """The active rules by category (or `rules`), those of held categories left out, and the held categories."""
    from .sweep import held_category_ids

    held = held_category_ids(today, ignoring=ignoring_holds)
    rules = active_rules_by_category() if rules is None else rules
    return {c: r for c, r in rules.items() if c not in held}, held


def _due_count(today: datetime.date, *, ignoring_holds=()) -> int:
    """How many records the next sweep on `today` processes, as the forecast counts them ("due now")."""
    rules, _held = _rules_not_held(today, ignoring_holds=ignoring_holds)
    due = _window("now", today)
    return sum(
        _to_be_processed(model.objects.filter(due), rules, today=today, ignoring_holds=ignoring_holds).count()
        for model in record_models()
    )


def coming_due(qs: models.QuerySet, *, window: str, rule: DeletionRule | None = None, today=None) -> models.QuerySet:
    """The records of `qs` (one kind) the forecast counts in `window` (FORECAST_WINDOWS), under `rule` or any
    active rule: the list behind a figure of the forecast."""
    today = today or timezone.localdate()
    rules, _held = _rules_not_held(today)
    if rule is not None:
        rules = {c: r for c, r in rules.items() if r.pk == rule.pk}
    return _to_be_processed(qs, rules, today=today).filter(_window(window, today))


def forecast(*, today: datetime.date | None = None, ignoring_holds=()) -> list[dict]:
    """Per active rule: records already due and coming due within 30, 90 and 365 days, in all and per kind of
    record (`kinds`: model and counts, kinds with anything to count only).

    One grouped query per kind of record, however many rules and records there are. Held data and
    anonymised records are left out: they will not be processed. `ignoring_holds`: ids of holds to count as lifted.
    """
    today = today or timezone.localdate()
    rules = active_rules_by_category()
    processable, held = _rules_not_held(today, ignoring_holds=ignoring_holds, rules=rules)
    buckets = {
        "due": _window("now", today),
        **{f"next_{days}": _window(str(days), today) for days in FORECAST_HORIZONS},
    }
    per_kind: dict[int, list[dict]] = defaultdict(list)
    for model in record_models():
        horizon = today + datetime.timedelta(days=max(FORECAST_HORIZONS))
        qs = _to_be_processed(
            model.objects.filter(deletable_from__lte=horizon), processable, today=today, ignoring_holds=ignoring_holds
        )
        rows = qs.order_by().values("category_id").annotate(**{k: Count("pk", filter=q) for k, q in buckets.items()})
        for row in rows:
            per_kind[row.pop("category_id")].append({"model": model, **row})
    result = []
    for category_id, rule in sorted(rules.items(), key=lambda item: item[1].code):
        kinds = [] if category_id in held else per_kind.get(category_id, [])
        result.append(
            {
                "rule": rule,
                "held": category_id in held,
                **{k: sum(kind[k] for kind in kinds) for k in buckets},
                "kinds": [kind for kind in kinds if any(kind[k] for k in buckets)],
            }
        )
    return result


class BytePosition(Func):
    """Where a byte string occurs in a binary column, from 1 (0: nowhere)."""

    function = "instr"  # SQLite: instr(haystack, needle)
    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        haystack, needle = (compiler.compile(e) for e in self.get_source_expressions())
        return f"position({needle[0]} in {haystack[0]})", (*needle[1], *haystack[1])


def protocol_digests_for(term: str) -> list[tuple[str | None, bytes]]:
    """What a search of the protocol stands for, as (kind of record, digest): a hashed record id (64 hex
    digits; any kind), or the id of a record (hashed for each kind, as the sweep hashed it). Else nothing."""
    term = term.strip().lower()
    if re.fullmatch(r"[0-9a-f]{64}", term):
        return [(None, bytes.fromhex(term))]
    if re.fullmatch(r"[0-9]{1,19}", term):
        return [(m._meta.label, record_digest(m._meta.label, int(term))) for m in (*record_models(), DataSubject)]
    return []


def protocol_batches_holding(
    digests: list[tuple[str | None, bytes]], qs: models.QuerySet | None = None
) -> models.QuerySet:
    """The protocol batches (of `qs`) that list any of `digests` (see protocol_digests_for): was this
    record processed, when, how?

    No index can serve it; it reads the hashes of the batches of the kinds asked for, a few MB per
    100,000 records, and is asked rarely (an auditor's or a data subject's question), never by a job.
    """
    qs = ProtocolBatch.objects.all() if qs is None else qs
    found = Q(pk__in=[])
    for label, digest in digests:
        position = BytePosition("id_hashes", Value(digest, output_field=models.BinaryField()))
        found |= Q(GreaterThan(position, 0), **({"model_label": label} if label else {}))
    return qs.filter(found)


def protocol_hashes(batches: models.QuerySet | None = None) -> list[str]:
    """The hashed record ids in `batches` (default: the whole protocol), one per processed record."""
    batches = ProtocolBatch.objects.all() if batches is None else batches
    return [
        h
        for digests in batches.values_list("id_hashes", flat=True).iterator(chunk_size=100)
        for h in split_digests(digests)
    ]


@dataclass(frozen=True)
class WhyKept:
    """Why one record is still held (R1): its purpose and basis, its rule, and what holds it beyond the rule."""

    activity: str
    legal_basis: str
    category: str
    rule: DeletionRule | None
    retention_start: datetime.date | None
    deletable_from: datetime.date | None
    holds: list[LegalHold]
    restriction: str
    verdict: str


def why_kept(record, *, today: datetime.date | None = None) -> WhyKept:
    """For any personal record: the processing it serves, on which basis, the deletion rule (legal reference,
    period, start event), its first deletable day, and legal holds or restrictions that keep it longer.

    The start of its period and its first deletable day are worked out now, as the next sweep will (a new order
    of the person moves their contact details' at once), not read from what the last registration stored.
    Four queries (the record with its activity and category, its rule, its start date, its holds).
    """
    from django.contrib.contenttypes.models import ContentType

    from .registration import first_deletable_day

    today = today or timezone.localdate()
    model = type(record)
    record = model.objects.select_related("activity", "category").get(pk=record.pk)
    rule = rule_for_category(record.category_id) if record.category_id else None
    start = deletable = None
    if rule is not None and not record.anonymised_at:
        now = model.objects.filter(pk=record.pk).annotate(start_now=model.retention_start_expression(rule.start_event))
        start = now.values_list("start_now", flat=True).get()
        deletable = first_deletable_day(rule, start, record.purpose_ended_on)
    # An anonymous record has no subject: a condition on the subject would match every hold without one.
    on_subject = Q(subject_id=record.subject_id) if record.subject_id else Q(pk__in=[])
    holds = list(
        LegalHold.objects.active(today).filter(
            on_subject
            | Q(category_id=record.category_id)
            | Q(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        )
    )
    due = deletable is not None and deletable <= today
    day = {"day": date_format(deletable, "SHORT_DATE_FORMAT") if deletable else "—"}
    if record.anonymised_at:
        verdict = _("Anonymised: nothing in it refers to a person any more.")
    elif rule is None:
        verdict = _("No deletion rule covers its data category: the DPO must set one.")
    elif holds:
        verdict = (
            _("Its period has ended; kept because of a legal hold until the hold is lifted.")
            if due
            else _("Under a legal hold: kept also after its period ends, until the hold is lifted.")
        )
    elif record.restriction_ground in KEPT_FOR_THE_SUBJECT:
        verdict = _(
            "Restricted at the person's request to keep it (Art. 18(1)(b), (c) GDPR): kept also after its period "
            "ends, until the restriction is lifted."
        )
    elif deletable is None and model.start_follows_other_records:
        verdict = _("Kept while the person's contract, subscription or consent runs: its period counts from the end.")
    elif deletable is None and record.is_running:
        verdict = _("Kept while the contract or subscription runs: its period counts from its end.")
    elif deletable is None:
        verdict = _("Kept while its purpose lasts: the event its period counts from has not happened yet.")
    elif due:
        verdict = {
            Action.DELETE: _("Due: the next sweep deletes it."),
            Action.ANONYMISE: _("Due: the next sweep makes it anonymous."),
            Action.RESTRICT: _("Due: the next sweep restricts its processing."),
        }[rule.action]
    elif record.restriction_ground == RestrictionGround.RETENTION_DUTY:
        verdict = _("Its purpose has ended; kept, restricted, only for the retention duty until %(day)s.") % {
            "day": date_format(deletable - datetime.timedelta(days=1), "SHORT_DATE_FORMAT")
        }
    elif record.restricted_at:
        verdict = _("Processing restricted (%(ground)s); kept for its purpose; deletable from %(day)s.") % {
            "ground": record.get_restriction_ground_display(),
            **day,
        }
    else:
        verdict = _("Kept for its purpose; deletable from %(day)s.") % day
    activity = record.activity
    # The details name the basis themselves ("Art. 6(1)(b) GDPR; retention: …"): either, not both.
    basis = (activity.legal_basis_details or activity.get_legal_basis_display()) if activity else ""
    return WhyKept(
        activity=activity.name if activity else "—",
        legal_basis=basis or "—",
        category=record.category.name if record.category_id else "—",
        rule=rule,
        retention_start=start,
        deletable_from=deletable,
        holds=holds,
        restriction=record.get_restriction_ground_display() if record.restricted_at else "",
        verdict=str(verdict),
    )


def next_sweep_day(now: datetime.datetime | None = None) -> datetime.date:
    """The date the next nightly sweep sweeps as of (its local date): today before its time, else tomorrow. What
    a change releases is counted for that day: after midnight, a year-end rule's whole year falls due at once."""
    now = timezone.localtime(now)
    at = now.replace(
        hour=settings.RETENTION_SWEEP_HOUR, minute=settings.RETENTION_SWEEP_MINUTE, second=0, microsecond=0, fold=0
    )
    # As instants: on the nights the clocks change, wall-clock times compare wrongly (the repeated hour in October).
    before = now.astimezone(datetime.UTC) < at.astimezone(datetime.UTC)
    return now.date() if before else now.date() + datetime.timedelta(days=1)


def released_by_lifting(hold_ids, *, today: datetime.date | None = None) -> int:
    """How many records lifting the holds `hold_ids` makes due at once, for the next sweep to process: what the
    forecast counts as due without them, less what it counts now (another hold may still keep a record), and the
    erased people's identities they kept."""
    from .sweep import erased_subjects_waiting

    hold_ids = list(hold_ids)
    if not hold_ids:
        return 0
    today = today or timezone.localdate()
    # Records, and the identities of erased people the holds kept after their records had gone.
    return sum(
        sign * (_due_count(today, ignoring_holds=ignoring) + erased_subjects_waiting(today, ignoring=ignoring).count())
        for sign, ignoring in ((1, hold_ids), (-1, ()))
    )


def latest_due_start(rule: DeletionRule, today: datetime.date) -> datetime.date | None:
    """The latest start event whose data `rule` makes deletable by `today` (None: none yet).

    The first deletable day never falls as the start event moves later, so a binary search over the days
    finds it: about 16 steps.
    """
    low, high = datetime.date(1900, 1, 1).toordinal(), today.toordinal()
    if rule.deletable_from(datetime.date.fromordinal(low)) > today:
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if rule.deletable_from(datetime.date.fromordinal(middle)) <= today:
            low = middle
        else:
            high = middle - 1
    return datetime.date.fromordinal(low)


@dataclass(frozen=True)
class NewlyDue:
    """Records of one kind a changed rule makes due at once, and what the next sweep does to them."""

    model: type
    action: str
    count: int


def _due_under(rule: DeletionRule, model: type, today: datetime.date) -> Q:
    """The records of `model` that `rule` makes due by `today`, worked out from their start events now (the
    dates stored at the last registration may be a day old). Needs the alias `start_<rule's start event>`."""
    cutoff = latest_due_start(rule, today)
    start = f"start_{rule.start_event}"
    # IS NOT NULL spelt out: negated (exclude), a comparison with an empty start would be unknown and drop the row.
    due = Q(**{f"{start}__isnull": False, f"{start}__lte": cutoff}) if cutoff else Q(pk__in=[])
    if not rule.retention_duty:
        # Due the day after the purpose ended (registration.recompute).
        due |= Q(purpose_ended_on__isnull=False, purpose_ended_on__lt=today)
    return due


def newly_due(rule: DeletionRule, *, today: datetime.date | None = None) -> list[NewlyDue]:
    """What the next sweep would process at once after saving `rule` (changed, not yet saved) that it would not
    process under its category's active rule: records whose start event lies far enough back under the new period
    (or, without a retention duty, whose purpose has ended), not anonymous and not held on their person or
    themselves. With a new action, every record due counts (restricted ones too, unless it restricts again).

    A hold on the whole category is left out of the count: it only defers what the change makes due. Erased people
    kept only for records the change releases count too (the sweep anonymises their identity with them).
    A few queries, and one per kind of record.
    """
    from .sweep import effective_action, erased_subjects_waiting, not_held

    today = today or timezone.localdate()
    if not rule.is_active or not rule.category_id:
        return []
    current = rule_for_category(rule.category_id)
    found = []
    for model in record_models():
        records = model.objects.filter(category_id=rule.category_id, anonymised_at=None)
        for event in {rule.start_event, current.start_event} if current else {rule.start_event}:
            records = records.alias(**{f"start_{event}": model.retention_start_expression(event)})
        records = records.filter(_due_under(rule, model, today))
        if current is not None and current.action == rule.action:
            records = records.exclude(_due_under(current, model, today))
        if rule.action == Action.RESTRICT:
            records = records.filter(restricted_at=None)
        if count := not_held(records, today=today).count():
            found.append(NewlyDue(model, effective_action(rule.action, model), count))
    # Erased people kept only for records this change releases: the same sweep anonymises who they were.
    before, after = (_taken_by_the_sweep(r, today, category=rule.category_id) for r in (current, rule))
    if (
        people := erased_subjects_waiting(today, gone=after).count()
        - erased_subjects_waiting(today, gone=before).count()
    ):
        found.append(NewlyDue(DataSubject, Action.ANONYMISE, people))
    return found


def _taken_by_the_sweep(rule: DeletionRule | None, today: datetime.date, *, category: int):
    """`gone(kind)` for erased_subjects_waiting: the records the next sweep deletes or anonymises (a restriction
    keeps them), under `rule` in `category` (None: nothing there) and the active rules elsewhere."""
    from .sweep import not_held

    others = {c: r for c, r in _rules_not_held(today)[0].items() if c != category and r.action != Action.RESTRICT}

    def gone(model) -> Q:
        taken = _to_be_processed(model.objects.filter(_window("now", today)), others, today=today)
        found = Q(pk__in=taken.values("pk"))
        if rule is not None and rule.action != Action.RESTRICT:
            start = {f"start_{rule.start_event}": model.retention_start_expression(rule.start_event)}
            mine = model.objects.filter(category_id=rule.category_id, anonymised_at=None).alias(**start)
            found |= Q(pk__in=not_held(mine.filter(_due_under(rule, model, today)), today=today).values("pk"))
        return found

    return gone
