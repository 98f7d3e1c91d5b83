"""Writing the deletion protocol: entries, counts and the replay journal, inside the caller's transaction."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Subquery
from django.db.models.expressions import RawSQL

from subjects.models import RestrictionGround

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


def due_rows_sql(candidates: models.QuerySet, *, batch_size: int) -> tuple[str, tuple]:
    """PostgreSQL: SQL selecting the physical row addresses (ctid) of up to `batch_size` rows of `candidates`
    (a queryset with FOR UPDATE SKIP LOCKED). The rows stay locked until the batch commits, so their
    addresses cannot change in between; acting on them by address is a TID scan, where `pk IN (…)`
    would probe the primary key per row or, for large batches, hash-join a scan of the whole table."""
    table = connection.ops.quote_name(candidates.model._meta.db_table)
    rows = candidates.annotate(row_ctid=RawSQL(f"{table}.ctid", ())).values("row_ctid")[:batch_size]  # noqa: S611  (an identifier, no values)
    return rows.query.get_compiler(connection=connection).as_sql()


def act_and_protocol(
    run: SweepRun,
    candidates: models.QuerySet,
    *,
    batch_size: int,
    rule: DeletionRule,
    action: str,
    at: datetime.datetime,
) -> list[str]:
    """PostgreSQL, deletion (of models Django deletes with one plain DELETE) and restriction: claims up to
    `batch_size` rows of `candidates` (FOR UPDATE SKIP LOCKED), acts on them and writes their protocol
    entries, all in one statement (DELETE or UPDATE … RETURNING inside an INSERT … SELECT, the same
    salted SHA-256 as record_hash); no row travels to Python. Returns the hashes."""
    model = candidates.model
    label = model._meta.label
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    due_sql, due_params = due_rows_sql(candidates, batch_size=batch_size)
    if action == Action.DELETE:
        change, change_params = f"DELETE FROM {table}", []  # noqa: S608  (identifiers quoted)
    elif action == Action.RESTRICT:
        columns = [
            model._meta.get_field(name).column for name in ("restricted_at", "restriction_ground", "retention_claim")
        ]
        restricted, ground, claim = (qn(c) for c in columns)
        change = f"UPDATE {table} SET {restricted} = %s, {ground} = %s, {claim} = NULL"  # noqa: S608  (identifiers quoted, values bound)
        change_params = [at, RestrictionGround.RETENTION_DUTY]
    else:
        raise ValueError(action)
    sql = (
        f"WITH done AS ({change} WHERE ctid = ANY(ARRAY({due_sql})) RETURNING {pk} AS id), "  # noqa: S608  (identifiers quoted, values bound)
        f"entries AS (INSERT INTO {qn(ProtocolEntry._meta.db_table)} "
        "(run_id, at, model_label, id_hash, rule_id, legal_reference, action) "
        "SELECT %s, %s, %s, encode(sha256(convert_to(%s || done.id::text, 'UTF8')), 'hex'), %s, %s, %s "
        "FROM done RETURNING id_hash) "
        # One row with every hash, not one row per record: a fifth of the transfer time.
        "SELECT string_agg(id_hash, ' ') FROM entries"
    )
    params = [
        *change_params,
        *due_params,
        run.pk,
        at,
        label,
        f"{settings.HASH_SALT}|{label.lower()}|",
        rule.pk,
        rule.legal_reference[:300],
        action,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        hashes = cursor.fetchone()[0]
    return hashes.split(" ") if hashes else []


def claim_rows(candidates: models.QuerySet, *, batch_size: int, token) -> int:
    """Marks up to `batch_size` rows of `candidates` (FOR UPDATE SKIP LOCKED) with the batch's claim token."""
    model = candidates.model
    if connection.vendor != "postgresql":
        return model.objects.filter(pk__in=Subquery(candidates.values("pk")[:batch_size])).update(retention_claim=token)
    qn = connection.ops.quote_name
    claim = qn(model._meta.get_field("retention_claim").column)
    due_sql, due_params = due_rows_sql(candidates, batch_size=batch_size)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {claim} = %s WHERE ctid = ANY(ARRAY({due_sql}))"  # noqa: S608  (identifiers quoted, values bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, [token, *due_params])
        return cursor.rowcount
