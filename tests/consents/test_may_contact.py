import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consents.selectors import ContactDecision, eligible_audience, may_contact, may_contact_many
from consents.services import (
    api_token_create,
    consent_confirm,
    consent_give,
    consent_withdraw,
    objection_record,
    suppression_add,
)
from subjects.models import DataSubject, EmailAddress
from tests.factories import DataSubjectFactory, EmailAddressFactory, EventRegistrationFactory, OrderFactory

NEWS = {"purpose_code": "product-news", "channel": "email"}


def _reasons(**kwargs):
    return may_contact(**{**NEWS, **kwargs}).reasons


def test_a_confirmed_consent_allows(subscribed):
    decision = may_contact(**NEWS, subject=subscribed)
    assert decision == ContactDecision(True, [])
    assert may_contact(**NEWS, email="anna@example.org").allowed
    assert may_contact(**NEWS, subject=subscribed, email="anna@example.org").allowed


def test_every_reason_against(subscribed, person, give):
    assert _reasons(purpose_code="no-such", subject=subscribed) == ["unknown_purpose"]
    assert _reasons(purpose_code="google-ads-conversion", email="anna@example.org") == ["channel_not_covered"]
    assert _reasons(email="not an address") == ["invalid_email"]
    assert _reasons(email="nobody@example.org") == ["unknown_person"]
    stranger = DataSubjectFactory()
    EmailAddressFactory(subject=stranger, email="stranger@example.org")
    assert _reasons(subject=stranger) == ["no_consent"]
    assert may_contact(purpose_code="surveys", channel="email", subject=stranger).reasons == [
        "no_customer_relationship"
    ]
    _, token = give(subject=stranger, email="stranger@example.org")
    assert _reasons(subject=stranger) == ["consent_not_confirmed"]
    consent_confirm(token=token)
    assert _reasons(subject=stranger) == []
    consent_withdraw(subject=stranger, purpose_code="product-news", channel="email")
    assert _reasons(subject=stranger) == ["consent_withdrawn"]


def test_person_level_reasons(subscribed):
    now = timezone.now()
    for field, value, reason in (
        ("restricted_at", now, "restricted"),
        ("is_blocked", True, "blocked"),
        ("erased_at", now, "erased"),
    ):
        DataSubject.objects.filter(pk=subscribed.pk).update(**{field: value})
        assert reason in _reasons(subject=subscribed)
        assert reason in _reasons(email="anna@example.org")
        DataSubject.objects.filter(pk=subscribed.pk).update(**{field: None if field != "is_blocked" else False})
    assert _reasons(subject=subscribed) == []


def test_record_level_reasons(subscribed):
    EmailAddress.objects.filter(subject=subscribed).update(restricted_at=timezone.now())
    assert _reasons(subject=subscribed) == ["record_restricted"]
    assert _reasons(email="anna@example.org") == ["record_restricted"]
    EmailAddress.objects.filter(subject=subscribed).update(restricted_at=None)
    from consents.models import Consent

    Consent.objects.filter(subject=subscribed).update(restricted_at=timezone.now())
    assert _reasons(subject=subscribed) == ["record_restricted"]
    Consent.objects.filter(subject=subscribed).update(restricted_at=None)
    EmailAddress.objects.filter(subject=subscribed).delete()
    assert _reasons(subject=subscribed) == ["no_contact_data"]


def test_objection_and_suppression(subscribed):
    objection_record(subject=subscribed, activity_code="product-news", channel="email")
    assert _reasons(subject=subscribed) == ["objection", "suppressed"]


def test_the_double_opt_in_binds_the_address(subscribed):
    EmailAddressFactory(subject=subscribed, email="other@example.org")
    assert may_contact(**NEWS, email="anna@example.org").allowed
    assert may_contact(**NEWS, email="other@example.org").reasons == ["no_consent"]


def test_a_shared_address_is_refused_if_one_holder_objected(subscribed):
    colleague = DataSubjectFactory()
    EmailAddressFactory(subject=colleague, email="anna@example.org")
    objection_record(subject=colleague, activity_code="product-news", channel="phone")
    assert "objection" in _reasons(email="anna@example.org")


def test_opt_out_purposes_need_a_customer_relationship_and_no_objection(person, register):
    assert may_contact(purpose_code="existing-customer-marketing", channel="email", subject=person).allowed
    visitor = DataSubjectFactory()
    EmailAddressFactory(subject=visitor)
    EventRegistrationFactory(subject=visitor)
    assert may_contact(purpose_code="feedback-requests", channel="email", subject=visitor).allowed
    assert may_contact(purpose_code="feedback-requests", channel="phone", subject=visitor).reasons == [
        "no_contact_data"
    ]


def test_non_contact_purposes(person, give):
    give(subject=person, purpose_code="affiliate-transfer", channel="paper", evidence="scan 1")
    assert may_contact(purpose_code="affiliate-transfer", channel="data", subject=person).allowed
    assert may_contact(purpose_code="event-health-data", channel="data", subject=person).reasons == ["no_consent"]


def test_a_withdrawal_ahead_of_time_counts_from_then(person, give):
    consent, _ = give(
        subject=person, channel="paper", evidence="scan", given_at=timezone.now() - datetime.timedelta(days=1)
    )
    consent_withdraw(subject=person, purpose_code="product-news", channel="paper")
    assert _reasons(subject=person) == ["consent_withdrawn"]


def _audience(n: int) -> list[str]:
    emails = []
    for i in range(n):
        subject = DataSubjectFactory()
        email = f"aud{i}-{subject.pk}@example.org"
        EmailAddressFactory(subject=subject, email=email)
        OrderFactory(subject=subject)
        consent, token = consent_give(
            subject=subject, purpose_code="product-news", text_version=1, channel="web_form", origin="f", email=email
        )
        if i % 3:
            consent_confirm(token=token)
        emails.append(email)
    return emails


@pytest.mark.parametrize("purpose", ["product-news", "existing-customer-marketing"])
def test_the_number_of_queries_does_not_grow_with_the_audience(register, purpose):
    emails = _audience(20)
    subjects = list(DataSubject.objects.all())
    suppression_add(emails=[emails[1]], reason="erasure")
    counts = []
    for size in (2, 20):
        with CaptureQueriesContext(connection) as ctx:
            result = may_contact_many(purpose_code=purpose, channel="email", emails=emails[:size])
        assert len(result) == size
        by_subject = CaptureQueriesContext(connection)
        with by_subject:
            may_contact_many(purpose_code=purpose, channel="email", subjects=subjects[:size])
        counts.append((len(ctx), len(by_subject)))
    assert counts[0] == counts[1]
    assert counts[1][0] <= 6 and counts[1][1] <= 6
    one = CaptureQueriesContext(connection)
    with one:
        may_contact(purpose_code=purpose, channel="email", email=emails[2])
    assert len(one) <= 6


def test_many_agrees_with_one(register):
    emails = _audience(9)
    suppression_add(emails=[emails[4]], reason="erasure")
    many = may_contact_many(**NEWS, emails=[*emails, "x@example.org", "bad"])
    for email in [*emails, "x@example.org", "bad"]:
        assert many[email] == may_contact(**NEWS, email=email)
    assert many["bad"].reasons == ["invalid_email"]


def test_the_eligible_audience(register):
    emails = _audience(6)
    suppression_add(emails=[emails[2]], reason="erasure")
    members = eligible_audience(purpose_code="product-news")
    # Confirmed are 1, 2, 4, 5; 2 is suppressed.
    assert [m.email for m in members] == sorted([emails[1], emails[4], emails[5]])
    with CaptureQueriesContext(connection) as ctx:
        eligible_audience(purpose_code="product-news")
    assert len(ctx) <= 8


def test_someone_elses_address_is_no_contact_data_for_the_person(subscribed, give, client):
    """Asked about a person and an address, the address must be the person's: another holder's
    consent does not speak for them (regression)."""
    other = DataSubjectFactory()
    EmailAddressFactory(subject=other, email="bert@example.org")
    _, token = give(subject=other, email="bert@example.org")
    consent_confirm(token=token)
    assert may_contact(**NEWS, subject=other, email="bert@example.org").allowed
    assert _reasons(subject=subscribed, email="bert@example.org") == ["no_contact_data"]
    assert _reasons(subject=other, email="ANNA@example.org") == ["no_contact_data"]
    assert _reasons(subject=subscribed, email="nobody@example.org") == ["no_contact_data"]
    assert may_contact(**NEWS, subject=subscribed, email="anna@example.org").allowed
    # Purpose-level answers and malformed addresses keep their own reasons.
    assert _reasons(purpose_code="no-such", subject=subscribed, email="bert@example.org") == ["unknown_purpose"]
    assert _reasons(subject=subscribed, email="not an address") == ["invalid_email"]

    raw = api_token_create(name="newsletter", may_record=False, may_query=True)[1]
    body = {"purpose": "product-news", "channel": "email", "customer_number": subscribed.customer_number}
    answer = client.post(
        "/api/may-contact/",
        {**body, "email": "bert@example.org"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    assert answer["allowed"] is False and answer["reasons"] == ["no_contact_data"]
    answer = client.post(
        "/api/may-contact/",
        {**body, "email": "anna@example.org"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    assert answer["allowed"] is True
