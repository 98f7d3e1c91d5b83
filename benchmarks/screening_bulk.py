"""Bulk screening benchmark: 100,000 persons against 20,000 list names, and one person alone.

Uses its own PostgreSQL database (created if missing, emptied first):

    .venv/bin/python benchmarks/screening_bulk.py [--persons 100000] [--names 20000] [--workers 2]

Synthetic data: list names from Faker pools of several locales (Russian and Ukrainian in
Cyrillic, Arabic, Persian, Turkish, German, English), persons mostly German; some persons are
planted as spelling variants of list names so that the run also opens cases.
"""

import argparse
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpo_bench_screening")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    import django

    django.setup()


def pools(rng: random.Random) -> tuple[list[str], list[str]]:
    from faker import Faker

    listed, people = [], []
    for locale, share in (("ru_RU", 3), ("uk_UA", 1), ("ar_AA", 3), ("fa_IR", 1), ("tr_TR", 1), ("en_US", 1)):
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 10**9))
        listed += [f"{fake.first_name()} {fake.last_name()}" for _ in range(600 * share)]
    for locale, share in (("de_DE", 8), ("en_GB", 1), ("tr_TR", 1), ("pl_PL", 1), ("it_IT", 1)):
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 10**9))
        people += [(fake.first_name(), fake.last_name()) for _ in range(400 * share)]
    return listed, people


def build_list(rng: random.Random, names: int, listed_pool: list[str]):
    from screening.matching import BirthDate
    from screening.parsers import ParsedEntry, ParsedList

    entries, count, i = [], 0, 0
    while count < names:
        i += 1
        company = rng.random() < 0.15
        entry = ParsedEntry(external_id=str(i), schema="Company" if company else "Person")
        if company:
            core = rng.choice(listed_pool).split()[-1]
            entry.add_name(f"{core} {rng.choice(['Trading', 'Industries', 'Shipping', 'Holding'])} LLC")
            entry.add_name(f"OOO {core}")
        else:
            primary = rng.choice(listed_pool)
            entry.add_name(primary)
            for _ in range(rng.randint(0, 3)):
                entry.add_name(rng.choice(listed_pool), is_weak=rng.random() < 0.3)
            entry.birth_dates.append(BirthDate(rng.randint(1940, 2000), rng.choice([None, rng.randint(1, 12)])))
            entry.countries.append((rng.choice(["RU", "IR", "SY", "BY", "KP", "UA", "TR"]), "citizenship"))
        count += len(entry.names)
        entries.append(entry)
    return ParsedList(source="ofac", sha256=f"{rng.getrandbits(128):032x}", entries=entries, file_name="synthetic")


def make_persons(rng: random.Random, total: int, people_pool, listed_pool) -> int:
    from subjects.models import DataSubject

    DataSubject.objects.all().delete()
    planted = 0
    batch = []
    for i in range(total):
        if i % 1000 == 0:  # one in a thousand is named like a list entry (transliterated differently)
            first, last = rng.choice(listed_pool).split(" ", 1)
            planted += 1
        else:
            first, last = rng.choice(people_pool)
        batch.append(DataSubject(first_name=first, last_name=last, customer_number=f"B-{i:07d}", country="DE"))
        if len(batch) == 5000:
            DataSubject.objects.bulk_create(batch)
            batch = []
    DataSubject.objects.bulk_create(batch)
    return planted


def screen_batches(batches: list[list[int]]) -> tuple[int, int]:
    """One worker: screens its batches (each batch one task) and returns (screened, cases)."""
    setup_django()
    from django.db import connection

    from screening.models import Trigger
    from screening.services import subjects_screen

    connection.close()
    screened = opened = 0
    for batch in batches:
        run = subjects_screen(subject_ids=batch, trigger=Trigger.WEEKLY)
        screened += run.subjects_screened
        opened += run.cases_opened
    return screened, opened


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--names", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from dpo_portal.services import register_load
    from screening.models import ListVersion, ScreeningCase, Trigger
    from screening.services import list_import, subject_screen
    from subjects.models import DataSubject

    call_command("migrate", verbosity=0)
    register_load()
    ScreeningCase.objects.all().delete()
    ListVersion.objects.all().delete()
    rng = random.Random(20261125)
    listed_pool, people_pool = pools(rng)

    started = time.perf_counter()
    parsed = build_list(rng, args.names, listed_pool)
    version, _ = list_import(parsed=parsed)
    print(
        f"list: {version.entry_count} entries, {version.name_count} names imported in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    planted = make_persons(rng, args.persons, people_pool, listed_pool)
    print(f"persons: {args.persons} created in {time.perf_counter() - started:.1f} s ({planted} planted)")

    # One person at a time, through the database's blocking index (what a sign-up does).
    sample = list(DataSubject.objects.order_by("?")[:300])
    timings = []
    for subject in sample:
        t0 = time.perf_counter()
        subject_screen(subject=subject, trigger=Trigger.CREATED)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(
        f"one person: median {timings[len(timings) // 2]:.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms,"
        f" max {timings[-1]:.1f} ms"
    )
    ScreeningCase.objects.all().delete()
    DataSubject.objects.update(is_blocked=False, blocked_reason="")

    ids = list(DataSubject.objects.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i : i + args.batch] for i in range(0, len(ids), args.batch)]
    connection.close()
    started = time.perf_counter()
    if args.workers > 1:
        shares = [batches[w :: args.workers] for w in range(args.workers)]
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(screen_batches, shares))
    else:
        results = [screen_batches(batches)]
    elapsed = time.perf_counter() - started
    screened = sum(r[0] for r in results)
    opened = sum(r[1] for r in results)
    print(
        f"bulk: {screened} persons against {version.name_count} names with {args.workers} worker(s) in"
        f" {elapsed:.1f} s ({elapsed / max(screened, 1) * 1000:.2f} ms per person); {opened} cases opened"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
