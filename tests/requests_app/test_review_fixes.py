"""Regressions from the review of requests_app: bad input is refused with a translated error and changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from consents.models import Objection
from dpo_portal.models import ProcessingActivity
from requests_app.models import DataSubjectRequest, IdentityResult, RequestItem, RequestType, TimelineEntry
from requests_app.models.request import validate_received_not_future
from requests_app.selectors import support_queue
from requests_app.services import (
    ItemSpec,
    erasure_item_fulfil,
    objection_item_decide,
    request_identity_record,
    request_log,
    request_transition,
)
from subjects.models import DataSubject
from tests.factories import DataSubjectRequestFactory, request_with, subject_with_everything

from .helpers import intake, item_url, letter_url, step_url, submit_button

pytestmark = pytest.mark.django_db
State = DataSubjectRequest.State


def _codes(errors) -> set[str]:
    return {e.code for e in errors}


def _activity(code):
    return ProcessingActivity.objects.get(code=code)


# --- 1. a receipt before the GDPR applied ------------------------------------------------------------


@pytest.mark.parametrize("received_at", ["0001-01-01T00:30", "2018-05-24T23:30"])
def test_the_intake_form_refuses_a_receipt_before_the_gdpr_applied(support_client, register, received_at):
    response = intake(support_client, kinds=["access"], received_at=received_at)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert _codes(errors.as_data()["received_at"]) == {"before_gdpr"}
    assert "kann nicht vor dem 25.05.2018 liegen" in str(errors["received_at"])
    with translation.override("en"):  # the date in the format of the language the error is read in
        assert "cannot be before 25/05/2018" in str(errors["received_at"])
    assert not DataSubjectRequest.objects.exists()
    # ... and the pages that list requests still work.
    assert support_client.get(reverse("requests_app:queue")).status_code == 200


def test_the_first_day_of_the_gdpr_is_accepted(support_client, register):
    intake(support_client, kinds=["access"], received_at="2018-05-25T00:30")
    assert timezone.localdate(DataSubjectRequest.objects.get().received_at) == datetime.date(2018, 5, 25)


def test_the_service_and_the_model_refuse_a_year_1_receipt(support_user, register):
    # +02:00: converting this to UTC would leave year 1 (the overflow behind the 500).
    year_1 = datetime.datetime(1, 1, 1, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    with pytest.raises(ValidationError) as exc:
        request_log(
            actor=support_user,
            channel="phone",
            received_at=year_1,
            requester_name="Erika Mustermann",
            requester_phone="+49 4102 12345",
            items=[ItemSpec(kind=RequestType.ACCESS)],
        )
    assert _codes(exc.value.error_dict["received_at"]) == {"before_gdpr"}
    assert not DataSubjectRequest.objects.exists()
    with pytest.raises(ValidationError):
        validate_received_not_future(year_1)
    request = DataSubjectRequestFactory.build(received_at=datetime.datetime(2017, 1, 1, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError) as exc:
        request.full_clean(exclude=["receipt_number", "subject"])
    assert _codes(exc.value.error_dict["received_at"]) == {"before_gdpr"}


def test_an_eml_dated_before_the_gdpr_is_refused(support_client, register):
    eml = (
        b"From: Erika Mustermann <erika@example.org>\r\n"
        b"Subject: Auskunft\r\n"
        b"Date: Mon, 01 Jan 1000 00:30:00 +0100\r\n"
        b"\r\n"
        b"Bitte um Auskunft.\r\n"
    )
    upload = SimpleUploadedFile("alt.eml", eml, content_type="message/rfc822")
    response = support_client.post(
        reverse("requests_app:intake"),
        {"channel": "phone", "language": "de", "identity_result": "pending", "kinds": ["access"], "eml": upload},
    )
    assert response.status_code == 200
    assert _codes(response.context["form"].errors.as_data()["eml"]) == {"before_gdpr"}
    assert not DataSubjectRequest.objects.exists()


# --- 2. an identity result needs a method, on every path -----------------------------------------------


@pytest.mark.parametrize("result", ["verified", "failed"])
def test_intake_refuses_an_identity_result_without_a_method(support_client, register, result):
    response = intake(support_client, kinds=["access"], identity_method="", identity_result=result)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert _codes(errors.as_data()["identity_method"]) == {"method"}
    with translation.override("en"):
        assert "Choose how the identity was checked." in str(errors["identity_method"])
    assert not DataSubjectRequest.objects.exists()


def test_the_admin_path_keeps_refusing_an_identity_result_without_a_method(dpo_user, register):
    req = request_with(RequestType.ACCESS, state=State.RECEIVED, identity_method="", identity_result="pending")
    with pytest.raises(ValidationError) as exc:
        request_identity_record(request=req, method="", result="verified", actor=dpo_user)
    assert _codes(exc.value.error_dict["identity_method"]) == {"method"}
    req.refresh_from_db()
    assert req.identity_result == IdentityResult.PENDING


# --- 3. fulfilment needs a verified identity, also after it was changed ------------------------------


@pytest.mark.parametrize("result", ["failed", "pending"])
def test_no_right_is_fulfilled_once_the_identity_is_no_longer_verified(dpo_user, dpo_client, register, result):
    subject = subject_with_everything()
    req = request_with(RequestType.ERASURE, RequestType.ACCESS, subject=subject)  # in progress, verified
    request_identity_record(request=req, method="other", result=result, actor=dpo_user)
    req.refresh_from_db()
    assert req.state == State.IN_PROGRESS
    erasure = req.items.get(kind=RequestType.ERASURE)
    with pytest.raises(ValidationError) as exc:
        erasure_item_fulfil(item=erasure, actor=dpo_user)
    assert exc.value.code == "identity"
    erasure.refresh_from_db()
    assert not erasure.is_done
    assert DataSubject.objects.get(pk=subject.pk).erased_at is None
    access = req.items.get(kind=RequestType.ACCESS)
    page = dpo_client.post(item_url(access), {"fmt": "json"}, follow=True).content.decode()
    assert "Prüfen Sie die Identität" in page  # an existing msgid
    access.refresh_from_db()
    assert not access.is_done


# --- 4. an objection is decided only on a request in progress with a verified identity ------------


def test_an_objection_is_not_decided_on_an_unverified_or_closed_request(support_client, dpo_client, register):
    subject = subject_with_everything()
    intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=_activity("surveys").pk,
        identity_method="",
        identity_result="pending",
    )
    req = DataSubjectRequest.objects.get()
    item = req.items.get()
    for state in (State.RECEIVED, State.REJECTED):
        if state == State.REJECTED:
            dpo_client.post(step_url(req, "transition"), {"action": "reject", "reason": "identity"})
            req.refresh_from_db()
            assert req.state == State.REJECTED
        page = dpo_client.post(item_url(item), {"decision": "upheld", "reasons": "x"}, follow=True).content.decode()
        assert "Bearbeitung" in page  # "Start processing the request first", an existing msgid
        item.refresh_from_db()
        assert not item.is_done
        assert Objection.objects.get(subject=subject).status == Objection.Status.PENDING


def test_a_marketing_objection_still_takes_effect_at_intake_without_an_identity_check(support_client, register):
    subject = subject_with_everything()
    marketing = ProcessingActivity.objects.filter(is_marketing=True, objection_possible=True).first()
    intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=marketing.pk,
        identity_method="",
        identity_result="pending",
    )
    item = RequestItem.objects.get()
    assert item.request.state == State.RECEIVED
    assert item.outcome == RequestItem.Outcome.UPHELD
    assert Objection.objects.get(subject=subject).status == Objection.Status.UPHELD


def test_the_consents_admin_waits_for_the_request_or_decides_alone_once_it_is_closed(
    support_client, dpo_client, dpo_user, register
):
    subject = subject_with_everything()
    intake(support_client, subject=subject.pk, kinds=["objection"], objection_activity=_activity("surveys").pk)
    req = DataSubjectRequest.objects.get()
    item = req.items.get()
    objection = Objection.objects.get(subject=subject)
    url = reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"])
    # Open but not in progress: refused with the request's reason, nothing decided.
    response = dpo_client.post(url, {"reasons": "Keine zwingenden Gründe."})
    assert response.status_code == 200
    assert response.content.decode().count("Beginnen Sie zuerst die Bearbeitung") == 1  # shown once
    objection.refresh_from_db()
    assert objection.status == Objection.Status.PENDING
    # The request is withdrawn: its line no longer holds the objection, the consents app decides it alone.
    request_transition(request=req, action="withdraw", actor=dpo_user)
    assert dpo_client.post(url, {"reasons": "Keine zwingenden Gründe."}).status_code == 302
    objection.refresh_from_db()
    item.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD and not item.is_done


def test_the_service_refuses_a_decision_before_processing(dpo_user, register):
    req = request_with({"kind": RequestType.OBJECTION, "activity": _activity("surveys")}, state=State.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        objection_item_decide(item=req.items.get(), upheld=True, reasons="x", actor=dpo_user)
    assert exc.value.code == "not_in_progress"
    assert not Objection.objects.exists()


# --- 5. the access report changes state on POST only, with CSRF ---------------------------------------


def test_a_get_does_not_fulfil_the_access_right(dpo_client, register):
    subject = subject_with_everything()
    req = request_with(RequestType.ACCESS, subject=subject)
    item = req.items.get()
    response = dpo_client.get(item_url(item), {"fmt": "json"})
    assert response.status_code == 405
    item.refresh_from_db()
    assert not item.is_done
    assert not AuditEntry.objects.filter(action="export", subject_id=subject.pk).exists()
    assert not req.timeline.filter(kind=TimelineEntry.Kind.FULFILMENT).exists()


def test_the_access_buttons_post_with_a_csrf_token(dpo_user, register):
    req = request_with(RequestType.ACCESS, subject=subject_with_everything())
    item = req.items.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(dpo_user)
    assert client.post(item_url(item), {"fmt": "json"}).status_code == 403  # no token: refused
    item.refresh_from_db()
    assert not item.is_done
    page = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    pdf = submit_button(client, page, "access-pdf-en")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    item.refresh_from_db()
    assert item.is_done and item.result == {"language": "en"}
    # Done: the page offers it again, also by POST.
    again = submit_button(client, page, f"access-json-{req.language}")
    assert again["Content-Type"] == "application/json"


# --- 5b. letters are issued on POST only, with CSRF -----------------------------------------------------


def _letter_records(req) -> tuple[int, int]:
    """What issuing a letter writes: timeline entries of kind letter, and export audit entries."""
    return (
        req.timeline.filter(kind=TimelineEntry.Kind.LETTER).count(),
        AuditEntry.objects.filter(action="export", detail__startswith="letter ").count(),
    )


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_a_get_does_not_issue_a_letter(dpo_client, register, fmt):
    req = request_with(RequestType.ACCESS, subject=subject_with_everything())
    response = dpo_client.get(letter_url(req, "receipt"), {"fmt": fmt})
    assert response.status_code == 405
    assert _letter_records(req) == (0, 0)


def test_the_letter_buttons_post_with_a_csrf_token(dpo_user, register):
    req = request_with(RequestType.ACCESS, subject=subject_with_everything())
    client = Client(enforce_csrf_checks=True)
    client.force_login(dpo_user)
    assert client.post(letter_url(req, "receipt"), {"fmt": "pdf"}).status_code == 403  # no token: refused
    assert _letter_records(req) == (0, 0)
    page = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    pdf = submit_button(client, page, "letter-receipt")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert _letter_records(req) == (1, 1)


# --- 6. a tampered notification id ---------------------------------------------------------------------


@pytest.mark.parametrize("notification", ["abc", "", "²", "99999999999999999999"])
def test_a_non_numeric_notification_id_is_not_found(dpo_client, register, notification):
    req = request_with(RequestType.ERASURE)
    dpo_client.raise_request_exception = True
    response = dpo_client.post(step_url(req, "notified"), {"notification": notification, "notified_on": "2025-01-01"})
    assert response.status_code == 404


# --- 7. the prefill by subject id is audited like the search ----------------------------------------


def test_prefilling_the_intake_form_is_audited_without_values(support_client, register):
    subject = subject_with_everything()
    page = support_client.get(reverse("requests_app:intake"), {"subject": subject.pk}).content.decode()
    assert subject.last_name in page
    # Choosing a person is not an empty search: no "required" error, no "nobody found".
    assert "zwingend erforderlich" not in page and "Niemand gefunden" not in page
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, subject_id=subject.pk).get()
    assert "last_name" in entry.fields and "emailaddress" in entry.fields
    assert entry.actor_name == "support"
    assert subject.last_name not in entry.detail and subject.last_name not in str(entry.fields)
    # Posting the form shows nothing new of the person: no second entry (the receipt is a view of the request).
    intake(support_client, subject=subject.pk, kinds=["access"])
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, subject_id=subject.pk)
    assert views.filter(object_type="subjects.datasubject").count() == 1


# --- 8. the support queue: open requests first on every database --------------------------------------


def test_the_support_queue_lists_open_requests_first(support_user, register):
    closed = request_with(RequestType.ACCESS, state=State.COMPLETED, logged_by=support_user)
    DataSubjectRequest.objects.filter(pk=closed.pk).update(closed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    open_ = request_with(RequestType.ACCESS, state=State.RECEIVED, logged_by=support_user)
    assert [r.pk for r in support_queue(support_user)] == [open_.pk, closed.pk]


# --- 9. a complaint on a closed request ---------------------------------------------------------------


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.COMPLETED, State.REJECTED])
def test_a_complaint_on_a_closed_request_is_not_answered(dpo_client, register, state):
    req = request_with(RequestType.COMPLAINT, state=state)
    item = req.items.get()
    page = dpo_client.post(item_url(item), {"answer": "Antwort"}, follow=True).content.decode()
    assert "Der Antrag ist abgeschlossen." in page  # an existing msgid
    item.refresh_from_db()
    assert not item.is_done
    assert not req.timeline.filter(kind=TimelineEntry.Kind.MESSAGE_OUT).exists()


def test_a_complaint_on_an_open_request_is_answered(dpo_client, register):
    req = request_with(RequestType.COMPLAINT, state=State.RECEIVED)
    item = req.items.get()
    dpo_client.post(item_url(item), {"answer": "Antwort"})
    item.refresh_from_db()
    assert item.is_done
