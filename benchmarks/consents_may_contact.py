"""Benchmark of consents.selectors.may_contact / may_contact_many on PostgreSQL (not part of the test suite).

Targets (issue 4): with 1,000,000 consent records, p99 under 5 ms for one answer, at least
50,000 answers/s for an audience of 100,000 addresses, and a query count that does not grow
with the audience.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpo_bench_consents \
        .venv/bin/python benchmarks/consents_may_contact.py [--regenerate] [--subjects 500000]

Creates the database if missing, migrates it, loads the register and generates the data set
with generate_series (set-based, about a minute): N subjects with one e-mail address each and
two consents each (product-news, marketing-communication) = 2 N consent records, 10 %
withdrawn, 10 % awaiting their double opt-in, 20 % customers with an order, 1 % objecting,
1 % restricted, 0.5 % blocked, and 20,000 suppressed addresses.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpo_bench_consents")
# As in production: DEBUG off (no query log in memory).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    assert db["ENGINE"].endswith("postgresql"), "the benchmark needs PostgreSQL (DATABASE_URL=postgres://…)"
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


GENERATE = """
INSERT INTO subjects_datasubject (salutation, title, first_name, last_name, gender, country, company, job_title,
    language, source, is_blocked, blocked_reason, restriction_ground, created_at, updated_at, customer_number, restricted_at)
SELECT '', '', 'Vorname' || g, 'Name' || g, '', 'DE', '', '', CASE WHEN g %% 5 = 0 THEN 'en' ELSE 'de' END, 'web_form',
    g %% 200 = 7, '', '', now(), now(), 'B-' || g, CASE WHEN g %% 100 = 3 THEN now() END
FROM generate_series(1, %(n)s) AS g;

INSERT INTO subjects_emailaddress (subject_id, activity_id, category_id, collected_on, source, restriction_ground,
    created_at, updated_at, email, is_primary)
SELECT s.id, %(order_activity)s, %(contact)s, current_date, 'web_form', '', now(), now(),
    'person' || substr(s.customer_number, 3) || '@example.org', true
FROM subjects_datasubject s WHERE s.customer_number LIKE 'B-%%';

INSERT INTO subjects_order (subject_id, activity_id, category_id, collected_on, source, restriction_ground,
    created_at, updated_at, number, kind, ordered_on, description, total, currency)
SELECT s.id, %(order_activity)s, %(order_category)s, current_date, 'order', '', now(), now(),
    'BO-' || s.id, 'order', current_date, 'Lizenz', 100, 'EUR'
FROM subjects_datasubject s WHERE s.customer_number LIKE 'B-%%' AND s.id %% 5 = 0;

INSERT INTO consents_consent (subject_id, activity_id, category_id, collected_on, source, restriction_ground,
    created_at, updated_at, purpose_id, text_id, language, channel, given_at, origin, evidence, email, ip_network,
    needs_confirmation, doi_token_digest, doi_expires_at, confirmed_at, confirmed_ip_network,
    withdrawn_at, withdrawal_channel, withdrawal_origin, contract_end)
SELECT s.id, %(consent_activity)s, %(consent_category)s, current_date, 'web_form', '', now(), now(),
    p.purpose_id, p.text_id, 'de', 'web_form', now() - interval '200 days', 'benchmark', '', e.email, '198.51.100.0/24',
    true, md5(s.id::text || '-' || p.purpose_id), now() - interval '197 days',
    CASE WHEN (s.id + p.purpose_id) %% 10 = 1 THEN NULL ELSE now() - interval '199 days' END, '',
    CASE WHEN (s.id + p.purpose_id) %% 10 = 2 THEN now() - interval '10 days' END,
    CASE WHEN (s.id + p.purpose_id) %% 10 = 2 THEN 'email' ELSE '' END, '',
    CASE WHEN (s.id + p.purpose_id) %% 10 = 2 THEN current_date - 10 END
FROM subjects_datasubject s
JOIN subjects_emailaddress e ON e.subject_id = s.id
CROSS JOIN (VALUES (%(news)s::bigint, %(news_text)s::bigint), (%(mc)s::bigint, %(mc_text)s::bigint)) AS p(purpose_id, text_id)
WHERE s.customer_number LIKE 'B-%%';

INSERT INTO consents_objection (subject_id, activity_id, category_id, collected_on, source, restriction_ground,
    created_at, updated_at, objected_activity_id, is_marketing, channel, received_at, note, status, decided_at,
    decided_by, reasons)
SELECT s.id, %(consent_activity)s, %(consent_category)s, current_date, 'email', '', now(), now(),
    %(news_activity)s, true, 'email', now(), '', 'upheld', now(), 'benchmark', 'Art. 21(3)'
FROM subjects_datasubject s WHERE s.customer_number LIKE 'B-%%' AND s.id %% 100 = 11;
"""


def generate(n: int) -> None:
    from django.db import connection, transaction

    from consents.hashing import contact_hash
    from consents.models import ConsentPurpose, SuppressionEntry
    from dpo_portal.models import DataCategory, ProcessingActivity

    purposes = {p.code: p for p in ConsentPurpose.objects.prefetch_related("texts")}
    params = {
        "n": n,
        "order_activity": ProcessingActivity.objects.get(code="order-processing").pk,
        "consent_activity": ProcessingActivity.objects.get(code="consent-records").pk,
        "news_activity": purposes["product-news"].activity_id,
        "contact": DataCategory.objects.get(code="contact").pk,
        "order_category": DataCategory.objects.get(code="order").pk,
        "consent_category": DataCategory.objects.get(code="consent-records").pk,
        "news": purposes["product-news"].pk,
        "news_text": purposes["product-news"].current_text().pk,
        "mc": purposes["marketing-communication"].pk,
        "mc_text": purposes["marketing-communication"].current_text().pk,
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(GENERATE, params)
    hashes = [
        SuppressionEntry(kind="email", value_hash=contact_hash("email", f"person{i}@example.org"), reason="erasure")
        for i in range(13, n, max(1, n // 20000))
    ]
    SuppressionEntry.objects.bulk_create(hashes, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated in {time.perf_counter() - started:.1f} s")


class QueryCounter:
    """Counts the queries run through a connection (DEBUG is off, so connection.queries is empty)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, *args):
        self.count += 1
        return execute(*args)


def load() -> str:
    """The load average (1, 5, 15 min): the machine is shared, figures mean little without it."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=500_000, help="two consent records each")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--singles", type=int, default=5000)
    parser.add_argument("--audience", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per audience size (median reported)")
    args = parser.parse_args()

    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command
    from django.db import connection

    from consents.models import Consent
    from consents.selectors import may_contact, may_contact_many
    from dpo_portal.services import register_load

    call_command("migrate", verbosity=0)
    if args.regenerate or Consent.objects.count() < 2 * args.subjects:
        if args.regenerate:
            with connection.cursor() as cursor:
                for table in (
                    "consents_consent",
                    "consents_objection",
                    "consents_suppressionentry",
                    "subjects_order",
                    "subjects_emailaddress",
                    "subjects_datasubject",
                ):
                    cursor.execute(f"TRUNCATE {table} CASCADE")
        register_load()
        generate(args.subjects)
    total = Consent.objects.count()
    print(f"consent records: {total:,}; {os.cpu_count()} cores; {load()}")

    rng = random.Random(1)
    ids = list(range(1, args.subjects + 1))
    emails = [f"person{i}@example.org" for i in rng.sample(ids, args.singles)]
    for email in emails[:200]:  # warm-up: connection, plans, caches
        may_contact(purpose_code="product-news", channel="email", email=email)

    timings, allowed, queries = [], 0, QueryCounter()
    for email in emails:
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            decision = may_contact(purpose_code="product-news", channel="email", email=email)
            timings.append((time.perf_counter() - started) * 1000)
        allowed += decision.allowed
    print(
        f"one answer by address ({len(emails)}): p50 {statistics.median(timings):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, max {max(timings):.2f} ms, allowed {allowed}, "
        f"{queries.count / len(emails):.0f} queries each; {load()}"
    )
    subject_ids = list(
        Consent.objects.filter(email__in=emails[:2000], purpose__code="product-news").values_list(
            "subject_id", flat=True
        )
    )
    timings, queries = [], QueryCounter()
    for sid in subject_ids:
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            may_contact(purpose_code="product-news", channel="email", subject=sid)
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"one answer by subject ({len(subject_ids)}): p50 {statistics.median(timings):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, {queries.count / len(subject_ids):.0f} queries each; {load()}"
    )

    audience_pool = [f"person{i}@example.org" for i in ids]
    # Each size several times, each run a different sample (no run profits from the last's cache
    # more than production would); the median is reported.
    for size in (1_000, min(args.audience, len(ids))):
        runs = []
        for run in range(args.runs):
            part = random.Random(100 + run).sample(audience_pool, size)
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                started = time.perf_counter()
                result = may_contact_many(purpose_code="product-news", channel="email", emails=part)
                runs.append(time.perf_counter() - started)
            ok = sum(d.allowed for d in result.values())
            print(
                f"  audience of {size:,} addresses, run {run + 1}: {runs[-1]:.2f} s, "
                f"{size / runs[-1]:,.0f} answers/s, {queries.count} queries, {ok:,} allowed; {load()}"
            )
        elapsed = statistics.median(runs)
        print(f"audience of {size:,} addresses: median {elapsed:.2f} s, {size / elapsed:,.0f} answers/s")


if __name__ == "__main__":
    main()
