"""The sweep's batches: protocol batches, run counts, audit entries and the replay journal agree record for
record, whichever path a batch takes (one statement on PostgreSQL, claim token on SQLite)."""

import datetime

import pytest
from django.db.models import ProtectedError

from audit.models import AuditEntry
from retention.journal import journal_read
from retention.models import Action, DeletionRule, ProtocolBatch, SweepRun
from retention.models.protocol import record_hash
from retention.selectors import protocol_hashes
from retention.sweep import sweep_run
from subjects.models import AdConversion, Order, RestrictionGround
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


@pytest.mark.django_db(transaction=True)  # the journal is written on commit
def test_protocol_counts_audit_and_journal_agree_batch_for_batch(today):
    due = f.AdConversionFactory.create_batch(7, collected_on=D(2026, 9, 1))
    kept = f.AdConversionFactory(collected_on=D(2026, 11, 20))
    before = AuditEntry.objects.count()
    run = sweep_run(batch_size=3)
    assert set(AdConversion.objects.values_list("pk", flat=True)) == {kept.pk}
    expected = sorted(record_hash("subjects.AdConversion", r.pk) for r in due)
    assert sorted(protocol_hashes(ProtocolBatch.objects.filter(run=run))) == expected
    assert list(ProtocolBatch.objects.filter(run=run).order_by("pk").values_list("count", flat=True)) == [3, 3, 1]
    journal = [e for e in journal_read(since=D(2026, 11, 25)) if e["run"] == run.pk]
    assert sorted(e["id_hash"] for e in journal) == expected
    assert {(e["model"], e["action"], e["rule"]) for e in journal} == {
        ("subjects.AdConversion", Action.DELETE, "ad-conversion-30-days")
    }
    assert [(c.model_label, c.action, c.count) for c in run.counts.all()] == [
        ("subjects.AdConversion", Action.DELETE, 7)
    ]
    details = list(AuditEntry.objects.order_by("seq")[before:].values_list("detail", flat=True))
    assert details == [
        f"retention sweep run {run.pk}: rule ad-conversion-30-days, {n} records" for n in (3, 3, 1)
    ]  # one entry per batch, counts only


def test_a_batch_larger_than_what_is_due_takes_everything_at_once(today):
    f.AdConversionFactory.create_batch(4, collected_on=D(2026, 9, 1))
    run = sweep_run(batch_size=10_000)
    assert run.total == len(protocol_hashes()) == 4
    assert ProtocolBatch.objects.get().count == 4
    assert AdConversion.objects.count() == 0


def test_a_restriction_is_protocolled_with_the_record_hash(today):
    orders = f.OrderFactory.create_batch(3, collected_on=D(2024, 3, 1), ordered_on=D(2024, 3, 1))
    Order.objects.update(purpose_ended_on=D(2026, 11, 1))  # a path that does not restrict at once
    run = sweep_run(batch_size=2)
    assert (
        Order.objects.filter(
            restriction_ground=RestrictionGround.RETENTION_DUTY, restricted_at__isnull=False, retention_claim=None
        ).count()
        == 3
    )
    batches = ProtocolBatch.objects.filter(run=run)
    assert sorted(protocol_hashes(batches)) == sorted(record_hash("subjects.Order", o.pk) for o in orders)
    assert set(batches.values_list("action", "rule__code")) == {(Action.RESTRICT, "order-booking-voucher")}
    assert sweep_run().total == 0  # restricted once, not again


def test_the_protocol_still_protects_its_run_and_rule(today):
    """The protocol table has no foreign key constraints (speed); the ORM still refuses to orphan it."""
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    run = sweep_run()
    batch = ProtocolBatch.objects.select_related("run", "rule").get()
    assert batch.run == run and batch.rule.code == "ad-conversion-30-days"
    with pytest.raises(ProtectedError):
        SweepRun.objects.filter(pk=run.pk).delete()
    with pytest.raises(ProtectedError):
        DeletionRule.objects.filter(code="ad-conversion-30-days").delete()


def sweep_queries(batch_size: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        sweep_run(batch_size=batch_size)
    return len(ctx.captured_queries)


# Queries of one more registration batch and one more sweep batch: on PostgreSQL a deletion batch is one
# statement plus count and audit entry; SQLite claims with a token first.
QUERIES_PER_BATCH = {"postgresql": 20, "sqlite": 23}


def test_the_sweep_queries_per_batch_not_per_record(today):
    """As many queries for 30 due records as for 3, and a fixed number more per batch."""
    from django.db import connection

    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    sweep_run()  # what is cached once per process (content types) stays out of the counts
    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    few = sweep_queries(batch_size=100)
    f.AdConversionFactory.create_batch(30, collected_on=D(2026, 9, 1))
    many = sweep_queries(batch_size=100)
    f.AdConversionFactory.create_batch(30, collected_on=D(2026, 9, 1))
    three_batches = sweep_queries(batch_size=10)
    assert AdConversion.objects.count() == 0
    assert ProtocolBatch.objects.filter(count=10).count() == 3
    assert many == few
    assert three_batches - many == 2 * QUERIES_PER_BATCH[connection.vendor]
