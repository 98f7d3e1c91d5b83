"""The retention sweep: one service for the `retention_sweep` command and the nightly Celery task.

For every active deletion rule and every kind of personal record it processes, in bounded batches,

* what is due (first deletable day reached) with the rule's action, and
* under a rule with a retention duty, what is not due yet but whose purpose ended: restricted
  (stored, excluded from processing, marked with RestrictionGround.RETENTION_DUTY).

Held data (legal hold on the subject, the record or the category) is never selected. Each batch
is one transaction: up to `batch_size` rows that are still due are claimed (on PostgreSQL locked
FOR UPDATE SKIP LOCKED, so two workers never take the same record), the action runs on exactly
the claimed rows, and the batch's protocol row, the run's counts and one audit entry are written. On
PostgreSQL a deletion or restriction batch is one statement (claim, action, protocol row;
see retention.protocol.act_and_protocol); anonymisation and SQLite mark the claim with a token. A crash loses at most the batch in progress, which rolls back whole and
stays due; what committed is no longer due, so the next run does nothing twice. A database error
rolls its batch back, is recorded on the run, and the sweep goes on with the next rule.
"""

import datetime
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action as AuditAction
from audit.services import Event, audit_record_many
from dpo_portal.models import DataCategory
from subjects.models import KEPT_FOR_THE_SUBJECT, DataSubject, PersonalRecord

from .actions import anonymise_subjects, apply_action
from .journal import journal_writable
from .models import Action, DeletionRule, LegalHold, SweepRun
from .models.protocol import DIGEST_SIZE
from .protocol import act_and_protocol, can_fast_delete, claim_rows, count_add, protocol_write
from .records import can_anonymise, record_models, without_live_dependants
from .registration import register_pending

logger = logging.getLogger(__name__)

# A dry run (a forecast) further ahead than this is a typing error, not a plan. A real run never looks ahead:
# as of a later day it would delete or anonymise records before they are due.
MAX_DAYS_AHEAD = 365
# The error a run records when the replay journal cannot be written (nothing is touched then).
JOURNAL_NOT_WRITABLE = "replay journal not writable"
# A run still "running" after this long was killed; the next sweep marks it interrupted.
STALE_AFTER = datetime.timedelta(hours=12)

AUDIT_ACTION = {
    Action.DELETE: AuditAction.DELETE,
    Action.ANONYMISE: AuditAction.ANONYMISE,
    Action.RESTRICT: AuditAction.RESTRICT,
}


@dataclass(frozen=True)
class Step:
    """One rule, one kind of record, one action: a set of rows and what happens to them."""

    rule: DeletionRule
    model: type[PersonalRecord]
    action: str
    queryset: models.QuerySet

    @property
    def model_label(self) -> str:
        return self.model._meta.label


def effective_action(action: str, model: type[PersonalRecord]) -> str:
    """A record that cannot be made anonymous (a required link to another person's record) is deleted."""
    return Action.DELETE if action == Action.ANONYMISE and not can_anonymise(model) else action


def protecting_holds(today: datetime.date, *, ignoring=()) -> models.QuerySet:
    """The holds that keep records from a sweep as of `today`: those in force that day and, for a day in the past,
    those in force now too (a hold placed since protects what it holds). `ignoring`: ids to count as lifted."""
    holds = LegalHold.objects.active(today)
    now = timezone.localdate()
    if today < now:
        holds = holds | LegalHold.objects.active(now)
    return holds.exclude(pk__in=ignoring)


def not_held(qs: models.QuerySet, *, today: datetime.date, ignoring=()) -> models.QuerySet:
    """Excludes records under an active legal hold on their data subject or on themselves, and records the
    data subject had restricted to keep them (KEPT_FOR_THE_SUBJECT). `ignoring`: ids of holds to count as lifted."""
    holds = protecting_holds(today, ignoring=ignoring)
    content_type = ContentType.objects.get_for_model(qs.model)
    return qs.exclude(restriction_ground__in=KEPT_FOR_THE_SUBJECT).filter(
        ~Exists(holds.filter(subject_id=OuterRef("subject_id"))),
        ~Exists(holds.filter(content_type=content_type, object_id=OuterRef("pk"))),
    )


def held_category_ids(today: datetime.date, *, ignoring=()) -> set[int]:
    holds = protecting_holds(today, ignoring=ignoring)
    return set(holds.filter(category__isnull=False).values_list("category_id", flat=True))


def candidate_categories(today: datetime.date, category_ids) -> dict[type[PersonalRecord], set[int]]:
    """Per kind of record, which of `category_ids` have anything to do at all: two queries per kind, one
    index probe per category (a DISTINCT over the records would read every row of the table)."""
    found = {}
    for model in record_models():
        pending = model.objects.filter(category_id=OuterRef("pk"), anonymised_at=None)
        due = pending.filter(deletable_from__lte=today)
        ended = pending.filter(purpose_ended_on__lte=today, restricted_at=None)
        categories = DataCategory.objects.filter(pk__in=category_ids).order_by().values_list("pk", flat=True)
        # Two queries, not one with OR: PostgreSQL would plan the OR as a scan of every record.
        found[model] = set(categories.filter(Exists(due))) | set(categories.filter(Exists(ended)))
    return found


def steps_for(rule: DeletionRule, *, today: datetime.date, candidates=None, gone=None) -> Iterator[Step]:
    """What the sweep does under `rule` on `today` (the category must not be held).

    `gone(kind)`: a Q of the records of that kind earlier steps of this run delete (dry runs only).
    """
    for model in record_models():
        if candidates is not None and rule.category_id not in candidates.get(model, ()):
            continue
        base = not_held(model.objects.filter(category_id=rule.category_id, anonymised_at=None), today=today)
        due = without_live_dependants(base.filter(deletable_from__lte=today), gone=gone)
        if rule.action == Action.RESTRICT:
            due = due.filter(restricted_at=None)
        # Oldest first, in the order of the partial index that finds them: a batch reads that index, and
        # the probe that finds nothing left is instant (unordered, PostgreSQL scans the table for it).
        yield Step(rule, model, effective_action(rule.action, model), due.order_by("deletable_from"))
        if rule.retention_duty:
            ended = base.filter(purpose_ended_on__lte=today, restricted_at=None).filter(
                Q(deletable_from=None) | Q(deletable_from__gt=today)
            )
            yield Step(rule, model, Action.RESTRICT, ended.order_by("purpose_ended_on"))


def check_sweep_date(today: datetime.date, *, dry_run: bool = False) -> None:
    """Refuses (ValidationError) any run more than MAX_DAYS_AHEAD days ahead and, outside the embedded demo, a real
    run as of any day after today: it would delete data before it is due. In the demo and in tests a real run
    ahead is how data comes due without moving the clock (CONTRACT.md's `retention_sweep --today`)."""
    now = timezone.localdate()
    if not dry_run and today > now and not settings.DEMO_MODE:
        raise ValidationError(
            _(
                "A sweep as of %(day)s, a day after today (%(today)s), is refused: it would delete data before it is "
                "due. Only a dry run may look ahead."
            )
            % {"day": today.isoformat(), "today": now.isoformat()}
        )
    limit = now + datetime.timedelta(days=MAX_DAYS_AHEAD)
    if today > limit:
        raise ValidationError(
            _("A sweep more than %(days)s days ahead (after %(limit)s) is refused: that far ahead is a typing error.")
            % {"days": MAX_DAYS_AHEAD, "limit": limit.isoformat()}
        )


def one_statement(step: Step) -> bool:
    """Whether the step's action is one SQL statement: a restriction, or a deletion without cascades or signals."""
    return step.action == Action.RESTRICT or (step.action == Action.DELETE and can_fast_delete(step.model))


def process_batch(run: SweepRun, step: Step, *, batch_size: int) -> int:
    """Claims and processes one batch of `step`; returns how many records (0: nothing left)."""
    token = uuid.uuid4()
    now = timezone.now()
    model = step.model
    with transaction.atomic():
        # The claim: a conditional DELETE or UPDATE of rows that are still due when it runs. On
        # PostgreSQL the rows are locked, skipping rows a concurrent sweep holds; SQLite serialises
        # writers.
        candidates = step.queryset.select_for_update(skip_locked=True)
        if connection.vendor == "postgresql" and one_statement(step):
            # Claim, action and protocol row in one statement: no row travels to Python.
            digests = act_and_protocol(
                run, candidates, batch_size=batch_size, rule=step.rule, action=step.action, at=now
            )
            if not digests:
                return 0
            protocol_write(
                run, model_label=step.model_label, rule=step.rule, action=step.action, at=now, digests=digests
            )
            done = len(digests) // DIGEST_SIZE
        elif not claim_rows(candidates, batch_size=batch_size, token=token):
            return 0
        else:
            claimed = model.objects.filter(retention_claim=token)
            pks = list(claimed.values_list("pk", flat=True))
            apply_action(step.action, claimed, now=now)
            protocol_write(run, model_label=step.model_label, pks=pks, rule=step.rule, action=step.action, at=now)
            done = len(pks)
        # One summary entry per batch: the kind, the rule, the action and how many; never values.
        audit_record_many(
            [
                Event(
                    action=AUDIT_ACTION[step.action],
                    object_type=model._meta.label_lower,
                    detail=f"retention sweep run {run.pk}: rule {step.rule.code}, {done} records",
                )
            ]
        )
    return done


def _run_step(run: SweepRun, step: Step, *, batch_size: int, dry_run: bool) -> None:
    if dry_run:
        n = step.queryset.count()
        if n:
            count_add(run, rule=step.rule, model_label=step.model_label, action=step.action, n=n)
        return
    while process_batch(run, step, batch_size=batch_size):
        pass


def erased_subjects_waiting(today: datetime.date, *, gone=None, ignoring=()) -> models.QuerySet:
    """Erased data subjects kept (restricted) for records that are gone now, and not held.

    `gone(kind)`: a Q of the records of that kind earlier steps of this run take (dry runs only). `ignoring`: ids
    of holds to count as lifted.
    """
    qs = DataSubject.objects.filter(erased_at__isnull=False, restricted_at__isnull=False)
    # A request file keeps its own copy of the requester's details: it does not hold the identity back.
    for model in record_models(rights_only=True):
        records = model.objects.filter(subject_id=OuterRef("pk"))
        if gone is not None:
            records = records.exclude(gone(model))
        qs = qs.filter(~Exists(records))
    holds = protecting_holds(today, ignoring=ignoring)
    return qs.filter(~Exists(holds.filter(subject_id=OuterRef("pk"))))


def finish_erased_subjects(run: SweepRun, *, today: datetime.date, batch_size: int, dry_run: bool, gone=None) -> None:
    """Anonymises the identity of erased subjects once their last kept record is gone (Art. 17)."""
    label = DataSubject._meta.label
    if dry_run:
        if n := erased_subjects_waiting(today, gone=gone).count():
            count_add(run, rule=None, model_label=label, action=Action.ANONYMISE, n=n)
        return
    if not DataSubject.objects.filter(erased_at__isnull=False, restricted_at__isnull=False).exists():
        return  # the usual night: spares a query over every kind of record
    while True:
        with transaction.atomic():
            waiting = erased_subjects_waiting(today).order_by("pk").select_for_update(skip_locked=True)
            pks = list(waiting.values_list("pk", flat=True)[:batch_size])
            if not pks:
                return
            anonymise_subjects(DataSubject.objects.filter(pk__in=pks))
            protocol_write(run, model_label=label, pks=pks, rule=None, action=Action.ANONYMISE, at=timezone.now())
            audit_record_many(
                [
                    Event(
                        action=AuditAction.ANONYMISE,
                        object_type=label.lower(),
                        detail=f"retention sweep run {run.pk}: {len(pks)} erased data subjects",
                    )
                ]
            )


def sweep_run(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> SweepRun:
    """One retention sweep (see the module docstring). Returns the run with its counts and errors.

    `today` defaults to the local date; a day after it (a dry run: more than a year after it), or a batch size
    below 1, is refused (ValidationError). Nothing is touched when the replay journal cannot be written (the run fails).
    With `dry_run`, records are registered (bookkeeping only, so the counts are exact) and counted;
    nothing is deleted, anonymised or restricted, and nothing is written to the protocol.
    """
    from django.conf import settings

    today = today or timezone.localdate()
    check_sweep_date(today, dry_run=dry_run)
    if batch_size is not None and batch_size < 1:
        raise ValidationError(_("The batch size must be at least 1 (got %(n)s).") % {"n": batch_size})
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    SweepRun.objects.filter(status=SweepRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER).update(
        status=SweepRun.Status.INTERRUPTED
    )
    run = SweepRun.objects.create(today=today, dry_run=dry_run)
    if not dry_run and not journal_writable():
        # Checked before anything is deleted: a deletion missing from the journal would come back with a restore.
        run.errors.append({"error": JOURNAL_NOT_WRITABLE})
        logger.error("retention sweep %s: replay journal directory not writable", run.pk)
        return run.finish()
    run.registered = register_pending(batch_size=batch_size, today=today)
    run.save(update_fields=["registered"])
    taken = _sweep_rules(run, today=today, batch_size=batch_size, dry_run=dry_run, log=log)
    if taken is not None:
        try:
            finish_erased_subjects(
                run, today=today, batch_size=batch_size, dry_run=dry_run, gone=taken if dry_run else None
            )
        except DatabaseError as exc:
            run.errors.append(
                {"model": DataSubject._meta.label, "action": Action.ANONYMISE, "error": type(exc).__name__}
            )
        except OSError as exc:
            run.errors.append(_journal_error(run, DataSubject._meta.label, Action.ANONYMISE, exc))
    return run.finish()


def _journal_error(run: SweepRun, model_label: str, action: str, exc: OSError) -> dict:
    # The batch committed and is in the protocol; only its journal line is missing.
    error = {"model": model_label, "action": action, "error": type(exc).__name__, "journal": "not written"}
    logger.error("retention sweep %s: %s", run.pk, error)
    return error


def _sweep_rules(
    run: SweepRun, *, today: datetime.date, batch_size: int, dry_run: bool, log: Callable[[str], None]
) -> Callable[[type], Q] | None:
    """Every step of every active rule. Returns, per kind, what the steps took (for the dry run's count of
    erased subjects), or None when the run had to stop (the journal failed)."""
    held = held_category_ids(today)
    rules = list(DeletionRule.objects.active().select_related("category").order_by("code"))
    candidates = candidate_categories(today, [r.category_id for r in rules])
    # A dry run deletes nothing, so it remembers what each step would take: a record that waits only
    # for dependants deleted earlier, or an erased subject whose last records go, is counted as the
    # real run, which has taken them, processes it.
    deleted_by_earlier_steps: dict[type, Q] = {}
    taken_by_earlier_steps: dict[type, Q] = {}  # deleted or anonymised: no longer the subject's

    def gone(model: type) -> Q:
        return deleted_by_earlier_steps.get(model, Q(pk__in=[]))

    def taken(model: type) -> Q:
        return taken_by_earlier_steps.get(model, Q(pk__in=[]))

    for rule in rules:
        if rule.category_id in held:
            log(_("%(rule)s: category under a legal hold, skipped") % {"rule": rule.code})
            continue
        for step in steps_for(rule, today=today, candidates=candidates, gone=gone if dry_run else None):
            if dry_run and step.action != Action.RESTRICT:
                this_step = Q(pk__in=step.queryset.values("pk"))
                taken_by_earlier_steps[step.model] = taken(step.model) | this_step
                if step.action == Action.DELETE:
                    deleted_by_earlier_steps[step.model] = gone(step.model) | this_step
            try:
                _run_step(run, step, batch_size=batch_size, dry_run=dry_run)
            except DatabaseError as exc:
                # The batch rolled back. Only the kind of error is kept: messages can quote values.
                error = {
                    "rule": rule.code,
                    "model": step.model_label,
                    "action": step.action,
                    "error": type(exc).__name__,
                }
                run.errors.append(error)
                logger.error("retention sweep %s: %s", run.pk, error)
            except OSError as exc:
                # Written on commit: stop, or every further batch would be missing from the journal too.
                run.errors.append({"rule": rule.code, **_journal_error(run, step.model_label, step.action, exc)})
                return None
    return taken
