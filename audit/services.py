"""Writing to the audit trail. Every entry is chained to the one before it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .context import Actor, current_actor
from .models import GENESIS_HASH, HEAD_RECOVERED, AuditChainHead, AuditEntry

Action = AuditEntry.Action


@dataclass
class Event:
    """One thing to record. `fields` are field names, never values."""

    action: str
    object_type: str = ""
    object_id: str = ""
    subject_id: int | None = None
    fields: Sequence[str] = field(default_factory=list)
    detail: str = ""


def event_for(obj: models.Model | None, action: str, *, fields: Iterable[str] = (), detail: str = "") -> Event:
    """An event about a model instance; finds its data subject via `audit_subject_id` or `subject_id`."""
    if obj is None:
        return Event(action=action, fields=list(fields), detail=detail)
    subject_id = getattr(obj, "audit_subject_id", None)
    if subject_id is None:
        subject_id = getattr(obj, "subject_id", None)
    return Event(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        subject_id=subject_id,
        fields=sorted(fields),
        detail=detail[:300],
    )


@transaction.atomic
def audit_record_many(events: Sequence[Event], *, actor: Actor | None = None) -> list[AuditEntry]:
    """Appends `events` to the chain in one locked step (one UPDATE claims the sequence numbers)."""
    if not events:
        return []
    actor = actor or current_actor()
    # The UPDATE comes first: it takes the row lock (PostgreSQL) or the write lock (SQLite),
    # so concurrent writers queue here instead of forking the chain.
    if not AuditChainHead.objects.filter(pk=1).update(seq=F("seq") + len(events)):
        # The head row is made by a migration; a flushed test database (or a restore) may lack it.
        _head_recover()
        AuditChainHead.objects.filter(pk=1).update(seq=F("seq") + len(events))
    head = AuditChainHead.objects.get(pk=1)
    prev_hash = head.last_hash
    seq = head.seq - len(events)
    now = timezone.now()
    entries = []
    for event in events:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=now,
            actor_id=actor.id,
            actor_name=actor.name[:150],
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            subject_id=event.subject_id,
            fields=list(event.fields),
            detail=event.detail[:300],
            prev_hash=prev_hash,
        )
        entry.hash = prev_hash = entry.compute_hash()
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev_hash)
    return entries


def audit_list_view(model: type[models.Model], ids: Iterable, *, fields: Iterable[str] = ()) -> list[AuditEntry]:
    """Records a list page with every id it showed (ids only, no personal data), in one write.

    `detail` holds 300 characters, so a long page is spread over several entries, each naming its part.
    """
    label = model._meta.label_lower
    chunks: list[list[str]] = [[]]
    for pk in map(str, ids):
        # Room for the label, the part counter "(99/99)" and the separators.
        if chunks[-1] and len(label) + 16 + len(",".join([*chunks[-1], pk])) > 300:
            chunks.append([])
        chunks[-1].append(pk)
    total = len(chunks)
    events = [
        Event(
            action=Action.VIEW,
            object_type=label,  # a list of this kind: found by the kind filter like the single views
            fields=list(fields),
            detail=f"{label} list: {','.join(chunk)}"
            if total == 1
            else f"{label} list ({n}/{total}): {','.join(chunk)}",
        )
        for n, chunk in enumerate(chunks, start=1)
    ]
    return audit_record_many(events)


def _head_recover() -> None:
    """Recreates a missing head from the last entry, so that writing goes on where the trail ends.

    Verification cannot tell a deleted head from a deleted tail, so a head rebuilt over existing
    entries is recorded in the chain itself (see `HEAD_RECOVERED`) and keeps being reported.
    """
    # Locking the last entry serialises recovering writers; the head's primary key stops a second one.
    last = AuditEntry.objects.select_for_update().order_by("-seq").only("seq", "hash").first()
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=1, seq=last.seq if last else 0, last_hash=last.hash if last else GENESIS_HASH
            )
    except IntegrityError:
        return  # another writer recovered it meanwhile
    if last is not None:
        audit_record_many([Event(action=Action.CHANGE, object_type=HEAD_RECOVERED, detail=f"after #{last.seq}")])


def audit_record(
    obj: models.Model | None,
    action: str,
    *,
    fields: Iterable[str] = (),
    detail: str = "",
    actor: Actor | None = None,
) -> AuditEntry:
    """Records one action on `obj` (or a system event when `obj` is None)."""
    return audit_record_many([event_for(obj, action, fields=fields, detail=detail)], actor=actor)[0]
