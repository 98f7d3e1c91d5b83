"""A registration is shared with the other participants only while the person's consent to it is in force."""

import pytest
from django.core.exceptions import ValidationError

from consents.services import consent_give, consent_withdraw
from tests.factories import EventRegistrationFactory

pytestmark = pytest.mark.usefixtures("register")


def _give(subject):
    consent_give(
        subject=subject,
        purpose_code="event-participant-sharing",
        text_version=1,
        channel="paper",
        origin="Anmeldebogen",
        evidence="Scan 12",
    )


def test_sharing_needs_the_consent_in_force():
    registration = EventRegistrationFactory(share_with_participants=True)
    with pytest.raises(ValidationError) as refused:
        registration.full_clean()
    assert "Einwilligung" in str(refused.value.message_dict["share_with_participants"])
    _give(registration.subject)
    registration.full_clean()
    consent_withdraw(subject=registration.subject, purpose_code="event-participant-sharing", channel="paper")
    registration.share_with_participants = True
    with pytest.raises(ValidationError):
        registration.full_clean()


def test_a_registration_not_shared_needs_no_consent():
    EventRegistrationFactory(share_with_participants=False).full_clean()
