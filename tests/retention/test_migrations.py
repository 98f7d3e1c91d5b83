"""Protocol entries written before batches (one row per record) become batches, hash for hash."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from retention.models.protocol import record_hash
from retention.selectors import protocol_hashes

BEFORE = [("retention", "0002_lean_protocol")]
AFTER = [("retention", "0003_protocol_batches")]


@pytest.mark.django_db(transaction=True)
def test_it_turns_each_batch_of_entries_into_one_batch_row():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    run = old.get_model("retention", "SweepRun").objects.create(today=datetime.date(2026, 11, 20))
    Entry = old.get_model("retention", "ProtocolEntry")
    first = datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC)
    second = first + datetime.timedelta(seconds=1)
    rows = [(first, "subjects.AdConversion", pk) for pk in (1, 2, 3)] + [(second, "subjects.Order", 7)]
    for at, label, pk in rows:
        Entry.objects.create(
            run=run,
            at=at,
            model_label=label,
            id_hash=record_hash(label, pk),
            legal_reference="§ 257 HGB",
            action="delete",
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    Batch = executor.loader.project_state(AFTER).apps.get_model("retention", "ProtocolBatch")
    batches = Batch.objects.order_by("at")
    assert [(b.model_label, b.count, b.at) for b in batches] == [
        ("subjects.AdConversion", 3, first),
        ("subjects.Order", 1, second),
    ]
    assert sorted(protocol_hashes(batches)) == sorted(record_hash(label, pk) for _at, label, pk in rows)

    # And back: one entry per record again, nothing lost.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(BEFORE)
    Entry = executor.loader.project_state(BEFORE).apps.get_model("retention", "ProtocolEntry")
    assert sorted(Entry.objects.values_list("model_label", "id_hash", "at")) == sorted(
        (label, record_hash(label, pk), at) for at, label, pk in rows
    )
    # Forward to the newest state again: the tests that run after this one on the same database need it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
