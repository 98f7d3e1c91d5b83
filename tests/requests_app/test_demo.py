"""The demo's closed requests show how they were handled, as an auditor asks to see (Art. 12(3) GDPR)."""

import pytest
from django.core.management import call_command

from consents.models import Consent
from requests_app.models import DataSubjectRequest, RequestItem, RequestType, TimelineEntry


@pytest.mark.django_db
def test_each_closed_demo_request_records_its_handling_and_its_answer(register, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "40")
    closed = DataSubjectRequest.objects.filter(state__in=DataSubjectRequest.CLOSED_STATES)
    assert closed.exists()
    for req in closed:
        kinds = set(req.timeline.values_list("kind", flat=True))
        assert {TimelineEntry.Kind.STATE, TimelineEntry.Kind.LETTER} <= kinds, req.receipt_number
        # Answered within its deadline, and the letter on the day it was closed.
        assert req.days_to_spare is not None and req.days_to_spare >= 0
        letter = req.timeline.get(kind=TimelineEntry.Kind.LETTER)
        assert letter.at == req.closed_at
    completed = closed.filter(state=DataSubjectRequest.State.COMPLETED)
    assert all(r.timeline.filter(kind=TimelineEntry.Kind.FULFILMENT).exists() for r in completed)


@pytest.mark.django_db
def test_a_demo_withdrawal_request_leaves_no_consent_to_its_purpose_in_force(register, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "40")
    item = RequestItem.objects.select_related("request").get(kind=RequestType.CONSENT_WITHDRAWAL)
    live = Consent.objects.filter(
        subject=item.request.subject,
        purpose__code=item.purpose_code,
        withdrawn_at__isnull=True,
        given_at__lte=item.request.received_at,
    )
    assert not live.exists()
