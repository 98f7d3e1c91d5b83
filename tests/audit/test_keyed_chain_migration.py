"""Migration 0003 rehashes an intact plain-SHA-256 chain with the key, and refuses to launder a broken one."""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditChainHead, AuditEntry, entry_payload

BEFORE = [("audit", "0002_chain_head")]
AFTER = [("audit", "0003_keyed_chain")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def _newest_schema_after():
    # The tests that run after these on the same database need every migration applied, not just AFTER.
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def plain_chain(apps, n: int, *, break_at: int | None = None) -> None:
    """Entries 1..n hashed with plain SHA-256, as written before; `break_at` is changed after writing."""
    Entry, Head = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditChainHead")
    Entry.objects.all().delete()
    prev = "0" * 64
    at = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
    for seq in range(1, n + 1):
        entry = Entry(
            seq=seq, at=at, actor_name="dpo", action="view", object_type="subjects.datasubject", prev_hash=prev
        )
        entry.object_id = str(seq)
        entry.hash = prev = hashlib.sha256(entry_payload(entry)).hexdigest()
        entry.save()
    Head.objects.update_or_create(pk=1, defaults={"seq": n, "last_hash": prev})
    if break_at:
        Entry.objects.filter(seq=break_at).update(detail="changed afterwards")


@pytest.mark.django_db(transaction=True)
def test_an_intact_chain_is_rehashed_with_the_key(capsys):
    plain_chain(migrate(BEFORE), 5)
    migrate(AFTER)
    call_command("audit_verify")
    assert "5 " in capsys.readouterr().out
    first = AuditEntry.objects.get(seq=1)
    assert first.hash != hashlib.sha256(entry_payload(first)).hexdigest()  # keyed now


@pytest.mark.django_db(transaction=True)
def test_a_broken_chain_is_not_laundered():
    apps = migrate(BEFORE)
    plain_chain(apps, 5, break_at=3)
    before = list(apps.get_model("audit", "AuditEntry").objects.order_by("seq").values_list("hash", flat=True))
    with pytest.raises(Exception, match="broken at entry #3"):
        migrate(AFTER)
    assert list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True)) == before
    # Leave the test database migrated (an empty trail), for the tests after this one.
    AuditEntry.objects.all().delete()
    AuditChainHead.objects.update(seq=0, last_hash="0" * 64)
    migrate(AFTER)
