import pytest
from django.core.exceptions import ValidationError

from consents.hashing import contact_hash
from consents.models import Objection, SuppressionEntry
from consents.selectors import may_contact
from consents.services import objection_decide, objection_record


def test_a_marketing_objection_is_absolute_and_immediate(person, purpose_end_calls):
    objection = objection_record(subject=person, activity_code="existing-customer-marketing", channel="email")
    assert objection.status == Objection.Status.UPHELD and objection.decided_at is not None
    assert objection.is_marketing
    # It covers every kind of direct marketing, consent-based ones included.
    for code in ("existing-customer-marketing", "product-news"):
        assert "objection" in may_contact(purpose_code=code, channel="email", subject=person).reasons
    entry = SuppressionEntry.objects.get()
    assert entry.reason == "marketing_objection" and entry.value_hash == contact_hash("email", "anna@example.org")
    assert purpose_end_calls == [(person.pk, ["existing-customer-marketing"], objection.decided_at.date())]
    # Not marketing: a feedback request is still allowed.
    assert may_contact(purpose_code="feedback-requests", channel="email", subject=person).allowed


def test_other_objections_wait_for_the_dpo(person, purpose_end_calls):
    objection = objection_record(subject=person, activity_code="surveys", channel="phone", note="Ich möchte das nicht.")
    assert objection.status == Objection.Status.PENDING
    assert may_contact(purpose_code="surveys", channel="email", subject=person).reasons == ["objection_pending"]
    assert purpose_end_calls == []
    objection_decide(objection=objection, upheld=True, reasons="No compelling grounds.")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert may_contact(purpose_code="surveys", channel="email", subject=person).reasons == ["objection", "suppressed"]
    assert purpose_end_calls == [(person.pk, ["surveys"], objection.decided_at.date())]
    assert SuppressionEntry.objects.get().activity.code == "surveys"


def test_a_rejection_needs_compelling_grounds(person):
    objection = objection_record(subject=person, activity_code="surveys", channel="phone")
    with pytest.raises(ValidationError):
        objection_decide(objection=objection, upheld=False, reasons="  ")
    objection_decide(objection=objection, upheld=False, reasons="Survey required by the quality audit, § 5 contract.")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REJECTED
    assert may_contact(purpose_code="surveys", channel="email", subject=person).allowed


def test_a_decision_is_final(person):
    objection = objection_record(subject=person, activity_code="feedback-requests", channel="email")
    objection_decide(objection=objection, upheld=True, reasons="ok")
    with pytest.raises(ValidationError):
        objection_decide(objection=objection, upheld=False, reasons="changed my mind")
    marketing = objection_record(subject=person, activity_code="existing-customer-marketing", channel="email")
    with pytest.raises(ValidationError):
        objection_decide(objection=marketing, upheld=False, reasons="we want to")


def test_it_refuses_processing_not_open_to_objection(person):
    for code in ("service-emails", "no-such-activity"):
        with pytest.raises(ValidationError):
            objection_record(subject=person, activity_code=code, channel="email")
    assert not Objection.objects.exists()
