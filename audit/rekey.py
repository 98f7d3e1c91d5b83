"""Rehashing the whole chain: from plain SHA-256 to the keyed hash (migration 0003), or from one AUDIT_KEY to
the next (`audit_rekey`). The chain is checked under the old hash first; a broken chain is never rewritten."""

import hashlib
from collections.abc import Callable

from django.db import transaction

from .models import GENESIS_HASH, AuditChainHead, AuditEntry, entry_hash, entry_payload

BATCH = 2000


class BrokenTrail(Exception):
    def __init__(self, seq: int | None):
        self.seq = seq  # the first entry that does not verify; None: the head does not match the last entry
        where = f"at entry #{seq}" if seq is not None else "at its head"
        super().__init__(f"The audit trail is broken {where}: investigate with audit_verify; nothing was rewritten.")


def plain_hash(entry) -> str:
    """The chain's hash before it was keyed."""
    return hashlib.sha256(entry_payload(entry)).hexdigest()


def chain_rehash(entry_model, head_model, *, check: Callable, digest: Callable) -> int:
    """Verifies every entry with `check` and rewrites prev_hash/hash with `digest`; returns how many. Call it in
    one transaction: the head row is locked first, so no writer appends in between."""
    head = head_model.objects.select_for_update().filter(pk=1).first()
    old_prev = new_prev = GENESIS_HASH
    expected = 1
    changed = []
    for entry in entry_model.objects.order_by("seq").iterator(chunk_size=BATCH):
        if entry.seq != expected or entry.prev_hash != old_prev or check(entry) != entry.hash:
            raise BrokenTrail(entry.seq)
        old_prev = entry.hash
        entry.prev_hash = new_prev
        entry.hash = new_prev = digest(entry)
        changed.append(entry)
        expected += 1
        if len(changed) == BATCH:
            entry_model.objects.bulk_update(changed, ["prev_hash", "hash"])
            changed = []
    entry_model.objects.bulk_update(changed, ["prev_hash", "hash"])
    if head is not None:
        if head.last_hash != old_prev or head.seq != expected - 1:
            raise BrokenTrail(None)
        head_model.objects.filter(pk=1).update(last_hash=new_prev)
    return expected - 1


def audit_rekey(*, old_key: str) -> int:
    """Rehashes the whole chain from `old_key` to the configured settings.AUDIT_KEY (set it first, e.g. when it
    was left to default to SECRET_KEY); returns how many entries. Raises BrokenTrail, changing nothing, when the
    chain does not verify under `old_key`."""

    with transaction.atomic():
        return chain_rehash(
            AuditEntry, AuditChainHead, check=lambda entry: entry_hash(entry, key=old_key), digest=entry_hash
        )
