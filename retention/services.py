"""Writes of the retention engine: rules, legal holds, erasure (Art. 17) and end of purpose.

The sweep itself lives in `retention.sweep` (`sweep_run`), the replay after a backup restore in
`retention.replay` (`replay_since`).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.context import current_actor
from audit.services import Action as AuditAction
from audit.services import audit_record, audit_record_many, event_for
from dpo_portal.models import DataCategory, ProcessingActivity
from subjects.models import DataSubject, PersonalRecord, RestrictionGround

from .actions import IDENTITY_BLANKS, anonymise_claimed, delete_claimed, restrict_claimed
from .models import Action, DeletionRule, DeletionRuleVersion, HoldReason, LegalHold, SweepRun
from .models.rules import TIMING_FIELDS, VERSIONED_FIELDS
from .protocol import protocol_write
from .records import record_models, without_live_dependants
from .registration import recompute, recompute_for_rule
from .selectors import active_rules_by_category
from .sweep import AUDIT_ACTION, effective_action, held_category_ids, not_held

# --- rules -------------------------------------------------------------------------------------


def timing_changes(previous: DeletionRule | None, rule: DeletionRule) -> list[str]:
    """The TIMING_FIELDS in which `rule` differs from its saved version `previous` (all of them for a new rule)."""
    return [f for f in TIMING_FIELDS if previous is None or getattr(previous, f) != getattr(rule, f)]


@transaction.atomic
def rule_save(*, rule: DeletionRule, actor=None, refresh_register: bool = True) -> DeletionRule:
    """Validates and saves a new or changed deletion rule.

    When its timing changed (period, start event, year end, category, active), the first
    deletable day of every record of the category is recomputed at once, set-based; a rule
    shortened from 10 to 8 years makes the affected records due in the next sweep. The register's
    Art. 30(1)(f) text is refreshed. Raises ValidationError for a bad rule (negative or absurd
    period, a second active rule for the category).
    """
    previous = DeletionRule.objects.filter(pk=rule.pk).first() if rule.pk else None
    rule.full_clean()
    rule.save()
    changed = timing_changes(previous, rule)
    if previous is None or any(getattr(previous, f) != getattr(rule, f) for f in VERSIONED_FIELDS):
        # History for the certificate: the period a record was processed under, after later changes.
        who = (actor or current_actor()).name
        DeletionRuleVersion.of(rule, valid_from=timezone.now(), changed_by=who).save()
    if changed:
        if previous is not None and previous.category_id != rule.category_id:
            _recompute_category(previous.category_id)
        _recompute_category(rule.category_id)
    if refresh_register:
        register_retention_texts_refresh()
    fields = [f.removesuffix("_id") for f in changed] if previous else []
    audit_record(rule, AuditAction.CHANGE if previous else AuditAction.CREATE, fields=fields, actor=actor)
    return rule


def _recompute_category(category_id: int) -> None:
    rule = DeletionRule.objects.active().filter(category_id=category_id).first()
    if rule is not None:
        recompute_for_rule(rule)
    else:
        for model in record_models():
            records = model.objects.filter(category_id=category_id)
            if records.exists():
                recompute(records, None)


@transaction.atomic
def register_retention_texts_refresh() -> int:
    """Writes the deletion rules into the register (Art. 30(1)(f)) of every activity, in German and English."""
    rules = active_rules_by_category()
    activities = list(ProcessingActivity.objects.prefetch_related("data_categories"))
    for activity in activities:
        used = [rules[c.pk] for c in activity.data_categories.all() if c.pk in rules]
        activity.retention_de = "\n".join(r.register_line("de") for r in used)
        activity.retention_en = "\n".join(r.register_line("en") for r in used)
    ProcessingActivity.objects.bulk_update(activities, ["retention_de", "retention_en"])
    return len(activities)


# --- legal holds -------------------------------------------------------------------------------


@transaction.atomic
def hold_place(
    *,
    reason: str,
    subject: DataSubject | None = None,
    record: PersonalRecord | None = None,
    category: DataCategory | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    actor=None,
) -> LegalHold:
    """Places a legal hold on one data subject, one record or one category. Nothing it covers is touched
    by a sweep while it is in force. Raises ValidationError without a reason or with more than one target."""
    hold = LegalHold(
        reason=reason,
        subject=subject,
        category=category,
        content_type=ContentType.objects.get_for_model(record) if record is not None else None,
        object_id=record.pk if record is not None else None,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        reference=reference,
        note=note,
    )
    hold.full_clean()
    hold.save()
    audit_record(hold, AuditAction.CREATE, fields=["reason", "starts_on", "ends_on"], actor=actor)
    return hold


@transaction.atomic
def hold_lift(*, hold: LegalHold, on: datetime.date | None = None, actor=None) -> LegalHold:
    """Lifts a hold: what was due under it is due again in the next sweep (nothing to recompute)."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    hold.lift(on=on)
    hold.save(update_fields=list(LegalHold.LIFT_FIELDS))
    audit_record(hold, AuditAction.CHANGE, fields=list(LegalHold.LIFT_FIELDS), actor=actor)
    return hold


@transaction.atomic
def hold_change(*, hold: LegalHold, fields: list[str], actor=None) -> LegalHold:
    """Saves a change to a hold's end, reference or note (its target and reason are history), and audits
    which fields changed: an earlier end lifts the hold as surely as `hold_lift`. Only `fields` are written, on
    the locked row: a form opened before someone lifted the hold must not undo the lift."""
    current = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if current.lifted_at is not None and "ends_on" in fields:
        raise ValidationError({"ends_on": _("This hold has been lifted; its end can no longer change.")})
    editable = [f for f in fields if f in ("ends_on", "reference", "note")]
    for name in editable:
        setattr(current, name, getattr(hold, name))
    current.full_clean()
    current.save(update_fields=editable)
    if editable:
        audit_record(current, AuditAction.CHANGE, fields=editable, actor=actor)
    return current


# --- end of purpose ----------------------------------------------------------------------------


def _restrict_kept_by_duty(model, qs, *, today: datetime.date, now, rules) -> list[int]:
    """Restricts the records of `qs` a retention duty keeps beyond their purpose (not yet due, not held)."""
    duty_categories = [c for c, r in rules.items() if r.retention_duty]
    keep = (
        not_held(qs, today=today)
        .exclude(category_id__in=held_category_ids(today))
        .filter(
            Q(deletable_from=None) | Q(deletable_from__gt=today),
            category_id__in=duty_categories,
            restricted_at=None,
            purpose_ended_on__lte=today,
        )
    )
    pks = list(keep.values_list("pk", flat=True))
    if pks:
        restrict_claimed(model.objects.filter(pk__in=pks), now=now)
    return pks


@transaction.atomic
def purpose_end(*, subject: DataSubject, activity_codes: list[str], ended_on: datetime.date | None = None) -> int:
    """The purpose of the subject's records in these processing activities ended (consent withdrawn,
    objection upheld). Their end-of-purpose date is set (an earlier one stays) and their first
    deletable day recomputed; what a retention duty keeps is restricted at once, what is due goes
    in the next sweep. Returns how many records' purpose ended."""
    today = timezone.localdate()
    ended_on = ended_on or today
    now = timezone.now()
    rules = active_rules_by_category()
    count = 0
    events = []
    for model in record_models(rights_only=True):
        qs = model.objects.filter(subject=subject, activity__code__in=activity_codes, anonymised_at=None).filter(
            Q(purpose_ended_on=None) | Q(purpose_ended_on__gt=ended_on)
        )
        rows = list(qs.values_list("pk", "category_id"))
        if not rows:
            continue
        pks = [pk for pk, _c in rows]
        model.objects.filter(pk__in=pks).update(purpose_ended_on=ended_on)
        for category_id in {c for _pk, c in rows}:
            recompute(model.objects.filter(pk__in=pks, category_id=category_id), rules.get(category_id))
        restricted = set(
            _restrict_kept_by_duty(model, model.objects.filter(pk__in=pks), today=today, now=now, rules=rules)
        )
        for pk in pks:
            fields = ["purpose_ended_on", "deletable_from"] + (["restricted_at"] if pk in restricted else [])
            events.append(_event(model, pk, subject.pk, AuditAction.CHANGE, fields))
        count += len(pks)
    audit_record_many(events)
    return count


@transaction.atomic
def subject_duty_restrict(*, subject: DataSubject) -> int:
    """Restricts at once what a retention duty keeps of `subject` beyond its purpose and is not restricted: after
    an Art. 18 restriction that had taken over such records is lifted, they must not be processable until the
    next sweep. Returns how many records."""
    today, now, rules = timezone.localdate(), timezone.now(), active_rules_by_category()
    events = []
    for model in record_models(rights_only=True):
        records = model.objects.filter(subject=subject, restricted_at=None)
        for pk in _restrict_kept_by_duty(model, records, today=today, now=now, rules=rules):
            events.append(_event(model, pk, subject.pk, AuditAction.RESTRICT, ["restricted_at"]))
    audit_record_many(events)
    return len(events)


def _event(model, pk, subject_id, action, fields=()):
    record = model(pk=pk, subject_id=subject_id)
    return event_for(record, action, fields=fields)


# --- erasure (Art. 17) -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptItem:
    """Records of one kind kept on one ground until one date: a line of the answer to the data subject."""

    record_label: str
    category: str
    legal_reference: str
    kept_until: datetime.date | None  # last day kept; None: until the legal hold is lifted
    count: int = 1


@dataclass
class ErasureOutcome:
    deleted: dict[str, int] = field(default_factory=dict)  # model label -> count
    anonymised: dict[str, int] = field(default_factory=dict)
    kept: list[KeptItem] = field(default_factory=list)
    subject_anonymised: bool = False


def _erasure_order(models_: list) -> list:
    # Records that others depend on (an event registration and its health data) come last.
    from .records import dependants

    return sorted(models_, key=lambda m: len(dependants(m)))


@transaction.atomic
def subject_erase(*, subject: DataSubject, today: datetime.date | None = None) -> ErasureOutcome:
    """Art. 17 erasure of one data subject.

    Deletes (or anonymises, where the rule says so) every record that neither a statutory
    retention duty nor a legal hold keeps; restricts the rest (RestrictionGround.RETENTION_DUTY or
    LEGAL_HOLD) until their period ends. The subject's identity is anonymised when no kept record
    needs it, otherwise the subject is restricted (the sweep anonymises it once the last kept record
    is gone). Sets `subject.erased_at`. Every deletion and anonymisation is in the deletion protocol
    (a run of kind "erasure"). Returns what was deleted, anonymised and kept (with ground and date),
    for the answer to the data subject.
    """
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    today = today or timezone.localdate()
    now = timezone.now()
    rules = active_rules_by_category()
    held_categories = held_category_ids(today)
    holds = LegalHold.objects.active(today)
    subject_hold = holds.filter(subject=subject).first()
    run = SweepRun.objects.create(kind=SweepRun.Kind.ERASURE, today=today, started_at=now)
    outcome = ErasureOutcome()
    kept: Counter = Counter()
    events = []
    with translation.override(subject.language or "de"):
        # Not the request files: they prove how the request was handled (Art. 5(2), 17(3)(e) GDPR).
        for model in _erasure_order(record_models(rights_only=True)):
            records = model.objects.filter(subject=subject, anonymised_at=None)
            # Erasure requested: the purpose ends, and so does the customer relationship.
            records.filter(purpose_ended_on=None).update(purpose_ended_on=today)
            # Every contract and subscription ends with it too (an order's booking period counts from its end).
            records.filter(contract_end=None).update(contract_end=today)
            for category_id in set(records.values_list("category_id", flat=True)):
                recompute(records.filter(category_id=category_id), rules.get(category_id))
            content_type = ContentType.objects.get_for_model(model)
            held_pks = set(holds.filter(content_type=content_type).values_list("object_id", flat=True))
            erase: dict[tuple[DeletionRule | None, str], list[int]] = defaultdict(list)
            restrict: dict[str, list[int]] = defaultdict(list)
            rows = list(records.values_list("pk", "category_id", "deletable_from"))
            # The categories without a rule and the holds that apply, read once for all rows, not per row.
            unruled = DataCategory.objects.in_bulk({c for _, c, _ in rows if c not in rules})
            hold_of = {
                (hold.category_id, None) if hold.category_id else (None, hold.object_id): hold
                for hold in holds.filter(
                    Q(category_id__in={c for _, c, _ in rows} & held_categories)
                    | Q(content_type=content_type, object_id__in=held_pks)
                ).order_by("-pk")
            }
            for pk, category_id, deletable in rows:
                rule = rules.get(category_id)
                category = rule.category if rule else unruled[category_id]
                if subject_hold or category_id in held_categories or pk in held_pks:
                    hold = subject_hold or hold_of.get((category_id, None)) or hold_of[(None, pk)]
                    restrict[RestrictionGround.LEGAL_HOLD].append(pk)
                    kept[(model._meta.verbose_name, category.name, HoldReason(hold.reason).label, None)] += 1
                elif rule and rule.retention_duty and (deletable is None or deletable > today):
                    # Under a duty, a period that has not started yet (no start date) is one that has not ended.
                    restrict[RestrictionGround.RETENTION_DUTY].append(pk)
                    until = deletable - datetime.timedelta(days=1) if deletable else None
                    reference = rule.reference_in(subject.language)
                    kept[(model._meta.verbose_name, category.name, reference, until)] += 1
                else:
                    wanted = Action.ANONYMISE if rule and rule.action == Action.ANONYMISE else Action.DELETE
                    erase[(rule, effective_action(wanted, model))].append(pk)
            for ground, pks in restrict.items():
                restrict_claimed(model.objects.filter(pk__in=pks), now=now, ground=ground)
                events += [_event(model, pk, subject.pk, AuditAction.RESTRICT, ["restricted_at"]) for pk in pks]
            for (rule, action), pks in erase.items():
                qs = model.objects.filter(pk__in=pks)
                waiting = set(pks) - set(without_live_dependants(qs).values_list("pk", flat=True))
                if waiting:  # others still depend on them: kept while those are
                    restrict_claimed(model.objects.filter(pk__in=waiting), now=now)
                    reference = rule.reference_in(subject.language) if rule else ""
                    kept[(model._meta.verbose_name, rule.category.name if rule else "", reference, None)] += len(
                        waiting
                    )
                    pks = [pk for pk in pks if pk not in waiting]
                    qs = model.objects.filter(pk__in=pks)
                if not pks:
                    continue
                events += [_event(model, pk, subject.pk, AUDIT_ACTION[action]) for pk in pks]
                if action == Action.ANONYMISE:
                    anonymise_claimed(qs, now=now)
                    target = outcome.anonymised
                else:
                    delete_claimed(qs)
                    target = outcome.deleted
                target[model._meta.label] = target.get(model._meta.label, 0) + len(pks)
                protocol_write(run, model_label=model._meta.label, pks=pks, rule=rule, action=action, at=now)
        if subject_hold and not kept:
            # A hold on the person keeps who they are, also when no record of theirs is left (the sweep lifts it with
            # the hold: erased_subjects_waiting).
            identity = DataCategory.objects.filter(code="identity").first()
            reason = HoldReason(subject_hold.reason).label
            kept[(DataSubject._meta.verbose_name, identity.name if identity else "", reason, None)] += 1
        outcome.kept = [
            KeptItem(record_label=str(label), category=str(cat), legal_reference=str(ref), kept_until=until, count=n)
            for (label, cat, ref, until), n in sorted(kept.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))
        ]
    subject.erased_at = now
    if kept:
        subject.restricted_at = now
        subject.restriction_ground = RestrictionGround.LEGAL_HOLD if subject_hold else RestrictionGround.RETENTION_DUTY
        events.append(event_for(subject, AuditAction.RESTRICT, fields=["restricted_at", "erased_at"]))
    else:
        for name, blank in IDENTITY_BLANKS.items():
            setattr(subject, name, blank)
        subject.restricted_at = None
        subject.restriction_ground = ""
        outcome.subject_anonymised = True
        events.append(event_for(subject, AuditAction.ANONYMISE, fields=[*IDENTITY_BLANKS, "erased_at"]))
    subject.save()
    if outcome.subject_anonymised:
        # In the protocol like the sweep's anonymisation of erased subjects: a replay after a restore blanks
        # the identity again, and the certificate counts it.
        protocol_write(
            run, model_label=DataSubject._meta.label, pks=[subject.pk], rule=None, action=Action.ANONYMISE, at=now
        )
    run.finish()
    audit_record_many(events)
    return outcome
