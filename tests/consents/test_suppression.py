import pytest
from django.core.exceptions import ValidationError

from consents.hashing import contact_hash
from consents.models import SuppressionEntry
from consents.selectors import may_contact
from consents.services import consent_confirm, consent_give, suppression_add
from tests.factories import DataSubjectFactory, EmailAddressFactory, OrderFactory, PhoneNumberFactory


def test_an_erased_persons_address_is_caught_on_re_import(subscribed):
    PhoneNumberFactory(subject=subscribed, number="+4940123456")
    assert suppression_add(subject=subscribed, reason="erasure") == 2
    # Only hashes are stored, never the address.
    assert not SuppressionEntry.objects.filter(value_hash__contains="anna").exists()
    assert set(SuppressionEntry.objects.values_list("kind", flat=True)) == {"email", "phone"}
    # The old list comes back: a new data subject with the same address and a consent.
    again = DataSubjectFactory()
    EmailAddressFactory(subject=again, email="Anna@Example.org")
    OrderFactory(subject=again)
    consent, token = consent_give(
        subject=again,
        purpose_code="product-news",
        text_version=1,
        channel="web_form",
        origin="import",
        email="anna@example.org",
    )
    consent_confirm(token=token)
    assert may_contact(purpose_code="product-news", channel="email", subject=again).reasons == ["suppressed"]
    assert "suppressed" in may_contact(purpose_code="product-news", channel="email", email="anna@example.org").reasons
    assert "suppressed" in may_contact(purpose_code="surveys", channel="email", email="anna@example.org").reasons


def test_a_bare_address_of_a_deleted_person_is_still_suppressed(register):
    suppression_add(emails=["gone@example.org"], phones=["040 1234567"], reason="erasure")
    decision = may_contact(purpose_code="product-news", channel="email", email="GONE@example.org")
    assert decision.reasons == ["unknown_person", "suppressed"]
    assert SuppressionEntry.objects.filter(kind="phone", value_hash=contact_hash("phone", "+49401234567")).exists()


def test_the_reason_may_carry_a_note(person):
    assert suppression_add(subject=person, reason="erasure DSR-2026-00017") == 1
    entry = SuppressionEntry.objects.get()
    assert (entry.reason, entry.note, entry.subject_ref) == ("erasure", "DSR-2026-00017", person.pk)


def test_adding_twice_adds_nothing(register):
    assert suppression_add(emails=["a@example.org"], reason="request") == 1
    assert suppression_add(emails=["A@example.org "], reason="request") == 0


def test_a_marketing_suppression_leaves_other_purposes(person):
    suppression_add(emails=["anna@example.org"], reason="marketing_objection")
    assert (
        "suppressed" in may_contact(purpose_code="existing-customer-marketing", channel="email", subject=person).reasons
    )
    assert may_contact(purpose_code="feedback-requests", channel="email", subject=person).allowed


def test_the_hash_is_salted(register, settings):
    first = contact_hash("email", "a@example.org")
    settings.HASH_SALT = "another-salt"
    assert contact_hash("email", "a@example.org") != first


def test_it_refuses_bad_input(register):
    for kwargs in ({"emails": ["nope"]}, {"phones": ["abc"]}, {"reason": "whim"}):
        with pytest.raises(ValidationError):
            suppression_add(**{"reason": "erasure", **kwargs})
    assert not SuppressionEntry.objects.exists()
