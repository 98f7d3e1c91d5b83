import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consents.models import Consent, ConsentEvent, ConsentPurpose
from consents.services import text_publish
from subjects.models import DataSubject, EmailAddress


def _codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors} if hasattr(exc, "error_dict") else {exc.code}


def test_it_pins_the_text_version_channel_time_source_and_evidence(person, give):
    consent, token = give(subject=person, email="Anna@Example.org", ip="192.0.2.77", language="en")
    assert consent.text.version == 1 and consent.text.purpose.code == "product-news"
    assert consent.channel == "web_form" and consent.origin == "newsletter form"
    assert consent.email == "anna@example.org"
    assert consent.ip_network == "192.0.2.0/24"
    assert consent.language == "en"
    assert consent.needs_confirmation and consent.status == "unconfirmed"
    assert token and consent.doi_token_digest != token and len(consent.doi_token_digest) == 64
    assert consent.doi_expires_at > consent.given_at
    assert consent.activity.code == "consent-records" and consent.category.code == "consent-records"
    assert list(consent.events.values_list("kind", flat=True)) == ["given"]


def test_it_keeps_only_the_network_of_an_ipv6_address(person, give):
    consent, _ = give(subject=person, email="anna@example.org", ip="2001:db8:abcd:12::1")
    assert consent.ip_network == "2001:db8:abcd::/48"


def test_it_finds_the_person_by_address_or_creates_one(person, give):
    consent, _ = give(email="ANNA@example.org")
    assert consent.subject == person
    consent, _ = give(email="new@example.org")
    assert consent.subject != person
    assert EmailAddress.objects.filter(subject=consent.subject, email="new@example.org").exists()


def test_it_needs_evidence_for_phone_paper_and_event(person, give):
    for channel in ("phone", "paper", "event"):
        with pytest.raises(ValidationError) as exc:
            give(subject=person, channel=channel)
        assert "missing_evidence" in _codes(exc.value)
    consent, token = give(subject=person, channel="paper", evidence="scan 2026-118")
    assert token is None and consent.status == "valid"


def test_it_needs_an_address_for_a_double_opt_in(person, give):
    with pytest.raises(ValidationError) as exc:
        give(subject=person)
    assert "missing_evidence" in _codes(exc.value)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"purpose_code": "no-such-purpose"}, "unknown_purpose"),
        ({"purpose_code": "surveys"}, "no_consent_purpose"),
        ({"text_version": 7}, "unknown_version"),
        ({"email": "not-an-address"}, "invalid_email"),
        ({"channel": "fax"}, "invalid_channel"),
        ({"ip": "999.1.1.1"}, "invalid_ip"),
        ({"language": "fr"}, "invalid_language"),
        ({"given_at": timezone.now() + datetime.timedelta(days=1)}, "future_time"),
    ],
)
def test_it_refuses_bad_input_and_stores_nothing(register, give, kwargs, code):
    kwargs.setdefault("email", "fresh@example.org")
    before = (Consent.objects.count(), DataSubject.objects.count(), EmailAddress.objects.count())
    with pytest.raises(ValidationError) as exc:
        give(**kwargs)
    assert code in _codes(exc.value)
    assert (Consent.objects.count(), DataSubject.objects.count(), EmailAddress.objects.count()) == before
    assert not ConsentEvent.objects.exists()


def test_it_refuses_an_outdated_text_version(person, give):
    text_publish(
        purpose=ConsentPurpose.objects.get(code="product-news"), text_de="Neu", text_en="New", material_change=False
    )
    with pytest.raises(ValidationError) as exc:
        give(subject=person, email="anna@example.org", text_version=1)
    assert "outdated_version" in _codes(exc.value)
    consent, _ = give(subject=person, email="anna@example.org", text_version=2)
    assert consent.text.version == 2


def test_it_refuses_an_erased_person(person, give):
    DataSubject.objects.filter(pk=person.pk).update(erased_at=timezone.now())
    person.refresh_from_db()
    with pytest.raises(ValidationError):
        give(subject=person, email="anna@example.org")
