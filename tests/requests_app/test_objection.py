"""Objections (Art. 21) logged at the support desk: marketing at once, the rest decided by the DPO."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consents.models import Objection
from consents.selectors import may_contact
from dpo_portal.models import ProcessingActivity
from requests_app.models import DataSubjectRequest, RequestItem
from subjects.models import PhoneNumber, SurveyAnswer
from tests.factories import subject_with_everything

from .helpers import intake, item_url, letter_url, step_url

pytestmark = pytest.mark.django_db


def _activity(code):
    return ProcessingActivity.objects.get(code=code)


def test_a_marketing_objection_takes_effect_at_intake(support_client, register):
    subject = subject_with_everything()
    assert may_contact(purpose_code="existing-customer-marketing", channel="email", subject=subject).allowed
    page = intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=_activity("existing-customer-marketing").pk,
    ).content.decode()
    item = RequestItem.objects.get()
    assert item.outcome == RequestItem.Outcome.UPHELD and item.is_done
    objection = Objection.objects.get(subject=subject)
    assert objection.status == Objection.Status.UPHELD
    # Its request is found through the line, not written into the person's grounds.
    assert RequestItem.for_objection(objection.pk) == item and item.request.receipt_number not in objection.note
    # Every kind of direct marketing stops at once; other processing does not.
    for code in ("existing-customer-marketing", "product-news"):
        assert "objection" in may_contact(purpose_code=code, channel="email", subject=subject).reasons
    assert may_contact(purpose_code="feedback-requests", channel="email", subject=subject).allowed
    assert "Werbewiderspruch ist wirksam" in page


def test_what_the_portal_notes_on_a_marketing_objection_reads_in_the_pages_language(
    support_client, dpo_client, register
):
    """The outcome note and the objection's reasons the portal writes itself are kept in German and English and read in
    the page's language (they were stored in the language of whoever logged the request, German for everyone)."""
    subject = subject_with_everything()
    intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=_activity("existing-customer-marketing").pk,
    )
    item, objection = RequestItem.objects.get(), Objection.objects.get(subject=subject)
    assert item.outcome_note == "Direktwerbung: Widerspruch sofort wirksam (Art. 21 Abs. 3 DSGVO)."
    assert item.outcome_note_en == "Direct marketing: objection effective at once (Art. 21(3) GDPR)."
    assert objection.reasons == "Widerspruch gegen Direktwerbung (Art. 21 Abs. 3 DSGVO)."
    assert objection.reasons_en == "Objection to direct marketing (Art. 21(3) GDPR)."
    request_page = reverse("admin:requests_app_datasubjectrequest_change", args=[item.request_id])
    objection_page = reverse("admin:consents_objection_change", args=[objection.pk])
    for language, note, reasons in (
        ("de", item.outcome_note, objection.reasons),
        ("en", item.outcome_note_en, objection.reasons_en),
    ):
        assert note in dpo_client.get(request_page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert reasons in dpo_client.get(objection_page, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_an_upheld_objection_stops_the_processing_and_ends_its_purpose(support_client, dpo_client, register):
    subject = subject_with_everything()
    page = intake(
        support_client, subject=subject.pk, kinds=["objection"], objection_activity=_activity("surveys").pk
    ).content.decode()
    item = RequestItem.objects.get()
    objection = Objection.objects.get(subject=subject)
    # Recorded at intake, but only the DPO decides; until then the processing pauses.
    assert objection.status == Objection.Status.PENDING and not item.is_done
    assert may_contact(purpose_code="surveys", channel="email", subject=subject).reasons == ["objection_pending"]
    assert "bis der Datenschutzbeauftragte entscheidet" in page

    req = item.request
    dpo_client.post(step_url(req, "transition"), {"action": "process"})
    dpo_client.post(item_url(item), {"decision": "upheld", "reasons": "Keine zwingenden Gründe."})
    item.refresh_from_db()
    objection.refresh_from_db()
    assert item.outcome == RequestItem.Outcome.UPHELD
    assert objection.status == Objection.Status.UPHELD and objection.reasons == "Keine zwingenden Gründe."
    assert objection.reasons_shown == "Keine zwingenden Gründe." and not objection.reasons_en  # the DPO's, as written
    assert "objection" in may_contact(purpose_code="surveys", channel="email", subject=subject).reasons
    # The retention engine is told: the survey answers' purpose has ended (they go under their rule).
    answer = SurveyAnswer.objects.get(subject=subject)
    assert answer.purpose_ended_on == timezone.localdate() and answer.deletable_from is not None
    letter = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert f"Verarbeitung Ihrer Daten für „{_activity('surveys').name_de}“ eingestellt" in letter


def test_a_rejected_objection_records_the_compelling_grounds(support_client, dpo_client, register):
    subject = subject_with_everything()
    intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=_activity("feedback-requests").pk,
    )
    item = RequestItem.objects.get()
    req = item.request
    dpo_client.post(step_url(req, "transition"), {"action": "process"})
    # Grounds are required: without them nothing is decided.
    dpo_client.post(item_url(item), {"decision": "dismissed", "reasons": "  "})
    assert Objection.objects.get(subject=subject).status == Objection.Status.PENDING
    grounds = "Rückfrage zur Reklamation ist zur Vertragserfüllung nötig."
    dpo_client.post(item_url(item), {"decision": "dismissed", "reasons": grounds})
    objection = Objection.objects.get(subject=subject)
    assert objection.status == Objection.Status.REJECTED and objection.reasons == grounds
    item.refresh_from_db()
    assert item.outcome == RequestItem.Outcome.DISMISSED and item.outcome_note == grounds
    assert may_contact(purpose_code="feedback-requests", channel="email", subject=subject).allowed
    assert SurveyAnswer.objects.get(subject=subject).purpose_ended_on is None
    letter = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert grounds in letter


def test_without_a_known_person_the_objection_waits_for_the_dpo(support_client, dpo_client, register):
    intake(support_client, kinds=["objection"], objection_activity=_activity("existing-customer-marketing").pk)
    req = DataSubjectRequest.objects.get()
    assert req.subject is None and not Objection.objects.exists()
    subject = subject_with_everything()
    DataSubjectRequest.objects.filter(pk=req.pk).update(subject=subject)
    dpo_client.post(step_url(req, "transition"), {"action": "process"})
    dpo_client.post(item_url(req.items.get()), {"decision": "upheld", "reasons": "Werbung"})
    assert Objection.objects.get(subject=subject).status == Objection.Status.UPHELD
    assert req.items.get().outcome == RequestItem.Outcome.UPHELD


def test_a_stored_number_that_does_not_parse_does_not_hold_up_the_objection(support_client, register):
    subject = subject_with_everything()
    PhoneNumber.objects.filter(subject=subject).update(number="0800 KUNDEN")  # imported as it was
    intake(
        support_client,
        subject=subject.pk,
        kinds=["objection"],
        objection_activity=_activity("existing-customer-marketing").pk,
    )
    assert RequestItem.objects.get().outcome == RequestItem.Outcome.UPHELD
    assert Objection.objects.get(subject=subject).status == Objection.Status.UPHELD


def test_a_decision_in_the_consents_admin_closes_the_request_line(support_client, dpo_client, register):
    subject = subject_with_everything()
    intake(support_client, subject=subject.pk, kinds=["objection"], objection_activity=_activity("surveys").pk)
    item = RequestItem.objects.get()
    dpo_client.post(step_url(item.request, "transition"), {"action": "process"})
    objection = Objection.objects.get(subject=subject)
    url = reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"])
    assert dpo_client.post(url, {"reasons": "Keine zwingenden Gründe."}).status_code == 302
    item.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert item.is_done and item.outcome == RequestItem.Outcome.UPHELD
    assert item.request.timeline.filter(text__contains="Keine zwingenden Gründe").exists()
    # Decided once: the request's own step now refuses a second decision.
    response = dpo_client.post(item_url(item), {"decision": "dismissed", "reasons": "anders"})
    item.refresh_from_db()
    assert item.outcome == RequestItem.Outcome.UPHELD, response.status_code


def test_the_objection_page_leads_to_the_request_it_came_in_with(support_client, dpo_client, register):
    subject = subject_with_everything()
    intake(support_client, subject=subject.pk, kinds=["objection"], objection_activity=_activity("surveys").pk)
    objection = Objection.objects.get(subject=subject)
    req = RequestItem.objects.get().request
    url = reverse("admin:consents_objection_change", args=[objection.pk])
    request_link = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])

    # Not in progress yet: no decide buttons that could only fail, but the way to the request.
    page = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert request_link in page and "once that is in progress" in page
    assert reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"]) not in page

    dpo_client.post(step_url(req, "transition"), {"action": "process"})
    page = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert request_link in page and reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"]) in page


def test_an_objection_made_again_by_another_request_joins_the_first_and_is_decided_once(
    support_client, dpo_client, register
):
    """consents refuses a second live objection to the same processing: the second request's line joins the first
    objection (it was refused at intake and could never be decided), and the decision closes both lines."""
    subject = subject_with_everything()
    for _ in range(2):  # the second time, support confirms that it is a new request
        intake(
            support_client,
            subject=subject.pk,
            kinds=["objection"],
            objection_activity=_activity("surveys").pk,
            confirm_duplicate="on",
        )
    first, second = RequestItem.objects.order_by("pk")
    objection = Objection.objects.get(subject=subject)
    assert first.result["objection_id"] == second.result["objection_id"] == objection.pk
    assert not first.is_done and not second.is_done
    for item in (first, second):
        dpo_client.post(step_url(item.request, "transition"), {"action": "process"})
    dpo_client.post(item_url(first), {"decision": "upheld", "reasons": "Keine zwingenden Gründe."})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.outcome == second.outcome == RequestItem.Outcome.UPHELD
    assert second.outcome_note == "Keine zwingenden Gründe."


def test_a_marketing_objection_made_again_is_done_at_once(support_client, register):
    subject = subject_with_everything()
    for _ in range(2):
        page = intake(
            support_client,
            subject=subject.pk,
            kinds=["objection"],
            objection_activity=_activity("existing-customer-marketing").pk,
            confirm_duplicate="on",
        ).content.decode()
        assert "konnte noch nicht" not in page
    assert Objection.objects.filter(subject=subject).count() == 1
    items = RequestItem.objects.all()
    assert len(items) == 2 and all(i.outcome == RequestItem.Outcome.UPHELD for i in items)
