"""Writing the deletion protocol: one batch row, the run's count and the replay journal, in the caller's transaction."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Subquery
from django.db.models.expressions import RawSQL

from subjects.models import RestrictionGround

from .journal import journal_append, journal_line
from .models import Action, DeletionRule, ProtocolBatch, SweepRun, SweepRunCount
from .models.protocol import DIGEST_SIZE, record_digest


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
    digests: bytes | None = None,
) -> None:
    """The protocol of one batch (kind, rule, action, time and the salted hash of each record's id), the
    run's count, and on commit the same in the replay journal. No personal data anywhere.

    `digests`: the batch row was inserted already (act_and_protocol); only count and journal it.
    """
    if digests is None:
        if not pks:
            return
        digests = b"".join(record_digest(model_label, pk) for pk in pks)
        ProtocolBatch.objects.create(
            run=run,
            at=at,
            model_label=model_label,
            rule=rule,
            legal_reference=rule.legal_reference[:300] if rule else "",
            action=action,
            count=len(pks),
            id_hashes=digests,
        )
    n = len(digests) // DIGEST_SIZE
    count_add(run, rule=rule, model_label=model_label, action=action, n=n)
    line = journal_line(
        at=at, run=run.pk, model=model_label, action=action, rule=rule.code if rule else "", digests=digests
    )
    transaction.on_commit(lambda: journal_append(line, at=at))


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
) -> bytes:
    """PostgreSQL, deletion (of models Django deletes with one plain DELETE) and restriction: claims up to
    `batch_size` rows of `candidates` (FOR UPDATE SKIP LOCKED), acts on them and writes the batch's
    protocol row, all in one statement (DELETE or UPDATE … RETURNING inside an INSERT … SELECT that
    hashes with the same salted SHA-256 as record_digest); no row travels to Python. Returns the
    batch's concatenated digests (empty: nothing was due)."""
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
        f"WITH done AS ({change} WHERE ctid = ANY(ARRAY({due_sql})) RETURNING {pk} AS id) "  # noqa: S608  (identifiers quoted, values bound)
        f"INSERT INTO {qn(ProtocolBatch._meta.db_table)} "
        "(run_id, at, model_label, rule_id, legal_reference, action, count, id_hashes) "
        "SELECT %s, %s, %s, %s, %s, %s, count(*), "
        "string_agg(sha256(convert_to(%s || done.id::text, 'UTF8')), ''::bytea) "
        "FROM done HAVING count(*) > 0 RETURNING id_hashes"
    )
    params = [
        *change_params,
        *due_params,
        run.pk,
        at,
        label,
        rule.pk,
        rule.legal_reference[:300],
        action,
        f"{settings.HASH_SALT}|{label.lower()}|",
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row else b""


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
