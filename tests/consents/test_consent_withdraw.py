import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from consents.models import Consent
from consents.selectors import consent_covered, may_contact
from consents.services import api_token_create, consent_confirm, consent_give, consent_withdraw
from tests.factories import DataSubjectFactory, EmailAddressFactory


def test_it_is_effective_at_once_for_the_future_only(subscribed):
    consent = Consent.objects.get(subject=subscribed)
    before = timezone.now()
    assert may_contact(purpose_code="product-news", channel="email", subject=subscribed).allowed
    withdrawn = consent_withdraw(
        subject=subscribed, purpose_code="product-news", channel="phone", source="hotline, Frau M."
    )
    assert [c.pk for c in withdrawn] == [consent.pk]
    decision = may_contact(purpose_code="product-news", channel="email", subject=subscribed)
    assert decision.reasons == ["consent_withdrawn"]
    # The past stays as it was: covered before, not after.
    assert consent_covered(subject=subscribed, purpose_code="product-news", at=before)
    assert not consent_covered(subject=subscribed, purpose_code="product-news", at=timezone.now())


def test_it_never_rewrites_the_history(subscribed):
    consent = Consent.objects.get(subject=subscribed)
    given = (consent.given_at, consent.text_id, consent.channel, consent.origin, consent.confirmed_at)
    consent_withdraw(subject=subscribed, purpose_code="product-news", channel="email")
    consent.refresh_from_db()
    assert (consent.given_at, consent.text_id, consent.channel, consent.origin, consent.confirmed_at) == given
    assert list(consent.events.values_list("kind", flat=True)) == ["given", "confirmed", "withdrawn"]
    assert consent.withdrawal_channel == "email" and consent.contract_end == timezone.localdate()


def test_it_records_a_withdrawal_from_a_support_request(subscribed, support_user):
    from audit.context import actor_for, reset_actor, set_actor

    token = set_actor(actor_for(support_user))
    try:
        consent_withdraw(subject=subscribed, purpose_code="product-news", channel="phone", source="request R-2026-17")
    finally:
        reset_actor(token)
    consent = Consent.objects.get(subject=subscribed)
    assert consent.withdrawal_origin == "request R-2026-17"
    assert consent.events.get(kind="withdrawn").recorded_by == "support"
    entry = AuditEntry.objects.filter(object_type="consents.consent", action="change").latest("seq")
    assert entry.actor_name == "support" and "withdrawn_at" in entry.fields


def test_it_takes_the_channels_of_a_support_request(subscribed):
    from consents.selectors import purpose_choices

    assert ("product-news", "Produktneuigkeiten und Newsletter mit Interaktionsprofil") in purpose_choices()
    assert "surveys" not in dict(purpose_choices())
    consent_withdraw(subject=subscribed, purpose_code="product-news", channel="letter", source="DSR-2026-00003")
    assert Consent.objects.get(subject=subscribed).withdrawal_channel == "paper"


def test_it_hands_the_end_of_the_purpose_to_the_retention_engine(subscribed, purpose_end_calls):
    consent_withdraw(subject=subscribed, purpose_code="product-news", channel="email")
    assert purpose_end_calls == [(subscribed.pk, ["product-news"], timezone.localdate())]


def test_the_retention_engine_ends_the_purpose_of_the_data_that_rested_on_it(subscribed):
    from tests.factories import InteractionProfileFactory, OrderFactory

    profile = InteractionProfileFactory(subject=subscribed)
    order = OrderFactory(subject=subscribed)
    consent_withdraw(subject=subscribed, purpose_code="product-news", channel="phone")
    profile.refresh_from_db()
    order.refresh_from_db()
    assert profile.purpose_ended_on == timezone.localdate()
    assert order.purpose_ended_on is None  # the contract is another basis


def test_withdrawing_again_changes_nothing(subscribed, purpose_end_calls):
    consent_withdraw(subject=subscribed, purpose_code="product-news", channel="email")
    assert consent_withdraw(subject=subscribed, purpose_code="product-news", channel="email") == []
    assert len(purpose_end_calls) == 1
    assert Consent.objects.get(subject=subscribed).events.filter(kind="withdrawn").count() == 1


def test_a_withdrawal_dated_before_a_later_consent_leaves_that_consent(person, give):
    now = timezone.now()
    old, _ = give(subject=person, channel="paper", evidence="form 6", given_at=now - datetime.timedelta(minutes=10))
    later, _ = give(subject=person, channel="paper", evidence="form 7")
    letter_received = now - datetime.timedelta(minutes=5)
    withdrawn = consent_withdraw(subject=person, purpose_code="product-news", channel="paper", at=letter_received)
    assert [c.pk for c in withdrawn] == [old.pk]
    later.refresh_from_db()
    assert later.withdrawn_at is None


def test_it_refuses_a_future_time_an_unknown_purpose_or_channel(subscribed):
    for kwargs in (
        {"at": timezone.now() + datetime.timedelta(days=2)},
        {"purpose_code": "nope"},
        {"channel": "pigeon"},
    ):
        args = {"subject": subscribed, "purpose_code": "product-news", "channel": "email", **kwargs}
        with pytest.raises(ValidationError):
            consent_withdraw(**args)
    assert Consent.objects.get(subject=subscribed).withdrawn_at is None


def test_a_withdrawal_dated_slightly_ahead_counts_from_now(subscribed, give):
    """Clock drift: a time up to five minutes ahead is accepted as now, so the withdrawal takes
    effect at once instead of leaving the consent live until then (regression)."""
    ahead = timezone.now() + datetime.timedelta(minutes=4)
    [consent] = consent_withdraw(subject=subscribed, purpose_code="product-news", channel="email", at=ahead)
    assert consent.withdrawn_at <= timezone.now()
    assert may_contact(purpose_code="product-news", channel="email", subject=subscribed).reasons == [
        "consent_withdrawn"
    ]
    assert may_contact(purpose_code="product-news", channel="email", email="anna@example.org").reasons == [
        "consent_withdrawn"
    ]
    # A consent dated ahead as well is capped the same way, so the withdrawal still finds it.
    other = DataSubjectFactory()
    EmailAddressFactory(subject=other)
    give(subject=other, channel="paper", evidence="scan", given_at=timezone.now() + datetime.timedelta(minutes=3))
    assert len(consent_withdraw(subject=other, purpose_code="product-news", channel="paper", at=ahead)) == 1
    assert may_contact(purpose_code="product-news", channel="email", subject=other).reasons == ["consent_withdrawn"]


def test_a_withdrawal_through_the_api_dated_slightly_ahead_counts_at_once(register, client):
    subject = DataSubjectFactory()
    EmailAddressFactory(subject=subject, email="c@example.org")
    _consent, token = consent_give(
        purpose_code="product-news",
        text_version=1,
        channel="web_form",
        origin="f",
        subject=subject,
        email="c@example.org",
    )
    consent_confirm(token=token)
    raw = api_token_create(name="website", may_record=True, may_query=True)[1]
    ahead = timezone.now() + datetime.timedelta(minutes=4)
    response = client.post(
        "/api/consents/withdraw/",
        {"purpose": "product-news", "channel": "email", "email": "c@example.org", "at": ahead.isoformat()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.json()
    assert not may_contact(purpose_code="product-news", channel="email", email="c@example.org").allowed


def test_withdrawing_the_sharing_consent_stops_sharing_the_registrations(person, give):
    from tests.factories import EventRegistrationFactory

    give(subject=person, purpose_code="event-participant-sharing", channel="event", evidence="sign-up sheet 4")
    shared = EventRegistrationFactory(subject=person, share_with_participants=True)
    not_shared = EventRegistrationFactory(subject=person, share_with_participants=False)
    someone_elses = EventRegistrationFactory(share_with_participants=True)
    consent_withdraw(subject=person, purpose_code="product-news", channel="email")  # another purpose: no effect
    shared.refresh_from_db()
    assert shared.share_with_participants

    consent_withdraw(subject=person, purpose_code="event-participant-sharing", channel="email")
    for registration in (shared, not_shared, someone_elses):
        registration.refresh_from_db()
    assert not shared.share_with_participants and not not_shared.share_with_participants
    assert someone_elses.share_with_participants
    entry = AuditEntry.objects.get(object_type="subjects.eventregistration", action="change")
    assert (entry.object_id, entry.subject_id, entry.fields) == (str(shared.pk), person.pk, ["share_with_participants"])


def test_the_registrations_stay_shared_while_a_later_sharing_consent_stands(person, give):
    from tests.factories import EventRegistrationFactory

    now = timezone.now()
    give(
        subject=person,
        purpose_code="event-participant-sharing",
        channel="paper",
        evidence="form 6",
        given_at=now - datetime.timedelta(minutes=10),
    )
    later, _ = give(subject=person, purpose_code="event-participant-sharing", channel="paper", evidence="form 7")
    shared = EventRegistrationFactory(subject=person, share_with_participants=True)
    letter_received = now - datetime.timedelta(minutes=5)
    consent_withdraw(subject=person, purpose_code="event-participant-sharing", channel="paper", at=letter_received)
    shared.refresh_from_db()
    assert shared.share_with_participants  # the later consent still allows it

    assert consent_withdraw(subject=person, purpose_code="event-participant-sharing", channel="paper") == [later]
    shared.refresh_from_db()
    assert not shared.share_with_participants
