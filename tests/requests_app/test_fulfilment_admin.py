"""The DPO fulfils each right from the request page in the admin: the data really changes."""

import datetime
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from requests_app.models import DataSubjectRequest, RecipientNotification, RequestItem, RequestType, TimelineEntry
from subjects.models import EmailAddress, InteractionProfile, Order, PostalAddress, RestrictionGround, Source
from tests.factories import (
    DataSubjectRequestFactory,
    RequestItemFactory,
    request_with,
    subject_with_everything,
)

from .helpers import item_url, step_url

pytestmark = pytest.mark.django_db


def test_access_report_lists_everything_in_german_as_pdf_html_and_json(dpo_client, register):
    subject = subject_with_everything(first_name="Maria", last_name="Weber")
    req = request_with(RequestType.ACCESS, subject=subject)
    item = req.items.get()
    data = json.loads(dpo_client.post(item_url(item, "access"), {"fmt": "json", "language": "de"}).content)
    kinds = {k["kind"] for k in data["records"]}
    assert {"emailaddress", "order", "paymentmethod", "eventhealthdata", "adconversion"} <= kinds
    activity = next(a for a in data["activities"] if a["code"] == "google-ads-conversion")
    assert any(r["third_country"] for r in activity["recipients"])
    assert activity["retention"] and activity["purpose"]
    assert data["authority"]["name"]
    html = dpo_client.post(item_url(item, "access"), {"fmt": "html", "language": "de"}).content.decode()
    assert "Auskunft (Art. 15 DSGVO)" in html
    assert "Beschwerderecht bei einer Aufsichtsbehörde" in html
    english = dpo_client.post(item_url(item, "access"), {"fmt": "html", "language": "en"}).content.decode()
    assert "Access report (Art. 15 GDPR)" in english
    pdf = dpo_client.post(item_url(item, "access"), {"fmt": "pdf", "language": "de"})
    assert pdf["Content-Type"] == "application/pdf"
    assert f'{req.receipt_number}-auskunft.pdf"' in pdf["Content-Disposition"]
    english_pdf = dpo_client.post(item_url(item, "access"), {"fmt": "pdf", "language": "en"})
    assert f'{req.receipt_number}-access-report.pdf"' in english_pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")
    item.refresh_from_db()
    assert item.is_done
    assert AuditEntry.objects.filter(action="export", subject_id=subject.pk).count() == 5


def test_access_report_query_count_does_not_grow_with_records(register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.access_report import access_report_data
    from subjects.selectors import record_models
    from tests.factories import CommunicationFactory, EmailAddressFactory, OrderFactory

    subject = subject_with_everything()
    access_report_data(subject, language="de")  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        access_report_data(subject, language="de")
    for factory in (EmailAddressFactory, OrderFactory, CommunicationFactory):
        factory.create_batch(8, subject=subject)
    with CaptureQueriesContext(connection) as many:
        access_report_data(subject, language="de")
    assert len(many) == len(few)
    assert len(few) <= len(record_models()) + 20  # one query per kind of record, plus register and rules


def test_copy_is_a_zip_of_provided_data_without_derived_or_restricted_records(dpo_client, register):
    subject = subject_with_everything()
    EmailAddress.objects.filter(subject=subject).update(restricted_at=datetime.datetime.now(datetime.UTC))
    InteractionProfile.objects.filter(subject=subject).update(source=Source.DERIVED)
    req = request_with(
        {
            "kind": RequestType.COPY,
            "export_format": "both",
            "copy_recipient": "controller",
            "copy_recipient_name": "Neue GmbH",
        },
        subject=subject,
    )
    response = dpo_client.post(item_url(req.items.get(), "copy"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"data.json", "README.txt", "identity.csv", "order.csv"} <= names
    assert "interactionprofile.csv" not in names  # derived, not provided (Art. 20)
    assert "emailaddress.csv" not in names  # restricted (Art. 18(2))
    assert "Neue GmbH" in archive.read("README.txt").decode()
    item = RequestItem.objects.get(request=req)
    assert item.result["recipient"] == "controller" and len(item.result["sha256"]) == 64
    # The portal's note in both languages, the controller's name as written.
    assert (item.outcome_note, item.outcome_note_en) == ("Kopie für Neue GmbH", "Copy for Neue GmbH")


def test_restriction_marks_the_person_and_every_record_and_lists_recipients(dpo_client, register):
    subject = subject_with_everything()
    req = request_with({"kind": RequestType.RESTRICTION, "restriction_ground": "accuracy"}, subject=subject)
    dpo_client.post(item_url(req.items.get(), "restriction"))
    subject.refresh_from_db()
    assert subject.restriction_ground == RestrictionGround.ACCURACY_CONTESTED
    assert not Order.objects.filter(subject=subject).processable().exists()
    assert RecipientNotification.objects.filter(request=req, kind="restriction").exists()
    # Lifting needs the day the person was told, beforehand.
    dpo_client.post(step_url(req, "lift"), {"told_on": ""})
    subject.refresh_from_db()
    assert subject.restricted_at is not None
    dpo_client.post(step_url(req, "lift"), {"told_on": datetime.date.today().isoformat()})
    subject.refresh_from_db()
    assert subject.restricted_at is None
    assert Order.objects.filter(subject=subject).processable().exists()


def test_rectification_names_changed_fields_and_lists_art19_recipients(dpo_client, register):
    subject = subject_with_everything(last_name="Meyer")
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Name falsch"}, subject=subject)
    item = req.items.get()
    response = dpo_client.post(item_url(item, "rectification"), follow=True)
    assert "nichts berichtigt" in response.content.decode()
    from subjects.services import subject_update

    subject_update(subject=subject, last_name="Maier")
    dpo_client.post(item_url(item, "rectification"))
    item.refresh_from_db()
    assert item.result["fields"] == ["datasubject.last_name"]
    pending = RecipientNotification.objects.filter(request=req, kind="rectification")
    assert pending.exists()
    notification = pending.first()
    dpo_client.post(step_url(req, "notified"), {"notification": notification.pk, "notified_on": "2999-01-01"})
    notification.refresh_from_db()
    assert notification.notified_on is None
    dpo_client.post(
        step_url(req, "notified"), {"notification": notification.pk, "notified_on": datetime.date.today().isoformat()}
    )
    notification.refresh_from_db()
    assert notification.notified_on == datetime.date.today()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Berichtigt: betroffene Person – Nachname, Postanschrift – Ort"),
        ("en", "Rectified: data subject – last name, postal address – city"),
    ],
)
def test_the_timeline_names_the_corrected_fields_in_the_pages_language(dpo_client, register, language, expected):
    from audit.services import Action, audit_record
    from subjects.services import subject_update

    subject = subject_with_everything(last_name="Meyer")
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Name und Ort falsch"}, subject=subject)
    subject_update(subject=subject, last_name="Maier")
    address = PostalAddress.objects.get(subject=subject)
    address.city = "Ahrensburg"
    address.save()
    audit_record(address, Action.CHANGE, fields=["city"])
    dpo_client.post(item_url(req.items.get(), "rectification"), headers={"accept-language": language})
    entry = req.timeline.filter(kind=TimelineEntry.Kind.FULFILMENT).get()
    # Written in both languages whoever acted, read in the page's.
    with translation.override(language):
        assert entry.text_shown == expected
    # The machine-readable names stay as they were, for the letter and the exports.
    assert req.items.get().result["fields"] == ["datasubject.last_name", "postaladdress.city"]


def test_a_withdrawal_or_a_sweep_in_the_meantime_is_no_correction(dpo_client, register):
    from consents.services import consent_withdraw
    from retention.sweep import sweep_run
    from tests.factories import EventRegistrationFactory, consent_on_paper

    subject = subject_with_everything(last_name="Meyer")
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Name falsch"}, subject=subject)
    consent_on_paper(subject, "affiliate-transfer")
    consent_withdraw(subject=subject, purpose_code="affiliate-transfer", channel="paper")
    # Withdrawing the consent to share participant data stops sharing the registrations: no correction either.
    consent_on_paper(subject, "event-participant-sharing")
    EventRegistrationFactory(subject=subject, share_with_participants=True)
    consent_withdraw(subject=subject, purpose_code="event-participant-sharing", channel="paper")
    sweep_run()
    response = dpo_client.post(item_url(req.items.get(), "rectification"), follow=True)
    assert "nichts berichtigt" in response.content.decode()
    assert req.items.get().outcome == "" and not RecipientNotification.objects.filter(request=req).exists()


def test_fulfilment_waits_for_processing(dpo_client, register):
    req = request_with(RequestType.ACCESS, state=DataSubjectRequest.State.RECEIVED)
    response = dpo_client.post(item_url(req.items.get(), "access"), {"fmt": "json"}, follow=True)
    assert "Beginnen Sie zuerst die Bearbeitung" in response.content.decode()


def test_support_and_auditor_cannot_fulfil(support_user, auditor_user, register):
    req = request_with({"kind": RequestType.RESTRICTION, "restriction_ground": "accuracy"})
    item = req.items.get()
    for user in (support_user, auditor_user):
        client = Client()
        client.force_login(user)
        assert client.post(item_url(item, "restriction")).status_code == 403
        assert client.post(item_url(item, "access"), {"fmt": "json"}).status_code == 403
        assert client.post(step_url(req, "transition"), {"action": "complete"}).status_code == 403
    req.subject.refresh_from_db()
    assert req.subject.restricted_at is None


def test_letters_render_in_the_request_language(dpo_client, register):
    req = request_with(RequestType.ACCESS, language="en")
    response = dpo_client.post(reverse("admin:requests_app_request_letter", args=[req.pk, "receipt"]), {"fmt": "html"})
    assert "Confirmation of receipt" in response.content.decode()
    assert req.due_on.strftime("%d/%m/%Y") in response.content.decode()  # English as read in the EU
    german = request_with(RequestType.ACCESS, language="de")
    pdf = dpo_client.post(reverse("admin:requests_app_request_letter", args=[german.pk, "receipt"]))
    assert pdf.content.startswith(b"%PDF")
    refused = dpo_client.post(reverse("admin:requests_app_request_letter", args=[german.pk, "extension"]), follow=True)
    assert "nicht verlängert" in refused.content.decode()


def _list_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:requests_app_datasubjectrequest_changelist"))
    assert response.status_code == 200
    return len(ctx)


def test_the_admin_list_has_a_constant_query_count(dpo_client, register):
    for _ in range(2):
        request_with(RequestType.ACCESS, RequestType.ERASURE)
    few = _list_queries(dpo_client)
    for _ in range(18):
        request_with(RequestType.ACCESS, RequestType.COPY)
    assert _list_queries(dpo_client) == few


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"type": "erasure"}, {"erasure"}), ({"deadline": "overdue"}, {"overdue"}), ({"state": "received"}, {"received"})],
)
def test_the_admin_list_filters(dpo_client, register, query, expected):
    now = datetime.datetime.now(datetime.UTC)
    erasure = request_with(RequestType.ERASURE)
    overdue = DataSubjectRequestFactory(received_at=now - datetime.timedelta(days=50), state="in_progress")
    RequestItemFactory(request=overdue)
    received = request_with(RequestType.COMPLAINT, state="received")
    names = {erasure.pk: "erasure", overdue.pk: "overdue", received.pk: "received"}
    response = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_changelist"), query)
    assert {names[r.pk] for r in response.context["cl"].result_list} == expected


def test_the_request_page_shows_the_workflow_panel(dpo_client, register):
    req = request_with(RequestType.ACCESS, RequestType.ERASURE)
    page = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])).content.decode()
    assert 'id="workflow"' in page and "Auskunft" in page


def test_the_request_page_and_letters_read_well(dpo_client, register):
    """Timeline channels are labels, times local; the access report's HTML opens in its own tab; a letter's sender
    line has no empty parts."""
    import time_machine

    from dpo_portal.models import Organisation
    from requests_app.models import TimelineEntry

    req = request_with(RequestType.ACCESS, language="de")
    with time_machine.travel(datetime.datetime(2026, 11, 24, 6, 22, tzinfo=datetime.UTC), tick=False):
        entry = TimelineEntry.objects.create(
            request=req, kind="in", channel="letter", at=datetime.datetime.now(datetime.UTC)
        )
    assert str(entry).startswith("24.11.2026 07:22")  # Berlin, not UTC; in the German notation
    page = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])).content.decode()
    assert "Brief" in page and ">letter<" not in page
    assert 'target="_blank"' in page  # the HTML access report
    Organisation.objects.filter(pk=Organisation.controller().pk).update(street="", postal_code="", city="")
    letter = dpo_client.post(reverse("admin:requests_app_request_letter", args=[req.pk, "receipt"]), {"fmt": "html"})
    assert "· ·" not in letter.content.decode()


@pytest.mark.parametrize(
    ("state", "post", "german", "english"),
    [
        ("received", {"action": "identity_check"}, "Die Identitätsprüfung hat begonnen.", "identity check has begun"),
        ("received", {"action": "process"}, "Die Bearbeitung des Antrags hat begonnen.", "Processing of the request"),
        ("in_progress", {"action": "wait"}, "Der Antrag wartet jetzt auf den Antragsteller.", "now waits for"),
        ("in_progress", {"action": "complete"}, "Der Antrag wurde abgeschlossen.", "The request was completed."),
        ("in_progress", {"action": "reject", "reason": "no_data"}, "Der Antrag wurde abgelehnt.", "was rejected."),
        ("in_progress", {"action": "withdraw"}, "als vom Antragsteller zurückgezogen erfasst", "recorded as withdrawn"),
    ],
)
def test_each_workflow_step_says_what_happened(dpo_client, register, state, post, german, english):
    for language, expected in (("de", german), ("en", english)):
        req = request_with(RequestType.COMPLAINT, state=state)
        req.items.update(done_at=timezone.now(), outcome="fulfilled")
        page = dpo_client.post(step_url(req, "transition"), post, follow=True, headers={"accept-language": language})
        text = page.content.decode()
        assert expected in text and "weitergeführt" not in text and "moved on" not in text
