"""A registration is shared with the other participants only while the person's consent to it is in force."""

import pytest
from django.core.exceptions import ValidationError

from consents.services import consent_withdraw
from tests.factories import EventRegistrationFactory, consent_on_paper

pytestmark = pytest.mark.usefixtures("register")


def test_sharing_needs_the_consent_in_force():
    registration = EventRegistrationFactory(share_with_participants=True)
    with pytest.raises(ValidationError) as refused:
        registration.full_clean()
    assert "Einwilligung" in str(refused.value.message_dict["share_with_participants"])
    consent_on_paper(registration.subject, "event-participant-sharing")
    registration.full_clean()
    consent_withdraw(subject=registration.subject, purpose_code="event-participant-sharing", channel="paper")
    registration.share_with_participants = True
    with pytest.raises(ValidationError):
        registration.full_clean()


def test_a_registration_not_shared_needs_no_consent():
    EventRegistrationFactory(share_with_participants=False).full_clean()
