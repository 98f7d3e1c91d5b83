"""No admin list page runs a query per row: every changelist a role may open, on the demo data, runs as many queries
with 30 rows to a page as with 3. The subjects', consents' and screening's own tests check their pages this way too;
this one takes every ModelAdmin on the site, so that a new page is checked without anyone writing a test for it."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consents.models import ConsentPurpose, ConsentText
from consents.services import api_token_create, objection_record
from dpo_portal.models import DataCategory, Organisation, ProcessingActivity, Recipient, SupervisoryAuthority, System
from dpo_portal.models.register import LegalBasis, TransferBasis
from requests_app.models import RequestType
from retention.models import Action, DeletionRule, SweepRun
from retention.models.rules import StartEvent
from retention.sweep import sweep_run
from screening.models import ListEntry, ListVersion, ScreeningRun, Trigger
from screening.models.lists import Schema, Source
from screening.services import subjects_screen
from subjects.models import DataSubject
from tests import factories as f

FEW, MANY = 3, 30


def _more_register() -> list[ProcessingActivity]:
    """MANY more of each register table (and a deletion rule for each new category), each row with related rows of
    its own: a display method that reads a related row and keeps it by its id still queries once per row."""
    controller = Organisation.controller()
    companies = Organisation.objects.bulk_create(
        Organisation(name=f"Tochter {i}", role=Organisation.Role.AFFILIATE, parent=controller) for i in range(MANY)
    )
    SupervisoryAuthority.objects.bulk_create(SupervisoryAuthority(name=f"Aufsicht {i}") for i in range(MANY))
    categories = DataCategory.objects.bulk_create(
        DataCategory(code=f"more-{i}", name_de=f"Kategorie {i}", name_en=f"Category {i}") for i in range(MANY)
    )
    recipients = Recipient.objects.bulk_create(
        Recipient(
            name=f"Empfänger {i}",
            kind=Recipient.Kind.AFFILIATE,
            organisation=company,
            country="US",
            transfer_basis=TransferBasis.SCC,
        )
        for i, company in enumerate(companies)
    )
    systems = System.objects.bulk_create(
        System(name=f"System {i}", operator=recipient, country="CH") for i, recipient in enumerate(recipients)
    )
    activities = []
    for i in range(MANY):
        activity = ProcessingActivity.objects.create(
            code=f"more-{i}",
            name_de=f"Verarbeitung {i}",
            name_en=f"Processing {i}",
            controller=controller,
            purpose_de="Zweck",
            purpose_en="Purpose",
            legal_basis=LegalBasis.LEGITIMATE_INTEREST,
            data_subject_categories_de="Kunden",
            data_subject_categories_en="Customers",
            policy_section=f"{i}",
        )
        activity.data_categories.set([categories[i]])
        activity.recipients.set([recipients[i]])
        activity.systems.set([systems[i]])
        activity.joint_controllers.set([companies[i]])
        activities.append(activity)
    DeletionRule.objects.bulk_create(
        DeletionRule(
            code=f"more-{i}",
            category=category,
            start_event=StartEvent.COLLECTION,
            years=1 + i % 10,
            action=Action.DELETE,
            legal_reference="Art. 17 DSGVO",
            description_de="Regel",
            description_en="Rule",
        )
        for i, category in enumerate(categories)
    )
    return activities


def _more_consents(activities, subjects, user) -> None:
    purposes = ConsentPurpose.objects.bulk_create(
        ConsentPurpose(
            code=f"more-{i}",
            activity=activity,
            name_de=f"Zweck {i}",
            name_en=f"Purpose {i}",
            basis=ConsentPurpose.Basis.CONSENT,
            channels=["email"],
        )
        for i, activity in enumerate(activities)
    )
    ConsentText.objects.bulk_create(
        ConsentText(purpose=purpose, version=1, text_de="Ich willige ein.", text_en="I consent.")
        for purpose in purposes
    )
    marketing = ProcessingActivity.objects.filter(is_marketing=True).first()
    for subject in subjects:
        objection_record(subject=subject, activity_code=marketing.code, channel="letter")  # and suppression entries
    for i in range(MANY):
        api_token_create(name=f"Shop {i}", may_record=True, may_query=i % 2 == 0, created_by=user)


def _more_requests(subjects) -> None:
    support = User.objects.get(username="support")
    for subject in subjects:
        f.request_with(RequestType.ACCESS, RequestType.ERASURE, subject=subject, logged_by=support)
    for subject in subjects:
        f.LegalHoldFactory(subject=subject)


def _more_screening() -> None:
    active = ListVersion.objects.filter(is_active=True).first()
    versions = ListVersion.objects.bulk_create(
        ListVersion(source=Source.EU, sha256=f"{i:064x}", entry_count=1, name_count=1, replaces=active)
        for i in range(MANY)
    )
    ListEntry.objects.bulk_create(
        ListEntry(version=version, external_id="1", schema=Schema.PERSON_, primary_name=f"Name {i}", fingerprint="x")
        for i, version in enumerate(versions)
    )
    namesakes = f.DataSubjectFactory.create_batch(MANY, first_name="Youcef", last_name="Adel")
    subjects_screen(subject_ids=[s.pk for s in namesakes], trigger=Trigger.MANUAL)  # a case for each
    ScreeningRun.objects.bulk_create(
        ScreeningRun(trigger=Trigger.MANUAL, versions=f"{active.pk},{version.pk}", finished_at=timezone.now())
        for version in versions
    )


def _more_rows() -> None:
    """Fills every list the demo leaves shorter than MANY rows (the register, holds, runs, requests, tokens, cases),
    or that its sweep empties (health data), so that each page has a full page of rows to show."""
    sweep_run(batch_size=5)  # the deletion protocol: a batch for each 5 records the demo has due
    f.EventHealthDataFactory.create_batch(MANY)  # the sweep deleted most of the demo's
    SweepRun.objects.bulk_create(
        SweepRun(today=timezone.localdate() - datetime.timedelta(days=i), dry_run=True, status=SweepRun.Status.FINISHED)
        for i in range(MANY)
    )
    subjects = list(DataSubject.objects.filter(erased_at=None, is_blocked=False).order_by("pk")[:MANY])
    activities = _more_register()
    _more_consents(activities, subjects, User.objects.get(username="dpo"))
    _more_requests(subjects)
    _more_screening()


def _queries(client, url) -> tuple[int, int]:
    """The queries one request of the page ran, and how many rows it showed."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), len(response.context["cl"].result_list)


# How many list pages each role opens, so that a slip in the permissions cannot leave this test checking nothing:
# the DPO all but auth's two (the superuser's), the auditor those but health data (a special category), support the
# people, their records and the consent purposes. Display methods may differ with the permissions: each role is run.
PAGES = {"dpo_user": 35, "auditor_user": 34, "support_user": 9}


@pytest.mark.django_db
@pytest.mark.parametrize("role", PAGES)
def test_no_list_page_queries_per_row(request, settings, tmp_path, client, rf, monkeypatch, role):
    user = request.getfixturevalue(role)  # before the demo, whose users of the same names it then finds
    settings.DEMO_MODE = True
    settings.RETENTION_JOURNAL_DIR = str(tmp_path / "journal")
    call_command("load_demo", verbosity=0)
    _more_rows()
    client.force_login(user)
    as_user = rf.get("/")
    as_user.user = user
    opened, short, per_row = [], {}, {}
    # The list pages the role finds on the admin's start page.
    for page in (model for app in admin.site.get_app_list(as_user) for model in app["models"]):
        if not (url := page.get("admin_url")):
            continue
        model_admin = admin.site.get_model_admin(page["model"])
        opened.append(label := page["model"]._meta.label)
        monkeypatch.setattr(model_admin, "list_per_page", FEW)
        client.get(url)  # warms the per-process caches (content types) first
        few, few_rows = _queries(client, url)
        monkeypatch.setattr(model_admin, "list_per_page", MANY)
        many, many_rows = _queries(client, url)
        if (few_rows, many_rows) != (FEW, MANY):
            short[label] = many_rows
        if many != few:
            per_row[label] = (few, many)
    assert len(opened) == PAGES[role], opened
    assert not short, f"lists shorter than {MANY} rows, which _more_rows() should fill: {short}"
    assert not per_row, f"list pages whose queries grow with the rows ({FEW} rows, {MANY} rows): {per_row}"
