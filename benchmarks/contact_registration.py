"""Benchmark: registering contact details, whose start follows the person's other records (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpo_bench_contacts .venv/bin/python benchmarks/contact_registration.py

BENCH_SUBJECTS people (default 50,000), each with an e-mail address, a phone number and a postal address
(collected one to six years ago), an order, two messages and a survey answer; every fourth has a running
subscription. Times, each once, printing JSON:

* `first`: registering everything (register_pending), the contact details last, each with the correlated
  subqueries of subjects.last_contact;
* `nightly`: the next night with nothing new (only due records are checked again);
* `new_contacts`: the night after 1 % of the people placed a new order (the orders registered, and with them
  those people's contact details again).
"""

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SUBJECTS = int(os.environ.get("BENCH_SUBJECTS", 50_000))
TODAY = datetime.date(2026, 11, 25)
CHUNK = 5_000


def setup() -> None:
    from dpo_portal.models import DataCategory, ProcessingActivity
    from subjects import models as m

    call_command("migrate", verbosity=0)
    call_command("load_register", verbosity=0)
    for model in (m.EmailAddress, m.PhoneNumber, m.PostalAddress, m.Order, m.Communication, m.SurveyAnswer):
        model.objects.all().delete()
    m.DataSubject.objects.all().delete()
    category = {c.code: c for c in DataCategory.objects.all()}
    activity = {a.code: a for a in ProcessingActivity.objects.all()}
    rng = random.Random(7)
    for start in range(0, SUBJECTS, CHUNK):
        people = m.DataSubject.objects.bulk_create(
            m.DataSubject(customer_number=f"C-{n}", first_name="Vorname", last_name=f"Nachname{n}", country="DE")
            for n in range(start, min(start + CHUNK, SUBJECTS))
        )
        rows = {model: [] for model in (m.EmailAddress, m.PhoneNumber, m.PostalAddress, m.Order, m.Communication)}
        answers = []
        for person in people:
            collected = TODAY - datetime.timedelta(days=rng.randint(365, 6 * 365))
            contact = {"subject": person, "collected_on": collected}
            details = {"activity": activity["order-processing"], "category": category["contact"], **contact}
            rows[m.EmailAddress].append(m.EmailAddress(email=f"p{person.pk}@example.org", **details))
            rows[m.PhoneNumber].append(m.PhoneNumber(number=f"+4930{person.pk:08d}", **details))
            rows[m.PostalAddress].append(m.PostalAddress(street="Weg 1", postal_code="22926", city="Ort", **details))
            ordered = collected + datetime.timedelta(days=rng.randint(0, 300))
            kind = m.Order.Kind.SUBSCRIPTION if person.pk % 4 == 0 else m.Order.Kind.ORDER
            rows[m.Order].append(
                m.Order(
                    number=f"B-{person.pk}",
                    kind=kind,
                    ordered_on=ordered,
                    description="Lizenz",
                    total=100,
                    activity=activity["order-processing"],
                    category=category["order"],
                    subject=person,
                    collected_on=ordered,
                )
            )
            for _ in range(2):
                at = datetime.datetime.combine(
                    collected + datetime.timedelta(days=rng.randint(0, 400)), datetime.time(9), datetime.UTC
                )
                rows[m.Communication].append(
                    m.Communication(
                        channel="email",
                        occurred_at=at,
                        activity=activity["customer-support"],
                        category=category["support-communication"],
                        subject=person,
                        collected_on=at.date(),
                    )
                )
            answers.append(
                m.SurveyAnswer(
                    survey="Zufriedenheit",
                    submitted_on=collected,
                    answers="gut",
                    activity=activity["surveys"],
                    category=category["survey"],
                    subject=person,
                    collected_on=collected,
                )
            )
        for model, objs in rows.items():
            model.objects.bulk_create(objs)
        m.SurveyAnswer.objects.bulk_create(answers)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("CHECKPOINT")


def timed(label: str) -> dict:
    from retention.registration import register_pending

    t = time.perf_counter()
    registered = register_pending(batch_size=10_000, today=TODAY)
    return {"phase": label, "registered": registered, "seconds": round(time.perf_counter() - t, 2)}


def main() -> None:
    from subjects import models as m

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    setup()
    results = [timed("first"), timed("nightly")]
    people = list(m.DataSubject.objects.order_by("pk").values_list("pk", flat=True)[: max(1, SUBJECTS // 100)])
    m.Order.objects.bulk_create(
        m.Order(
            number=f"N-{pk}",
            ordered_on=TODAY,
            description="Nachkauf",
            total=10,
            activity_id=m.Order.objects.values_list("activity_id", flat=True).first(),
            category_id=m.Order.objects.values_list("category_id", flat=True).first(),
            subject_id=pk,
            collected_on=TODAY,
        )
        for pk in people
    )
    results.append(timed("new_contacts"))
    details = m.EmailAddress.objects.count() + m.PhoneNumber.objects.count() + m.PostalAddress.objects.count()
    print(json.dumps({"subjects": SUBJECTS, "contact_details": details, "runs": results}, indent=2))


if __name__ == "__main__":
    main()
