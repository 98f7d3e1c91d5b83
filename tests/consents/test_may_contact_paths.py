"""The two ways `may_contact_many` gathers its facts agree, and neither grows with the audience.

On PostgreSQL the answer comes from one statement (consents.contact_sql: a prepared statement for
one answer, a set-based one for an audience); elsewhere from portable ORM queries
(consents.contact_facts.gather_orm). The lead's CI runs this module on PostgreSQL, where both
paths are compared on the same data.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import consents.selectors
from consents import contact_facts
from consents.models import Consent, ConsentPurpose
from consents.selectors import may_contact, may_contact_many
from consents.services import consent_confirm, consent_give, consent_withdraw, objection_record, suppression_add
from subjects.models import DataSubject, EmailAddress
from tests.factories import (
    DataSubjectFactory,
    EmailAddressFactory,
    EventRegistrationFactory,
    OrderFactory,
    PhoneNumberFactory,
    PostalAddressFactory,
)

PURPOSES = ["product-news", "marketing-communication", "existing-customer-marketing", "surveys", "affiliate-transfer"]
CHANNELS = ["email", "phone", "post", "data", "web"]


def _give(subject, email="", confirm=True, **kwargs):
    kwargs.setdefault("purpose_code", "product-news")
    channel = "web_form" if email else "paper"
    consent, token = consent_give(
        subject=subject, text_version=1, channel=channel, origin="form", email=email, evidence="scan", **kwargs
    )
    if email and confirm:
        consent_confirm(token=token)
    return consent


@pytest.fixture
def crowd(register):
    """People covering every reason, as (subject ids, addresses)."""
    now = timezone.now()
    made = []

    def person(email, *, phone=False, post=False, customer=False):
        subject = DataSubjectFactory()
        EmailAddressFactory(subject=subject, email=email)
        if phone:
            PhoneNumberFactory(subject=subject)
        if post:
            PostalAddressFactory(subject=subject)
        if customer:
            OrderFactory(subject=subject)
        made.append(subject)
        return subject

    _give(person("ok@example.org", phone=True, post=True, customer=True), "ok@example.org")
    _give(person("unconfirmed@example.org"), "unconfirmed@example.org", confirm=False)
    withdrawn = person("withdrawn@example.org", customer=True)
    _give(withdrawn, "withdrawn@example.org")
    consent_withdraw(subject=withdrawn, purpose_code="product-news", channel="email")
    _give(person("paper@example.org", post=True), purpose_code="affiliate-transfer")
    _give(person("paper@example.org"))  # a shared address: both holders allowed on paper consents
    for email, flags in (
        ("restricted@example.org", {"restricted_at": now}),
        ("blocked@example.org", {"is_blocked": True}),
        ("erased@example.org", {"erased_at": now}),
    ):
        flagged = person(email, customer=True)
        _give(flagged, email)
        DataSubject.objects.filter(pk=flagged.pk).update(**flags)
    objecting = person("objecting@example.org", customer=True)
    _give(objecting, "objecting@example.org")
    objection_record(subject=objecting, activity_code="product-news", channel="email")
    pending = person("pending@example.org", customer=True)
    EventRegistrationFactory(subject=pending)
    objection_record(subject=pending, activity_code="surveys", channel="phone")
    phoned = person("phoned@example.org", phone=True, customer=True)
    _give(phoned, "phoned@example.org")
    suppression_add(phones=[phoned.phonenumber_set.get().number], reason="request")
    record = person("record@example.org", customer=True)
    _give(record, "record@example.org")
    EmailAddress.objects.filter(subject=record).update(restricted_at=now)
    consent_restricted = person("consent-restricted@example.org")
    _give(consent_restricted, "consent-restricted@example.org")
    Consent.objects.filter(subject=consent_restricted).update(restricted_at=now)
    other = person("first@example.org", customer=True)
    EmailAddressFactory(subject=other, email="second@example.org")
    _give(other, "first@example.org")
    _give(person("listed@example.org", customer=True), "listed@example.org")
    suppression_add(emails=["listed@example.org", "gone@example.org"], reason="erasure")
    ahead = person("ahead@example.org")
    consent = _give(ahead, "ahead@example.org")
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=now + datetime.timedelta(days=1))
    ids = [s.pk for s in made] + [999_999]
    emails = sorted(set(EmailAddress.objects.values_list("email", flat=True))) + ["gone@example.org", "x@example.org"]
    return ids, [*emails, "Not An Address", " OK@Example.org "]


def _orm(monkeypatch):
    monkeypatch.setattr(consents.selectors, "gather_postgresql", contact_facts.gather_orm)


def test_the_sql_path_agrees_with_the_orm_path(require_postgres, crowd, monkeypatch):
    ids, emails = crowd
    sql = {}
    for purpose, channel in itertools.product(PURPOSES, CHANNELS):
        sql[purpose, channel] = may_contact_many(purpose_code=purpose, channel=channel, subjects=ids, emails=emails)
    singles = {
        (purpose, channel, key): may_contact(purpose_code=purpose, channel=channel, **{kind: key})
        for purpose, channel in itertools.product(PURPOSES[:3], CHANNELS[:3])
        for kind, keys in (("subject", ids), ("email", emails))
        for key in keys
    }
    _orm(monkeypatch)
    for (purpose, channel), decisions in sql.items():
        orm = may_contact_many(purpose_code=purpose, channel=channel, subjects=ids, emails=emails)
        assert decisions == orm, (purpose, channel)
    for (purpose, channel, key), decision in singles.items():
        kind = "subject" if isinstance(key, int) else "email"
        assert decision == may_contact(purpose_code=purpose, channel=channel, **{kind: key}), (purpose, channel, key)


def test_the_crowd_gets_the_reasons_expected(crowd):
    """Pins the answers (on any database), so that agreeing paths cannot both be wrong."""
    _ids, emails = crowd
    news = may_contact_many(purpose_code="product-news", channel="email", emails=emails)
    reasons = {email: news[email].reasons for email in emails}
    assert reasons == {
        "ahead@example.org": [],
        "blocked@example.org": ["blocked"],
        "consent-restricted@example.org": ["record_restricted"],
        "erased@example.org": ["erased"],
        "first@example.org": [],
        "listed@example.org": ["suppressed"],
        "objecting@example.org": ["objection", "suppressed"],
        "ok@example.org": [],
        "paper@example.org": [],
        "pending@example.org": ["no_consent"],
        "phoned@example.org": [],
        "record@example.org": ["record_restricted"],
        "restricted@example.org": ["restricted"],
        "second@example.org": ["no_consent"],
        "unconfirmed@example.org": ["consent_not_confirmed"],
        "withdrawn@example.org": ["consent_withdrawn"],
        "gone@example.org": ["unknown_person", "suppressed"],
        "x@example.org": ["unknown_person"],
        "Not An Address": ["invalid_email"],
        " OK@Example.org ": [],
    }
    surveys = may_contact_many(purpose_code="surveys", channel="email", emails=emails)
    assert surveys["pending@example.org"].reasons == ["objection_pending"]
    assert surveys["unconfirmed@example.org"].reasons == ["no_customer_relationship"]
    phoned = DataSubject.objects.get(emailaddress__email="phoned@example.org")
    assert may_contact(purpose_code="product-news", channel="email", subject=phoned).reasons == ["suppressed"]
    # A reason about the person outweighs the rest (Reason.HARD).
    assert may_contact(purpose_code="product-news", channel="phone", email="phoned@example.org").reasons == [
        "suppressed"
    ]


def _count(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        may_contact_many(**kwargs)
    return len(ctx)


@pytest.mark.parametrize("channel", ["email", "phone", "post"])
def test_the_query_count_does_not_grow_with_the_audience(crowd, channel):
    ids, emails = crowd
    may_contact(purpose_code="product-news", channel=channel, email=emails[0])  # prepares, once per session
    for kind, keys in (("emails", emails), ("subjects", ids)):
        counts = {
            n: _count(purpose_code="product-news", channel=channel, **{kind: keys[:n]}) for n in (2, 6, len(keys))
        }
        assert len(set(counts.values())) == 1, (kind, counts)
        assert counts[2] <= 6
    mixed = {
        n: _count(purpose_code="product-news", channel=channel, subjects=ids[:n], emails=emails[:n]) for n in (2, 9)
    }
    assert mixed[2] == mixed[9] <= 6
    with CaptureQueriesContext(connection) as one:
        may_contact(purpose_code="product-news", channel=channel, email=emails[1])
    with CaptureQueriesContext(connection) as other:
        may_contact(purpose_code="product-news", channel=channel, email=emails[-1])
    assert len(one) == len(other) <= 6
    if connection.vendor == "postgresql" and channel == "email":
        # One round trip: the prepared statement answers an address outright.
        assert len(one) == 1


def test_a_changed_purpose_counts_at_once(crowd):
    """No cache may let a purpose's old settings allow contact (the purpose is read each time)."""
    assert may_contact(purpose_code="product-news", channel="email", email="ok@example.org").allowed
    purpose = ConsentPurpose.objects.get(code="product-news")
    ConsentPurpose.objects.filter(pk=purpose.pk).update(channels=["post"])
    assert may_contact(purpose_code="product-news", channel="email", email="ok@example.org").reasons == [
        "channel_not_covered"
    ]
    ConsentPurpose.objects.filter(pk=purpose.pk).update(channels=purpose.channels, basis="opt_out")
    assert may_contact(purpose_code="product-news", channel="email", email="unconfirmed@example.org").reasons == [
        "no_customer_relationship"
    ]
    ConsentPurpose.objects.filter(pk=purpose.pk).update(is_active=False)
    for emails in (["ok@example.org"], ["ok@example.org", "paper@example.org"]):
        decisions = may_contact_many(purpose_code="product-news", channel="email", emails=emails)
        assert {d.reasons[0] for d in decisions.values()} == {"unknown_purpose"}


def test_the_fast_address_hash_is_the_suppression_list_hash(settings):
    from consents.hashing import ContactHasher, contact_hash

    settings.HASH_SALT = "another salt"
    assert ContactHasher().email("anna@example.org") == contact_hash("email", " Anna@Example.org")
