"""Demo data for the embedded demo: a few hundred realistic data subjects with records of every kind.

Only ever loaded with DEMO_MODE (DEBUG on); never into production. Each app adds its own part
through `<app>.demo.load_demo(subjects=..., rng=..., log=...)`.
"""

import datetime
import decimal
import random
from collections.abc import Callable

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from faker import Faker

from audit.services import Action, audit_record
from subjects import models as m
from subjects.services import RecordDefaults

from .apphooks import DEMO_HOOK_APPS, call_app_hooks
from .roles import AUDITOR, DPO, SUPPORT

DEMO_USERS = (("dpo", DPO), ("support", SUPPORT), ("auditor", AUDITOR))
DEMO_PASSWORD = "demo"  # noqa: S105  (the embedded demo only; refused with DEBUG off)

COURSES = ["ERP-Grundlagen", "Finanzbuchhaltung kompakt", "Warenwirtschaft für Einsteiger", "Datenschutz im Vertrieb"]
EVENTS = ["Anwendertreffen Nord", "Webinar: Neues Release", "Seminar Lohnabrechnung", "Partnertag Mönchengladbach"]
PRODUCTS = ["ERP-Lizenz", "Wartungsvertrag", "Schulungspaket", "Cloud-Abonnement", "Beratungstag"]
DIETS = ["vegetarisch", "vegan", "glutenfrei", "laktosefrei", "Nussallergie"]
ACCESS = ["Rollstuhlgerechter Zugang", "Induktionsschleife", "Sitzplatz nahe Ausgang"]


def demo_users_create() -> list[User]:
    users = []
    for username, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@localhost"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=role)])
        users.append(user)
    return users


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@transaction.atomic
def demo_load(*, count: int = 300, seed: int = 20261125, log: Callable[[str], None] = lambda msg: None) -> int:
    """Creates `count` demo subjects (once: does nothing when demo subjects exist). Returns how many it made."""
    demo_users_create()
    if m.DataSubject.objects.filter(customer_number__startswith="DEMO-").exists():
        log("demo data already loaded")
        return 0
    rng = random.Random(seed)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    today = timezone.localdate()
    now = timezone.now()

    subjects = m.DataSubject.objects.bulk_create(
        [
            m.DataSubject(
                customer_number=f"DEMO-{i:05d}",
                salutation=(salutation := rng.choice(["Frau", "Herr", ""])),
                title=rng.choice(["", "", "", "Dr."]),
                # A first name that goes with the salutation: letters open "Sehr geehrte Frau …".
                first_name={"Frau": fake.first_name_female, "Herr": fake.first_name_male}.get(
                    salutation, fake.first_name
                )(),
                last_name=fake.last_name(),
                birth_date=_date_between(rng, datetime.date(1950, 1, 1), datetime.date(2000, 12, 31))
                if rng.random() < 0.5
                else None,
                country=rng.choice(["DE"] * 8 + ["AT", "CH"]),
                company=fake.company(),
                job_title=fake.job()[:200],
                language=rng.choice(["de"] * 4 + ["en"]),
                created_at=now - datetime.timedelta(days=rng.randint(30, 4000)),
            )
            for i in range(count)
        ]
    )
    if not subjects[0].pk:  # backends that return no ids from bulk_create
        subjects = list(m.DataSubject.objects.filter(customer_number__startswith="DEMO-").order_by("customer_number"))

    defaults = RecordDefaults()
    records: dict[type, list] = {model: [] for model in m.RECORD_MODELS}

    def add(record):
        defaults.apply(record)
        records[type(record)].append(record)

    order_no = 0
    for s in subjects:
        since = s.created_at.date()
        add(
            m.EmailAddress(
                subject=s,
                email=f"{s.customer_number.lower()}@{fake.free_email_domain()}",
                is_primary=True,
                collected_on=since,
            )
        )
        add(
            m.PhoneNumber(
                subject=s,
                number=f"+49{rng.choice(['30', '40', '89', '4102', '2161'])}{rng.randint(1000000, 9999999)}",
                collected_on=since,
            )
        )
        add(
            m.PostalAddress(
                subject=s,
                street=fake.street_address(),
                postal_code=fake.postcode(),
                city=fake.city(),
                collected_on=since,
            )
        )
        for _ in range(rng.randint(0, 4)):
            order_no += 1
            ordered = _date_between(rng, since, today)
            add(
                m.Order(
                    subject=s,
                    number=f"DEMO-A{order_no:06d}",
                    ordered_on=ordered,
                    collected_on=ordered,
                    kind=rng.choice(list(m.Order.Kind.values)),
                    description=rng.choice(PRODUCTS),
                    total=decimal.Decimal(rng.randint(49, 25000)),
                    contract_end=ordered + datetime.timedelta(days=365) if rng.random() < 0.4 else None,
                )
            )
        if rng.random() < 0.6:
            digits = f"{rng.randint(0, 9999):04d}"
            if rng.random() < 0.5:
                add(
                    m.PaymentMethod(
                        subject=s, kind=m.PaymentMethod.Kind.CARD, masked=f"•••• {digits}", collected_on=since
                    )
                )
            else:
                # With valid check digits (ISO 13616: "DE" is 1314), so that the DPO can save a demo record. The draw
                # that once made them up stays, so that the rest of the demo (and the tests counting on it) is unchanged.
                rng.randint(10, 99)
                bban = rng.randint(10**17, 10**18 - 1)
                iban = f"DE{98 - int(f'{bban}131400') % 97:02d}{bban}"
                add(
                    m.PaymentMethod(
                        subject=s,
                        kind=m.PaymentMethod.Kind.SEPA,
                        masked=f"{iban[:4]} •••• {iban[-4:]}",
                        iban=iban,
                        account_holder=f"{s.first_name} {s.last_name}",
                        collected_on=since,
                    )
                )
        for _ in range(rng.randint(0, 3)):
            at = now - datetime.timedelta(days=rng.randint(1, 2500))
            channel = rng.choice(list(m.Communication.Channel.values))
            recording = channel in ("phone", "chat") and rng.random() < 0.3
            add(
                m.Communication(
                    subject=s,
                    channel=channel,
                    occurred_at=at,
                    collected_on=at.date(),
                    last_contact=at.date(),
                    subject_line=fake.sentence(nb_words=4)[:200],
                    body=fake.paragraph(nb_sentences=2),
                    is_recording=recording,
                    recording_notice="Hinweis auf die Aufzeichnung zu Beginn des Gesprächs; keine Einwände."
                    if recording
                    else "",
                )
            )
        if rng.random() < 0.35:
            event_date = _date_between(rng, today - datetime.timedelta(days=700), today + datetime.timedelta(days=90))
            registration = m.EventRegistration(
                subject=s,
                event_name=rng.choice(EVENTS),
                event_date=event_date,
                attended=event_date < today,
                share_with_participants=False,  # only with consent: the consents app's demo sets it
                collected_on=min(today, event_date - datetime.timedelta(days=14)),
            )
            add(registration)
            if rng.random() < 0.4:
                add(
                    m.EventHealthData(
                        subject=s,
                        registration=registration,
                        collected_on=registration.collected_on,
                        accessibility_needs=rng.choice(ACCESS) if rng.random() < 0.4 else "",
                        dietary_needs=rng.choice(DIETS),
                    )
                )
        if rng.random() < 0.4:
            started = _date_between(rng, since, today)
            progress = rng.choice([10, 40, 75, 100])
            add(
                m.TrainingProgress(
                    subject=s,
                    course=rng.choice(COURSES),
                    started_on=started,
                    collected_on=started,
                    progress_percent=progress,
                    completed_on=min(today, started + datetime.timedelta(days=30)) if progress == 100 else None,
                    score=rng.randint(60, 100) if progress == 100 else None,
                )
            )
        if rng.random() < 0.25:
            submitted = _date_between(rng, since, today)
            add(
                m.SurveyAnswer(
                    subject=s,
                    survey="Kundenzufriedenheit " + str(submitted.year),
                    submitted_on=submitted,
                    collected_on=submitted,
                    answers=rng.choice(["Sehr zufrieden", "Zufrieden", "Support schneller erreichbar machen"]),
                )
            )
        if rng.random() < 0.5:
            add(
                m.InteractionProfile(
                    subject=s,
                    purchases=", ".join(rng.sample(PRODUCTS, 2)),
                    events_attended=rng.choice(EVENTS),
                    web_usage="Kundenportal, Wissensdatenbank",
                    interests=rng.choice(["ERP", "Buchhaltung", "Cloud"]),
                    industry=rng.choice(["Handel", "Maschinenbau", "Dienstleistung"]),
                    collected_on=since,
                )
            )
        if rng.random() < 0.2:
            clicked = now - datetime.timedelta(days=rng.randint(1, 60))
            add(
                m.AdConversion(
                    subject=s,
                    click_id=f"demo-gclid-{s.pk}-{rng.randint(0, 10**9)}",
                    campaign=rng.choice(["Herbst", "Release"]),
                    clicked_at=clicked,
                    converted_at=clicked + datetime.timedelta(minutes=5),
                    collected_on=clicked.date(),
                    landing_page="/kontakt/danke",
                )
            )

    # Health data refers to its registration: registrations first, then the rest.
    m.EventRegistration.objects.bulk_create(records.pop(m.EventRegistration))
    for h in records[m.EventHealthData]:
        h.registration_id = h.registration.pk
    for model, rows in records.items():
        model.objects.bulk_create(rows, batch_size=500)
    audit_record(None, Action.CREATE, detail=f"demo data: {len(subjects)} data subjects")
    log(f"demo data: {len(subjects)} data subjects")

    # Each app adds its part (consents, holds, requests, screening cases) to the same subjects.
    call_app_hooks("demo", "load_demo", labels=DEMO_HOOK_APPS, subjects=subjects, rng=rng, log=log)
    return len(subjects)
