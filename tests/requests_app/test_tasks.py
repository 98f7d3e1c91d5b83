"""The DPO's daily deadline digest (Celery beat task) and the demo requests."""

import datetime
import random

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from consents.models import Objection
from requests_app.models import DataSubjectRequest, RequestType
from requests_app.tasks import send_deadline_digest
from tests.factories import DataSubjectFactory, request_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DPO_EMAIL = "dsb@example.org"


@time_machine.travel(datetime.datetime(2025, 6, 16, 5, 0, tzinfo=datetime.UTC))
def test_it_mails_overdue_and_soon_due_requests_in_german_and_english(register):
    overdue = request_with(RequestType.ACCESS, received_at=datetime.datetime(2025, 5, 2, 9, tzinfo=datetime.UTC))
    soon = request_with(RequestType.ERASURE, received_at=datetime.datetime(2025, 5, 20, 9, tzinfo=datetime.UTC))
    later = request_with(RequestType.COPY, received_at=datetime.datetime(2025, 6, 10, 9, tzinfo=datetime.UTC))
    closed = request_with(
        RequestType.ACCESS, received_at=datetime.datetime(2025, 5, 2, 9, tzinfo=datetime.UTC), state="completed"
    )
    assert send_deadline_digest.delay().get() == 2
    (message,) = mail.outbox
    assert message.to == ["dsb@example.org"]
    german_subject, english_subject = message.subject.split(" / ")
    assert "1 überfällig" in german_subject and "1 overdue" in english_subject
    assert overdue.receipt_number in message.body and soon.receipt_number in message.body
    assert later.receipt_number not in message.body and closed.receipt_number not in message.body
    assert "Überfällig" in message.body and "Overdue" in message.body
    assert "Löschung (Art. 17 DSGVO)" in message.body and "erasure (Art. 17 GDPR)" in message.body
    german, english = message.body.split("-" * 40)
    assert "16.06.2025" in german and "16/06/2025" in english  # each part writes dates in its language


def test_it_sends_nothing_when_nothing_is_due(register):
    request_with(RequestType.ACCESS)
    assert send_deadline_digest() == 0
    assert mail.outbox == []


def test_the_demo_loads_open_and_completed_requests_once(register):
    subjects = DataSubjectFactory.create_batch(12)
    logs = []
    from requests_app.demo import load_demo

    load_demo(subjects=subjects, rng=random.Random(7), log=logs.append)
    load_demo(subjects=subjects, rng=random.Random(7), log=logs.append)
    requests = DataSubjectRequest.objects.all()
    assert requests.count() == 10
    assert requests.open().exists() and requests.filter(state="completed").exists()
    assert requests.overdue().exists()
    assert len(set(requests.values_list("receipt_number", flat=True))) == 10
    # Every file is in the register, one closed long enough ago for its period to have ended.
    assert not requests.filter(category=None).exists() and not requests.filter(activity=None).exists()
    assert requests.filter(closed_at__year__lte=timezone.localdate().year - 4).count() == 1
    # The open objection is on record with the consents app, waiting for the DPO.
    assert Objection.objects.filter(status="pending").count() == 1
