"""The chain's hashes become keyed (HMAC under settings.AUDIT_KEY, audit.models.entry_hash).

The existing chain is checked with the plain SHA-256 it was written with, then rehashed entry by entry
in sequence order. A chain that is already broken is not rewritten: the migration stops and names the
first broken entry, so that no tampering is laundered into a valid keyed chain.
"""

import hashlib

from django.db import migrations

from audit.models import GENESIS_HASH, entry_hash, entry_payload


class BrokenTrail(Exception):
    pass


def _rehash(apps, *, check, digest) -> None:
    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditChainHead")
    old_prev = new_prev = GENESIS_HASH
    expected = 1
    changed = []
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected or entry.prev_hash != old_prev or check(entry) != entry.hash:
            raise BrokenTrail(
                f"The audit trail is broken at entry #{entry.seq}: run audit_verify with the previous release "
                "and investigate before upgrading; the trail was not rewritten."
            )
        old_prev = entry.hash
        entry.prev_hash = new_prev
        entry.hash = new_prev = digest(entry)
        changed.append(entry)
        expected += 1
        if len(changed) == 2000:
            Entry.objects.bulk_update(changed, ["prev_hash", "hash"])
            changed = []
    Entry.objects.bulk_update(changed, ["prev_hash", "hash"])
    Head.objects.filter(pk=1).update(last_hash=new_prev)


def _plain(entry) -> str:
    return hashlib.sha256(entry_payload(entry)).hexdigest()


def forwards(apps, schema_editor):
    _rehash(apps, check=_plain, digest=entry_hash)


def backwards(apps, schema_editor):
    _rehash(apps, check=entry_hash, digest=_plain)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [migrations.RunPython(forwards, backwards)]
