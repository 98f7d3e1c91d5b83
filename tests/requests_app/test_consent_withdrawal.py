"""Withdrawal of consent through a support request: effective on receipt, the history unchanged."""

import datetime
import re

import pytest
from django.utils import timezone

from consents.models import Consent
from consents.selectors import consent_covered, may_contact
from consents.services import consent_confirm, consent_give
from requests_app.models import RequestItem
from subjects.models import InteractionProfile
from tests.factories import DataSubjectFactory, EmailAddressFactory, InteractionProfileFactory, request_with

from .helpers import intake, item_url, letter_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(register):
    subject = DataSubjectFactory()
    EmailAddressFactory(subject=subject, email="anna@example.org")
    InteractionProfileFactory(subject=subject)
    given_at = timezone.now() - datetime.timedelta(days=30)
    consent, token = consent_give(
        subject=subject,
        email="anna@example.org",
        purpose_code="product-news",
        text_version=1,
        channel="web_form",
        origin="newsletter form",
        given_at=given_at,
    )
    consent_confirm(token=token, at=given_at + datetime.timedelta(hours=1))
    return subject


def test_it_takes_effect_at_intake_and_leaves_the_history(support_client, dpo_client, subscriber):
    consent = Consent.objects.get(subject=subscriber)
    before = (consent.given_at, consent.text_id, consent.channel, consent.origin, consent.confirmed_at)
    assert may_contact(purpose_code="product-news", channel="email", subject=subscriber).allowed
    page = intake(
        support_client, subject=subscriber.pk, kinds=["consent_withdrawal"], purpose_code="product-news"
    ).content.decode()
    item = RequestItem.objects.get()
    req = item.request
    assert item.is_done and item.result == {"purpose": "product-news", "withdrawn": 1}
    assert "widerrufen" in page

    decision = may_contact(purpose_code="product-news", channel="email", subject=subscriber)
    assert decision.reasons == ["consent_withdrawn"]
    assert not may_contact(purpose_code="product-news", channel="email", email="anna@example.org").allowed
    consent.refresh_from_db()
    assert (consent.given_at, consent.text_id, consent.channel, consent.origin, consent.confirmed_at) == before
    assert consent.withdrawn_at == req.received_at and consent.withdrawal_origin == req.receipt_number
    assert list(consent.events.values_list("kind", flat=True)) == ["given", "confirmed", "withdrawn"]
    # Covered until the request came in, not after.
    assert consent_covered(subject=subscriber, purpose_code="product-news", at=req.received_at - datetime.timedelta(1))
    assert not consent_covered(subject=subscriber, purpose_code="product-news", at=timezone.now())
    # The data that rested on the consent: its purpose ended.
    assert InteractionProfile.objects.get(subject=subscriber).purpose_ended_on == timezone.localdate()
    letter = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert "Widerruf Ihrer Einwilligung" in letter


def test_without_a_consent_there_is_nothing_to_withdraw(support_client, register):
    subject = DataSubjectFactory()
    page = intake(
        support_client, subject=subject.pk, kinds=["consent_withdrawal"], purpose_code="product-news"
    ).content.decode()
    item = RequestItem.objects.get()
    assert item.is_done and item.result["withdrawn"] == 0
    assert "keine Einwilligung" in page
    assert not Consent.objects.exists()


def test_the_dpo_withdraws_once_the_request_is_linked_to_the_person(dpo_client, subscriber):
    req = request_with({"kind": "consent_withdrawal", "purpose_code": "product-news"}, subject=subscriber)
    dpo_client.post(item_url(req.items.get()))
    assert req.items.get().is_done
    assert Consent.objects.get(subject=subscriber).withdrawal_origin == req.receipt_number
    assert not may_contact(purpose_code="product-news", channel="email", subject=subscriber).allowed


def test_support_is_not_told_whether_there_was_a_consent_to_health_data(support_client, register):
    # Whether someone consented to health data being processed for an event is itself about their health
    # (Art. 9): support, who never sees special categories, reads the same notice either way.
    with_consent, without = DataSubjectFactory(), DataSubjectFactory()
    consent_give(
        subject=with_consent,
        purpose_code="event-health-data",
        text_version=1,
        channel="paper",
        origin="form",
        evidence="scan 1",
    )
    pages = [
        intake(
            support_client, subject=s.pk, kinds=["consent_withdrawal"], purpose_code="event-health-data"
        ).content.decode()
        for s in (with_consent, without)
    ]
    assert "Der Widerruf der Einwilligung" in pages[0]
    notices = [re.findall(r'class="alert alert-info">(.*?)</div>', page) for page in pages]
    assert notices[0] == notices[1] and notices[0]
    assert sorted(RequestItem.objects.values_list("result__withdrawn", flat=True)) == [0, 1]  # the DPO still knows
