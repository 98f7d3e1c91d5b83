"""What an inspector asks about one person, answered on their page: what is held and on which basis, their requests
with deadlines, their consent history as proof, and their sanctions screening."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import DataSubjectRequest
from screening.services import list_import, list_parse, subjects_screen
from tests.factories import consent_on_paper, request_with, subject_with_everything
from tests.screening.conftest import EU_XML

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctions_lists(db):
    return list_import(parsed=list_parse(path=EU_XML, fmt="eu-xml"))[0]


@pytest.fixture
def auditor_client(client, auditor_user):
    client.force_login(auditor_user)
    return client


def _page(client, subject, language="en"):
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_legal_basis_of_what_is_held(register, auditor_client):
    page = _page(auditor_client, subject_with_everything())
    assert "Art. 6(1)(b) GDPR – contract" in page
    assert "Art. 6 Abs. 1 lit. b DSGVO – Vertrag" in _page(auditor_client, subject_with_everything(), "de")


def test_it_lists_the_person_s_requests_with_their_deadlines(register, auditor_client):
    subject = subject_with_everything()
    req = request_with("access", subject=subject, state=DataSubjectRequest.State.COMPLETED)
    req.closed_at = timezone.now()
    req.save(update_fields=["closed_at"])
    page = _page(auditor_client, subject)
    assert reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk]) in page
    assert req.receipt_number in page
    assert "yes – answered" in page and "before the deadline" in page


def test_it_says_when_a_request_was_answered_late(register):
    req = request_with("access", state=DataSubjectRequest.State.COMPLETED)
    req.closed_at = timezone.make_aware(datetime.datetime.combine(req.due_on, datetime.time(12))) + datetime.timedelta(
        days=3
    )
    assert req.days_to_spare == -3
    req.state = DataSubjectRequest.State.WITHDRAWN
    assert req.days_to_spare is None


def test_it_leads_the_auditor_to_the_person_s_consent_history(register, auditor_client):
    subject = subject_with_everything()
    consent_on_paper(subject, "product-news")
    url = f"{reverse('admin:consents_consent_history_csv')}?subject={subject.pk}"
    assert url in _page(auditor_client, subject)
    csv = auditor_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert csv.status_code == 200 and b"product-news" in csv.content


def test_support_is_offered_no_consent_history(register, client, support_user):
    subject = subject_with_everything()
    client.force_login(support_user)
    response = client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("admin:consents_consent_history_csv") not in page


def test_it_says_when_the_person_was_screened_and_on_which_basis(register, auditor_client, sanctions_lists):
    subject = subject_with_everything()
    assert "No screening of this person has been recorded yet." in _page(auditor_client, subject)
    subjects_screen(subject_ids=[subject.pk], trigger="weekly")
    subject.refresh_from_db()
    assert subject.screened_at is not None
    page = _page(auditor_client, subject)
    assert "Last screened against the active sanctions lists on" in page
    assert "No possible match" in page
    assert "Art. 6(1)(c) GDPR" in page


def test_a_request_file_not_yet_in_the_register_does_not_break_the_page(register, auditor_client):
    """A file taken before the register had its entries has no category or activity yet: the overview sorted None
    against names and the page failed (500)."""
    subject = subject_with_everything()
    req = request_with("access", subject=subject)
    assert req.category_id is None and req.activity_id is None
    assert req.receipt_number in _page(auditor_client, subject)
