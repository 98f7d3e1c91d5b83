"""Benchmark: the retention sweep beside raw SQL on the same rows (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpo_bench_retention .venv/bin/python benchmarks/retention_sweep.py

Sets up 1,000,000 registered ad conversions (set-based, generate_series), of which 100,000 are
due, then times (1) the raw SQL DELETE of the due rows, (2) the sweep's own statements in plain
SQL (batches claimed, deleted, hashed and protocolled: what this sweep's design cannot do without)
and (3) a real `sweep_run` of the same data set, regenerated (and checkpointed, unless
BENCH_CHECKPOINT=0) before each; BENCH_REPEAT times (default 3), with the load average at the start of each phase; prints JSON (each repeat
also to stderr as it finishes). Memory: the growth of the process's resident set in the timed
runs, and the peak of Python allocations (tracemalloc) in one more, untimed sweep; flat means
independent of the number of rows (bounded batches, nothing loads all rows).
"""

import datetime
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TOTAL = int(os.environ.get("BENCH_TOTAL", 1_000_000))
DUE = int(os.environ.get("BENCH_DUE", 100_000))
SUBJECTS = 10_000
TODAY = datetime.date(2026, 11, 25)
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))
CHECKPOINT = os.environ.get("BENCH_CHECKPOINT", "1") != "0"


def setup_rows() -> None:
    from dpo_portal.models import DataCategory, ProcessingActivity
    from subjects.models import AdConversion, DataSubject

    table = AdConversion._meta.db_table
    category = DataCategory.objects.get(code="ad-conversion").pk
    activity = ProcessingActivity.objects.get(code="google-ads-conversion").pk
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {table} RESTART IDENTITY")
        if DataSubject.objects.count() < SUBJECTS:
            cur.execute(
                f"""INSERT INTO {DataSubject._meta.db_table}
                (customer_number, salutation, title, first_name, last_name, gender, country, company, job_title,
                 language, source, is_blocked, blocked_reason, restriction_ground, created_at, updated_at)
                SELECT 'B-' || g, '', '', 'Vorname' || g, 'Nachname' || g, '', 'DE', '', '', 'de', 'order', false, '', '',
                       now(), now() FROM generate_series(1, {SUBJECTS}) g"""
            )
        first_subject = DataSubject.objects.order_by("pk").values_list("pk", flat=True).first()
        # Rows 1..DUE were collected 60 days before TODAY (due: 30 days ended), the rest 5 days before.
        cur.execute(
            f"""INSERT INTO {table}
            (subject_id, activity_id, category_id, collected_on, source, restriction_ground,
             retention_start, deletable_from, retention_computed_at, created_at, updated_at,
             click_id, campaign, clicked_at, landing_page)
            SELECT {first_subject} + (g % {SUBJECTS}), {activity}, {category}, d, 'tracking', '',
                   d, d + 31, now(), now(), now(),
                   'gclid-' || md5(g::text), 'Herbst', d::timestamp, '/danke'
            FROM (SELECT g, CASE WHEN g <= {DUE} THEN DATE '{TODAY}' - 60 ELSE DATE '{TODAY}' - 5 END AS d
                  FROM generate_series(1, {TOTAL}) g) s"""
        )
        cur.execute(f"ANALYZE {table}")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare() -> None:
    """The same starting point for every timed phase: fresh rows, empty protocol, and (unless
    BENCH_CHECKPOINT=0) a checkpoint, so neither phase pays for writing out the other's setup."""
    from retention.models import ProtocolBatch, SweepRun

    setup_rows()
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {ProtocolBatch._meta.db_table}")
    SweepRun.objects.all().delete()
    if CHECKPOINT:
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")


def load() -> float:
    return round(os.getloadavg()[0], 2)


def time_raw_sql() -> dict:
    """The same rows, one plain statement, no protocol."""
    from subjects.models import AdConversion

    prepare()
    category = AdConversion.objects.values_list("category_id", flat=True).first()
    with connection.cursor() as cur:
        before = load()
        t = time.perf_counter()
        cur.execute(
            f"DELETE FROM {AdConversion._meta.db_table} "  # noqa: S608  (a table name, values bound)
            "WHERE category_id = %s AND deletable_from <= %s AND anonymised_at IS NULL",
            [category, TODAY],
        )
        return {"rows": cur.rowcount, "seconds": round(time.perf_counter() - t, 3), "load": before}


def time_raw_batches() -> dict:
    """The floor of the sweep's own statements, in plain SQL without Django: the same rows in batches of
    RETENTION_BATCH_SIZE, each in its own transaction, claimed through the due index (FOR UPDATE SKIP
    LOCKED), deleted, hashed (salted SHA-256) and protocolled as one batch row; no holds, counts, audit
    or journal."""
    from retention.models import ProtocolBatch, SweepRun
    from subjects.models import AdConversion

    prepare()
    table, protocol = AdConversion._meta.db_table, ProtocolBatch._meta.db_table
    category = AdConversion.objects.values_list("category_id", flat=True).first()
    run = SweepRun.objects.create(today=TODAY)
    salt = f"{settings.HASH_SALT}|subjects.adconversion|"
    sql = (
        f"WITH done AS (DELETE FROM {table} WHERE ctid = ANY(ARRAY("  # noqa: S608  (table names, values bound)
        f"SELECT ctid FROM {table} WHERE category_id = %s AND deletable_from <= %s AND anonymised_at IS NULL "
        "ORDER BY deletable_from LIMIT %s FOR UPDATE SKIP LOCKED)) RETURNING id) "
        f"INSERT INTO {protocol} (run_id, at, model_label, legal_reference, action, count, id_hashes) "
        "SELECT %s, now(), 'subjects.AdConversion', '', 'delete', count(*), "
        "string_agg(sha256(convert_to(%s || done.id::text, 'UTF8')), ''::bytea) FROM done HAVING count(*) > 0 "
        "RETURNING count"
    )
    raw = connection.connection  # psycopg, autocommit: one transaction per batch
    rows, before = 0, load()
    t = time.perf_counter()
    while True:
        with raw.transaction():
            found = raw.execute(sql, [category, TODAY, settings.RETENTION_BATCH_SIZE, run.pk, salt]).fetchone()
        if not found:
            break
        rows += found[0]
    return {"rows": rows, "seconds": round(time.perf_counter() - t, 3), "load": before}


def time_sweep(*, trace: bool = False) -> dict:
    """A real sweep of the same data set; with `trace`, the peak of Python allocations (tracemalloc slows
    Python down, so the timed runs go without it)."""
    import time_machine

    from retention.selectors import protocol_hashes
    from retention.sweep import sweep_run
    from subjects.models import AdConversion

    prepare()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC), tick=True):
        before, rss_before = load(), rss_mib()
        if trace:
            tracemalloc.start()
        t = time.perf_counter()
        run = sweep_run(today=TODAY)
        seconds = round(time.perf_counter() - t, 3)
        result = {"seconds": seconds, "load": before, "rss_growth_mib": round(rss_mib() - rss_before, 1)}
        if trace:
            result["python_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
    result.update(
        processed=run.total,
        status=run.status,
        protocol_entries=len(protocol_hashes(run.batches.all())),
        remaining_rows=AdConversion.objects.count(),
    )
    return result


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://…/dpo_bench_retention")
    from dpo_portal.services import register_load

    settings.RETENTION_JOURNAL_DIR = "/tmp/dpo_bench_retention_journal"
    call_command("migrate", verbosity=0)
    register_load()
    results = {
        "total_rows": TOTAL,
        "due_rows": DUE,
        "batch_size": settings.RETENTION_BATCH_SIZE,
        "checkpoint_before_each_phase": CHECKPOINT,
        "cpus": os.cpu_count(),
        "repeats": [],
    }
    for _ in range(REPEAT):
        raw, batches, sweep = time_raw_sql(), time_raw_batches(), time_sweep()
        assert raw["rows"] == batches["rows"] == sweep["processed"] == sweep["protocol_entries"] == DUE, (raw, sweep)
        ratio = round(sweep["seconds"] / max(raw["seconds"], 0.001), 2)
        floor = round(batches["seconds"] / max(raw["seconds"], 0.001), 2)
        results["repeats"].append(
            {"raw_sql": raw, "raw_batches_with_protocol": batches, "sweep": sweep, "ratio": ratio, "floor_ratio": floor}
        )
        print(json.dumps(results["repeats"][-1]), file=sys.stderr)
    ratios = sorted(r["ratio"] for r in results["repeats"])
    results["ratio_median"] = ratios[len(ratios) // 2]
    floors = sorted(r["floor_ratio"] for r in results["repeats"])
    results["floor_ratio_median"] = floors[len(floors) // 2]
    results["memory"] = time_sweep(trace=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
