"""Writing the deletion protocol: entries, counts and the replay journal, inside the caller's transaction."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from .journal import journal_append, journal_lines
from .models import Action, DeletionRule, ProtocolEntry, SweepRun, SweepRunCount
from .models.protocol import record_hash


def count_add(run: SweepRun, *, rule: DeletionRule | None, model_label: str, action: str, n: int) -> None:
    row, _created = SweepRunCount.objects.get_or_create(run=run, rule=rule, model_label=model_label, action=action)
    SweepRunCount.objects.filter(pk=row.pk).update(count=F("count") + n)


def protocol_write(
    run: SweepRun,
    *,
    model_label: str,
    pks: Sequence = (),
    rule: DeletionRule | None,
    action: str,
    at: datetime.datetime,
    hashes: Sequence[str] | None = None,
) -> None:
    """One entry per processed record (kind, salted id hash, rule, action, time), the run's count, and on
    commit the same lines in the replay journal. No personal data anywhere.

    `hashes`: the entries were inserted already (protocol_insert_claimed); only count and journal them.
    """
    if hashes is None:
        reference = rule.legal_reference[:300] if rule else ""
        hashes = [record_hash(model_label, pk) for pk in pks]
        ProtocolEntry.objects.bulk_create(
            [
                ProtocolEntry(
                    run=run,
                    at=at,
                    model_label=model_label,
                    id_hash=id_hash,
                    rule=rule,
                    legal_reference=reference,
                    action=action,
                )
                for id_hash in hashes
            ],
            batch_size=1000,
        )
    if not hashes:
        return
    count_add(run, rule=rule, model_label=model_label, action=action, n=len(hashes))
    lines = journal_lines(
        at=at, run=run.pk, model=model_label, action=action, rule=rule.code if rule else "", hashes=hashes
    )
    transaction.on_commit(lambda: journal_append(lines))


def protocol_insert_claimed(
    run: SweepRun, *, model, token, rule: DeletionRule | None, action: str, at: datetime.datetime
) -> list[str]:
    """PostgreSQL: the protocol entries of the rows carrying `token`, hashed and inserted by the database in
    one INSERT … SELECT (the same salted SHA-256 as record_hash). Returns the hashes."""
    label = model._meta.label
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    claim = connection.ops.quote_name(model._meta.get_field("retention_claim").column)
    protocol = connection.ops.quote_name(ProtocolEntry._meta.db_table)
    sql = (
        f"INSERT INTO {protocol} (run_id, at, model_label, id_hash, rule_id, legal_reference, action) "  # noqa: S608  (identifiers quoted, values bound)
        f"SELECT %s, %s, %s, encode(sha256(convert_to(%s || {pk}::text, 'UTF8')), 'hex'), %s, %s, %s "
        f"FROM {table} WHERE {claim} = %s RETURNING id_hash"
    )
    params = [
        run.pk,
        at,
        label,
        f"{settings.HASH_SALT}|{label.lower()}|",
        rule.pk if rule else None,
        rule.legal_reference[:300] if rule else "",
        action,
        token,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def can_fast_delete(model) -> bool:
    """Whether deleting rows of `model` is one plain DELETE (no cascades, no signals), as Django would do it."""
    from django.db.models.deletion import Collector

    return Collector(using="default").can_fast_delete(model._base_manager.none())


def delete_and_protocol(run: SweepRun, candidates, *, rule: DeletionRule, at: datetime.datetime) -> list[str]:
    """PostgreSQL, models Django deletes with one plain DELETE: claims, deletes and writes the protocol
    entries in one statement (DELETE … RETURNING inside an INSERT … SELECT). `candidates` is the
    due queryset's `values("pk")` slice with FOR UPDATE SKIP LOCKED. Returns the hashes."""
    model = candidates.model
    label = model._meta.label
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    protocol = connection.ops.quote_name(ProtocolEntry._meta.db_table)
    due_sql, due_params = candidates.query.get_compiler(connection=connection).as_sql()
    sql = (
        f"WITH gone AS (DELETE FROM {table} WHERE {pk} IN ({due_sql}) RETURNING {pk} AS id) "  # noqa: S608  (identifiers quoted, values bound)
        f"INSERT INTO {protocol} (run_id, at, model_label, id_hash, rule_id, legal_reference, action) "
        "SELECT %s, %s, %s, encode(sha256(convert_to(%s || gone.id::text, 'UTF8')), 'hex'), %s, %s, %s "
        "FROM gone RETURNING id_hash"
    )
    params = [
        *due_params,
        run.pk,
        at,
        label,
        f"{settings.HASH_SALT}|{label.lower()}|",
        rule.pk,
        rule.legal_reference[:300],
        Action.DELETE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
