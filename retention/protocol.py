"""Writing the deletion protocol: entries, counts and the replay journal, inside the caller's transaction."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from .journal import journal_append
from .models import DeletionRule, ProtocolEntry, SweepRun, SweepRunCount
from .models.protocol import record_hash


def count_add(run: SweepRun, *, rule: DeletionRule | None, model_label: str, action: str, n: int) -> None:
    row, _created = SweepRunCount.objects.get_or_create(run=run, rule=rule, model_label=model_label, action=action)
    SweepRunCount.objects.filter(pk=row.pk).update(count=F("count") + n)


def protocol_write(
    run: SweepRun,
    *,
    model_label: str,
    pks: Sequence,
    rule: DeletionRule | None,
    action: str,
    at: datetime.datetime,
) -> None:
    """One entry per processed record (kind, salted id hash, rule, action, time), the run's count, and on
    commit the same lines in the replay journal. No personal data anywhere."""
    if not pks:
        return
    reference = rule.legal_reference[:300] if rule else ""
    entries = [
        ProtocolEntry(
            run=run,
            at=at,
            model_label=model_label,
            id_hash=record_hash(model_label, pk),
            rule=rule,
            legal_reference=reference,
            action=action,
        )
        for pk in pks
    ]
    ProtocolEntry.objects.bulk_create(entries, batch_size=1000)
    count_add(run, rule=rule, model_label=model_label, action=action, n=len(pks))
    lines = [
        {
            "at": at.isoformat(),
            "run": run.pk,
            "model": model_label,
            "id_hash": e.id_hash,
            "action": action,
            "rule": rule.code if rule else "",
        }
        for e in entries
    ]
    transaction.on_commit(lambda: journal_append(lines))
