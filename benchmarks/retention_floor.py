"""Benchmark: what each part of a batched, claimed, protocolled deletion costs in plain SQL (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpo_bench_retention .venv/bin/python benchmarks/retention_floor.py

The same data set as benchmarks/retention_sweep.py (1,000,000 ad conversions, 100,000 due). Each
phase deletes the 100,000 due rows, adding one part of what the sweep does to the phase before;
no Django, no holds, counts, audit or journal. Between phases the due rows are put back from a copy,
the table vacuumed and a checkpoint taken. BENCH_REPEAT rounds (default 3); prints JSON with every
time, the medians and each median's ratio to the raw DELETE.

Two phases before the batched ones are the raw DELETE itself, unbatched and unclaimed, once
returning the deleted ids and once also hashing each (as the protocol must), without writing
anything: what any per-record protocol costs before batches, claims or protocol rows.

The last phase is not what the sweep does: a keyed pseudonym computed once per batch (AES-256-ECB of
kind tag and id through pgcrypto, 16 bytes per record) instead of one SHA-256 per record. It shows
what the cheapest per-record protocol costs; it needs the pgcrypto extension in the bench database.
"""

import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retention_sweep import DUE, REPEAT, TODAY, call_command, connection, settings, setup_rows  # noqa: E402

BATCH = settings.RETENTION_BATCH_SIZE

# The protocol row's value per batch: (SQL aggregate over the deleted ids, bytes per record).
PROTOCOL = {
    "ids_unhashed": ("string_agg(int8send(done.id::int8), ''::bytea)", 8),
    "sha256": ("string_agg(sha256(convert_to(%(salt)s || done.id::text, 'UTF8')), ''::bytea)", 32),
    "aes_per_batch": (
        "encrypt(string_agg(%(tag)s || int8send(done.id::int8), ''::bytea), %(key)s, 'aes-ecb/pad:none')",
        16,
    ),
}

# The raw DELETE itself, learning which ids it deleted (no batches, no claim, no protocol row).
ONE_STATEMENT = [
    ("raw_delete_returning_ids", "max(done.id)"),
    ("raw_delete_returning_ids_sha256", PROTOCOL["sha256"][0]),
]

PHASES = [
    # name, claim with FOR UPDATE SKIP LOCKED, protocol (None: none)
    ("batches", False, None),
    ("batches_claimed", True, None),
    ("claimed_protocol_ids_unhashed", True, "ids_unhashed"),
    ("claimed_protocol_sha256 (the sweep's statements)", True, "sha256"),
    ("claimed_protocol_aes_per_batch", True, "aes_per_batch"),
]


def main() -> None:
    from dpo_portal.services import register_load
    from retention.models import ProtocolBatch, SweepRun
    from subjects.models import AdConversion

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://…/dpo_bench_retention")
    call_command("migrate", verbosity=0)
    register_load()
    table, protocol = AdConversion._meta.db_table, ProtocolBatch._meta.db_table
    cur = connection.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    setup_rows()
    cur.execute(
        f"DROP TABLE IF EXISTS bench_due_copy; CREATE TABLE bench_due_copy AS SELECT * FROM {table} WHERE id <= %s",
        [DUE],
    )
    category = AdConversion.objects.values_list("category_id", flat=True).first()
    run = SweepRun.objects.create(today=TODAY)
    due = f"category_id = {int(category)} AND deletable_from <= %(today)s AND anonymised_at IS NULL"
    salt = f"{settings.HASH_SALT}|subjects.adconversion|"
    params = {
        "today": TODAY,
        "n": BATCH,
        "salt": salt,
        "tag": bytes(8),
        "key": hashlib.sha256(salt.encode()).digest(),
    }
    raw = connection.connection  # psycopg in autocommit: one transaction per batch

    def reset() -> None:
        cur.execute(f"DELETE FROM {table} WHERE id <= %s", [DUE])
        cur.execute(f"INSERT INTO {table} SELECT * FROM bench_due_copy")
        cur.execute(f"TRUNCATE {protocol}")
        cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("CHECKPOINT")

    def raw_delete(returning: str | None = None) -> float:
        """One unbatched, unclaimed statement; `returning`: an aggregate over the deleted ids it also computes."""
        sql = f"DELETE FROM {table} WHERE {due}"
        if returning:
            sql = f"WITH done AS ({sql} RETURNING id) SELECT count(*), {returning} FROM done"
        reset()
        t = time.perf_counter()
        with raw.transaction():
            cursor = raw.execute(sql, params)
            assert (cursor.fetchone()[0] if returning else cursor.rowcount) == DUE
        return time.perf_counter() - t

    def batches(claimed: bool, kind: str | None) -> float:
        claim = f"SELECT ctid FROM {table} WHERE {due} ORDER BY deletable_from LIMIT %(n)s" + (
            " FOR UPDATE SKIP LOCKED" if claimed else ""
        )
        delete = f"DELETE FROM {table} WHERE ctid = ANY(ARRAY({claim}))"
        if kind is None:
            sql = f"WITH done AS ({delete} RETURNING 1) SELECT count(*) FROM done HAVING count(*) > 0"
        else:
            aggregate, size = PROTOCOL[kind]
            sql = (
                f"WITH done AS ({delete} RETURNING id) "
                f"INSERT INTO {protocol} (run_id, at, model_label, legal_reference, action, count, id_hashes) "
                f"SELECT {run.pk}, now(), 'subjects.AdConversion', '', 'delete', count(*), {aggregate} "
                f"FROM done HAVING count(*) > 0 RETURNING count, length(id_hashes) / {size}"
            )
        reset()
        rows, t = 0, time.perf_counter()
        while True:
            with raw.transaction():
                found = raw.execute(sql, params).fetchone()
            if not found:
                break
            assert kind is None or found[0] == found[1]  # one protocol entry per record
            rows += found[0]
        assert rows == DUE, rows
        return time.perf_counter() - t

    times: dict[str, list[float]] = {"raw_delete": []}
    for _ in range(REPEAT):
        times["raw_delete"].append(round(raw_delete(), 3))
        for name, returning in ONE_STATEMENT:
            times.setdefault(name, []).append(round(raw_delete(returning), 3))
        for name, claimed, kind in PHASES:
            times.setdefault(name, []).append(round(batches(claimed, kind), 3))
        print(json.dumps({k: v[-1] for k, v in times.items()}), file=sys.stderr)
    base = statistics.median(times["raw_delete"])
    print(
        json.dumps(
            {
                "due_rows": DUE,
                "batch_size": BATCH,
                "load_after": round(os.getloadavg()[0], 2),
                "phases": {
                    k: {
                        "seconds": v,
                        "median": statistics.median(v),
                        "ratio_to_raw": round(statistics.median(v) / base, 2),
                    }
                    for k, v in times.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
