"""Erasure (Art. 17) from the support desk to the answer letter: the data really goes, what must stay is
restricted and named, and the person's addresses stay blocked."""

import datetime

import pytest
import time_machine

from audit.models import AuditEntry
from consents.models import SuppressionEntry
from consents.selectors import may_contact
from requests_app.models import DataSubjectRequest, RecipientNotification, RequestType
from requests_app.services import erasure_item_fulfil
from retention.services import hold_place
from subjects.models import (
    AdConversion,
    Communication,
    EmailAddress,
    Order,
    PhoneNumber,
    RestrictionGround,
    TrainingProgress,
)
from tests.factories import DataSubjectFactory, EmailAddressFactory, request_with, subject_with_everything

from .helpers import intake, item_url, letter_url, step_url

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(TODAY, tick=False)
def test_support_logs_it_and_the_dpo_erases_what_nothing_keeps(support_client, dpo_client, register):
    subject = subject_with_everything(first_name="Erika", last_name="Mustermann", language="de")
    email = EmailAddress.objects.get(subject=subject).email
    phone = PhoneNumber.objects.get(subject=subject).number
    intake(support_client, subject=subject.pk, kinds=["erasure"])
    req = DataSubjectRequest.objects.get()
    item = req.items.get()
    dpo_client.post(step_url(req, "transition"), {"action": "process"})
    dpo_client.post(item_url(item))

    # Deleted or anonymised (an anonymous copy, detached from the person): everything no duty keeps.
    for model in (EmailAddress, PhoneNumber, Communication, AdConversion, TrainingProgress):
        assert not model.objects.filter(subject=subject).exists(), model
    assert TrainingProgress.objects.filter(subject=None, anonymised_at__isnull=False).count() == 1
    # Kept: the booking voucher (HGB § 257), restricted, and the person with it.
    order = Order.objects.get(subject=subject)
    assert order.restriction_ground == RestrictionGround.RETENTION_DUTY
    subject.refresh_from_db()
    assert subject.erased_at is not None and subject.restricted_at is not None
    item.refresh_from_db()
    assert item.is_done
    assert item.result["deleted"]["subjects.EmailAddress"] == 1
    assert item.result["anonymised"]["subjects.TrainingProgress"] == 1
    [kept] = item.result["kept"]
    assert kept["kept_until"] == "2034-12-31" and kept["reference"]["de"].startswith("§ 257 Abs. 1 Nr. 4")
    assert kept["reference"]["en"].startswith("§ 257(1) no. 4")  # each letter cites as its readers do
    assert kept["record"] == {"de": "Bestellung oder Vertrag", "en": "order or contract"}

    # No contact any more: not the person, not the bare address, not the address re-imported later.
    assert "erased" in may_contact(purpose_code="product-news", channel="email", subject=subject).reasons
    assert "suppressed" in may_contact(purpose_code="product-news", channel="email", email=email).reasons
    reimported = DataSubjectFactory()
    EmailAddressFactory(subject=reimported, email=email)
    decision = may_contact(purpose_code="existing-customer-marketing", channel="email", email=email)
    assert not decision.allowed and "suppressed" in decision.reasons
    assert SuppressionEntry.objects.filter(reason="erasure", note=req.receipt_number).count() == 2

    # Art. 19: the recipients of the activities the person was in are listed to be told.
    recipients = list(
        RecipientNotification.objects.filter(request=req, kind=RequestType.ERASURE).values_list(
            "recipient__name", flat=True
        )
    )
    assert recipients

    # The answer letter names what was kept, why and until when, in German and in English.
    german = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert "Bestellung" in german and "§ 257 Abs. 1 Nr. 4" in german and "31.12.2034" in german
    assert recipients[0] in german
    DataSubjectRequest.objects.filter(pk=req.pk).update(language="en")
    english = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert "We must keep the following data" in english and "Order or contract" in english and "31/12/2034" in english
    assert "§ 257(1) no. 4" in english and "Abs. 1 Nr. 4" not in english

    # The audit trail names fields and ids, never the values.
    for row in AuditEntry.objects.values():
        text = str(row)
        assert email not in text and phone not in text and "Mustermann" not in text


@time_machine.travel(TODAY, tick=False)
def test_a_legal_hold_keeps_everything_and_the_letter_says_until_it_is_lifted(dpo_client, register):
    subject = subject_with_everything()
    hold_place(reason="legal_claims", subject=subject, reference="AZ 3 O 17/26")
    req = request_with(RequestType.ERASURE, subject=subject, language="en")
    erasure_item_fulfil(item=req.items.get(), actor=None)
    assert EmailAddress.objects.get(subject=subject).restriction_ground == RestrictionGround.LEGAL_HOLD
    item = req.items.get()
    assert all(k["kept_until"] is None for k in item.result["kept"])
    reasons = {k["reference"]["en"] for k in item.result["kept"]}
    assert reasons == {"establishment, exercise or defence of legal claims (Art. 17(3)(e) GDPR)"}
    letter = dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode()
    assert "until the legal hold is lifted" in letter and "e-mail address" in letter
    # The letter does not promise erasure at the end of a retention period that does not keep this data.
    assert "as soon as the reason given no longer applies" in letter and "retention period ends" not in letter
    # Suppressed all the same: the person asked for erasure.
    assert SuppressionEntry.objects.filter(reason="erasure", subject_ref=subject.pk).exists()


def test_erasure_waits_for_processing_and_changes_nothing_before(dpo_client, register):
    subject = subject_with_everything()
    req = request_with(RequestType.ERASURE, subject=subject, state=DataSubjectRequest.State.IDENTITY_CHECK)
    response = dpo_client.post(item_url(req.items.get()), follow=True)
    assert "Beginnen Sie zuerst die Bearbeitung" in response.content.decode()
    assert EmailAddress.objects.filter(subject=subject).count() == 1
    assert not SuppressionEntry.objects.exists()
    req.subject.refresh_from_db()
    assert req.subject.erased_at is None


def test_a_stored_number_that_does_not_parse_does_not_block_the_erasure(register):
    subject = subject_with_everything()
    email = EmailAddress.objects.get(subject=subject).email
    PhoneNumber.objects.filter(subject=subject).update(number="0800 KUNDEN")  # imported as it was
    req = request_with(RequestType.ERASURE, subject=subject)
    erasure_item_fulfil(item=req.items.get(), actor=None)
    assert not PhoneNumber.objects.filter(subject=subject).exists()
    assert "suppressed" in may_contact(purpose_code="product-news", channel="email", email=email).reasons


def test_the_kept_identity_of_a_held_person_is_named_in_the_letter_s_language(dpo_client, register):
    subject = DataSubjectFactory(language="de")
    hold_place(reason="litigation", subject=subject, reference="LG Kiel 3 O 12/26")
    req = request_with(RequestType.ERASURE, subject=subject, language="en")
    erasure_item_fulfil(item=req.items.get(), actor=None)
    [kept] = req.items.get().result["kept"]
    assert kept["record"] == {"de": "betroffene Person", "en": "data subject"}  # the letter writes them capitalised
    letter = " ".join(dpo_client.post(letter_url(req), {"fmt": "html"}).content.decode().split())
    assert "Data subject" in letter and "Betroffene Person" not in letter
