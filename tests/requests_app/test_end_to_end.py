"""From the support desk to the DPO's fulfilment: the request logged by support is the one the DPO answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consents.selectors import may_contact
from dpo_portal.models import ProcessingActivity
from requests_app.deadlines import response_due
from requests_app.models import DataSubjectRequest, RequestItem
from subjects.models import Order
from tests.factories import subject_with_everything

pytestmark = pytest.mark.django_db


def test_support_logs_and_the_dpo_restricts_then_answers(support_client, dpo_client, register):
    subject = subject_with_everything()
    marketing = ProcessingActivity.objects.filter(is_marketing=True, objection_possible=True).first()
    response = support_client.post(
        reverse("requests_app:intake"),
        {
            "subject": subject.pk,
            "channel": "phone",
            "language": "de",
            "requester_name": "Maria Weber",
            "requester_phone": "+49 4102 12345",
            "kinds": ["access", "restriction", "objection"],
            "restriction_ground": "accuracy",
            "objection_activity": marketing.pk,
            "identity_method": "callback",
            "identity_result": "verified",
        },
        follow=True,
    )
    page = response.content.decode()
    req = DataSubjectRequest.objects.get()
    assert req.receipt_number in page
    assert req.due_on == response_due(timezone.localdate())
    # The marketing objection took effect at intake, and support is told so.
    objection = req.items.get(kind="objection")
    assert objection.outcome == RequestItem.Outcome.UPHELD
    assert "Werbewiderspruch ist wirksam" in page
    assert "objection" in may_contact(purpose_code=marketing.code, channel="email", subject=subject).reasons

    # The DPO sees it in the list with its deadline and works through it.
    listing = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_changelist")).content.decode()
    assert req.receipt_number in listing and req.due_on.strftime("%d.%m.%Y") in listing
    step = reverse("admin:requests_app_request_step", args=[req.pk, "transition"])
    dpo_client.post(step, {"action": "process"})
    for item in req.items.exclude(kind="objection"):
        url = reverse("admin:requests_app_request_item", args=[req.pk, item.pk, item.kind])
        if item.kind == "access":
            assert dpo_client.post(url, {"fmt": "pdf", "language": "de"}).content.startswith(b"%PDF")
        else:
            dpo_client.post(url)
    assert not Order.objects.filter(subject=subject).processable().exists()
    assert RequestItem.objects.filter(request=req, done_at__isnull=False).count() >= 2
    answer = dpo_client.post(reverse("admin:requests_app_request_letter", args=[req.pk, "answer"]), {"fmt": "html"})
    assert "Wir haben die Verarbeitung Ihrer Daten eingeschränkt" in answer.content.decode()
    assert req.received_at <= timezone.now() + datetime.timedelta(seconds=1)
