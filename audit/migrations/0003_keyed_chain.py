"""The chain's hashes become keyed (HMAC under settings.AUDIT_KEY, audit.models.entry_hash).

The existing chain is checked with the plain SHA-256 it was written with, then rehashed entry by entry
in sequence order, with the chain head locked (stop the old release's app servers first). A chain that
is already broken is not rewritten: the migration stops and names the first broken entry, so that no
tampering is laundered into a valid keyed chain.
"""

from django.db import migrations

from audit.models import entry_hash
from audit.rekey import chain_rehash, plain_hash


def forwards(apps, schema_editor):
    models = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditChainHead")
    chain_rehash(*models, check=plain_hash, digest=entry_hash)


def backwards(apps, schema_editor):
    models = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditChainHead")
    chain_rehash(*models, check=entry_hash, digest=plain_hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [migrations.RunPython(forwards, backwards)]
