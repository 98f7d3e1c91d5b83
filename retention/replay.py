"""Replaying the deletion protocol after a backup restore.

A restored backup brings back what was deleted or anonymised after it was taken. The journal
(retention.journal, outside the database) and whatever protocol batches the restored database
still has name those records only by kind and salted id hash, so the replay hashes the ids of
each kind's rows, in bounded chunks, and re-applies the recorded action to the rows that match.
Holds are not consulted: the recorded deletions already happened. Idempotent: a row that is
gone or already anonymised is not found again.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from .actions import anonymise_subjects, apply_action
from .journal import journal_read
from .models import Action, DeletionRule, ProtocolBatch, SweepRun
from .models.protocol import record_hash, split_digests
from .protocol import protocol_write

SCAN_CHUNK = 10_000


def _wanted(since: datetime.date, directory: Path | None) -> dict[str, dict[str, tuple[str, str]]]:
    """model label -> id hash -> (action, rule code), from the journal and the database's protocol."""
    wanted: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for entry in journal_read(since=since, directory=directory):
        wanted[entry["model"]][entry["id_hash"]] = (entry["action"], entry.get("rule", ""))
    in_db = ProtocolBatch.objects.filter(at__date__gte=since).exclude(run__kind=SweepRun.Kind.REPLAY)
    batches = in_db.values_list("model_label", "id_hashes", "action", "rule__code")
    for label, digests, action, code in batches.iterator(chunk_size=100):
        for id_hash in split_digests(digests):
            wanted[label].setdefault(id_hash, (action, code or ""))
    return wanted


def _matches(model, hashes: dict[str, tuple[str, str]]):
    """Yields (pk, action, rule code) of the rows of `model` whose id hash is wanted, scanning by keyset."""
    label = model._meta.label
    last = None
    while True:
        qs = model._default_manager.order_by("pk").values_list("pk", flat=True)
        if last is not None:
            qs = qs.filter(pk__gt=last)
        chunk = list(qs[:SCAN_CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        for pk in chunk:
            found = hashes.get(record_hash(label, pk))
            if found:
                yield pk, *found


def replay_since(
    *, since: datetime.date, directory: Path | None = None, log: Callable[[str], None] = lambda msg: None
) -> SweepRun:
    """Re-applies every deletion and anonymisation recorded since `since`; returns the replay run."""
    run = SweepRun.objects.create(kind=SweepRun.Kind.REPLAY, today=timezone.localdate())
    rules = {r.code: r for r in DeletionRule.objects.all()}
    for label, hashes in _wanted(since, directory).items():
        try:
            model = apps.get_model(label)
        except LookupError:
            run.errors.append({"model": label, "error": "unknown model"})
            continue
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for pk, action, code in _matches(model, hashes):
            groups[(action, code)].append(pk)
        for (action, code), pks in groups.items():
            for start in range(0, len(pks), 1000):
                _replay_batch(run, model, pks[start : start + 1000], action=action, rule=rules.get(code))
            log(f"{label} {action}: {len(pks)}")
    run.status = SweepRun.Status.FAILED if run.errors else SweepRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "errors"])
    return run


@transaction.atomic
def _replay_batch(run: SweepRun, model, pks: list, *, action: str, rule: DeletionRule | None) -> None:
    now = timezone.now()
    if model._meta.label == "subjects.DataSubject":
        anonymise_subjects(model.objects.filter(pk__in=pks))
        protocol_write(run, model_label=model._meta.label, pks=pks, rule=None, action=Action.ANONYMISE, at=now)
        return
    token = uuid.uuid4()
    model.objects.filter(pk__in=pks, anonymised_at=None).update(retention_claim=token)
    claimed = model.objects.filter(retention_claim=token)
    done = list(claimed.values_list("pk", flat=True))
    performed = apply_action(action, claimed, now=now)
    protocol_write(run, model_label=model._meta.label, pks=done, rule=rule, action=performed, at=now)
