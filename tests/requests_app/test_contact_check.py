"""The support desk's answer to "may we contact this person for this purpose on this channel?" (R22)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from consents.selectors import Reason
from consents.services import consent_withdraw
from requests_app.forms import CONTACT_REASONS
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EmailAddressFactory, consent_on_paper
from tests.requests_app.helpers import search

pytestmark = pytest.mark.django_db

URL = reverse("requests_app:contact_check")


@pytest.fixture
def anna(register):
    subject = DataSubjectFactory(first_name="Anna", last_name="Schmidt")
    EmailAddressFactory(subject=subject, email="anna@example.org")
    consent_on_paper(subject, "marketing-communication")
    return subject


def _check(client, **data):
    return client.post(URL, {"channel": "email", **data})


def test_support_reaches_the_check_from_every_desk_page(support_client, register):
    for name in ("queue", "intake", "contact_check"):
        page = support_client.get(reverse(f"requests_app:{name}")).content.decode()
        assert f'href="{URL}">Kontakt erlaubt?</a>' in page, name


def test_it_says_yes_for_a_person_with_consent(support_client, anna):
    response = _check(support_client, subject=anna.pk, purpose="marketing-communication")
    page = response.content.decode()
    assert response.context["decision"].allowed
    assert 'id="contact-decision"' in page and "Ja: Kontakt für diesen Zweck auf diesem Kanal ist erlaubt." in page


def test_it_says_no_with_the_reasons_in_words(support_client, anna):
    consent_withdraw(subject=anna, purpose_code="marketing-communication", channel="phone")
    response = _check(support_client, subject=anna.pk, purpose="marketing-communication")
    page = response.content.decode()
    # A ContactDecision that says no is falsy: the page must show it all the same.
    assert "Nein: Kontaktieren Sie die Person für diesen Zweck auf diesem Kanal nicht." in page
    assert "Die Person hat ihre Einwilligung widerrufen." in page
    assert "consent_withdrawn" not in page
    response = _check(support_client, subject=anna.pk, purpose="marketing-communication", channel="post")
    assert "Der Zweck umfasst diesen Kanal nicht." in response.content.decode()


def test_it_answers_by_email_address_also_for_someone_erased(support_client, anna):
    from consents.services import suppression_add

    assert _check(support_client, email="ANNA@example.org", purpose="marketing-communication").context["decision"]
    suppression_add(emails=["gone@example.org"], reason="erasure DSR-2026-00001")
    page = _check(support_client, email="gone@example.org", purpose="surveys").content.decode()
    assert "Die Adresse steht auf der Sperrliste." in page
    page = _check(support_client, email="nobody@example.org", purpose="surveys").content.decode()
    assert "Zu dieser E-Mail-Adresse ist niemand bekannt." in page


def test_it_asks_for_a_person_or_an_address_and_a_purpose(support_client, register):
    response = _check(support_client, purpose="")
    form = response.context["form"]
    assert form.errors["email"] == ["Wählen Sie oben die Person oder geben Sie eine E-Mail-Adresse ein."]
    assert "purpose" in form.errors
    assert "decision" not in response.context
    assert "E-Mail-Adresse" in str(_check(support_client, email="anna@", purpose="surveys").context["form"].errors)


def test_it_offers_no_purpose_of_special_categories(support_client, register):
    page = support_client.get(URL).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', page.split('name="purpose"')[1].split("</select>")[0])
    assert "event-health-data" not in offered  # whether one consented to give health data is itself health data
    assert {"marketing-communication", "surveys", "product-news"} <= set(offered)
    response = _check(support_client, subject=DataSubjectFactory().pk, purpose="event-health-data")
    assert "purpose" in response.context["form"].errors and "decision" not in response.context


def test_it_finds_the_person_by_the_desk_s_search(support_client, anna):
    page = search(support_client, URL, "Schmitt Anna").content.decode()
    assert f'href="?subject={anna.pk}"' in page
    page = support_client.get(URL, {"subject": anna.pk}).content.decode()
    assert 'id="chosen-subject"' in page and f'name="subject" value="{anna.pk}"' in page


def test_each_check_is_audited_without_personal_data(support_client, support_user, anna):
    _check(support_client, subject=anna.pk, purpose="marketing-communication")
    entry = AuditEntry.objects.filter(detail__startswith="support contact check").get()
    assert entry.subject_id == anna.pk and entry.actor_id == support_user.pk
    assert entry.detail == "support contact check: marketing-communication by email"
    _check(support_client, email="anna@example.org", purpose="surveys")
    entry = AuditEntry.objects.filter(detail__startswith="support contact check").order_by("seq").last()
    assert "anna" not in entry.detail and entry.subject_id is None


def test_every_reason_has_words_for_support(register):
    codes = {v for k, v in vars(Reason).items() if k.isupper() and isinstance(v, str)}
    assert codes == set(CONTACT_REASONS)


def test_it_answers_in_english(support_client, anna):
    DataSubject.objects.filter(pk=anna.pk).update(restricted_at=timezone.now())
    response = support_client.post(
        URL, {"subject": anna.pk, "purpose": "marketing-communication", "channel": "email"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert "No: do not contact the person for this purpose on this channel." in page
    assert "Processing of the person&#x27;s data is restricted." in page


def test_only_the_support_desk_s_users_may_ask(auditor_client, client, register):
    assert auditor_client.get(URL).status_code == 403
    assert (
        auditor_client.post(URL, {"email": "a@example.org", "purpose": "surveys", "channel": "email"}).status_code
        == 403
    )
    assert "/login/" in client.get(URL).url


def test_the_language_buttons_keep_the_search_results_and_what_was_typed(support_client, anna):
    """They send the check's form along: it comes back in English with the results and the input, and checks nothing."""
    page = search(support_client, URL, "Schmidt").content.decode()
    buttons = re.findall(r"<button[^>]*switch_language[^>]*>", page)
    assert len(buttons) == 2 and all('form="contact-check-form"' in b for b in buttons)
    typed = {"q": "Schmidt", "email": "someone@example.org", "purpose": "marketing-communication", "channel": "post"}
    response = support_client.post(URL, {**typed, "switch_language": "en"})
    assert response.cookies["django_language"].value == "en"
    assert [s.pk for s in response.context["search_results"]] == [anna.pk]
    page = response.content.decode()
    assert "May we contact this person?" in page and 'value="someone@example.org"' in page
    assert 'value="post" selected' in page and 'value="marketing-communication" selected' in page
    assert "decision" not in response.context and not response.context["form"].is_bound
    assert not AuditEntry.objects.filter(detail__startswith="support contact check").exists()
