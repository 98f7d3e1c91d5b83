"""The request page in the admin (/admin/requests_app/datasubjectrequest/<id>/change/), as the DPO reads it."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import requests_app
from consents.models import ConsentPurpose
from dpo_portal.models import Recipient
from requests_app.models import RecipientNotification, RequestType, TimelineEntry
from subjects.models import DataSubject, EmailAddress, Order, RestrictionGround
from tests.factories import request_with, subject_with_everything

from .helpers import item_url

pytestmark = pytest.mark.django_db


def _page(client, req) -> str:
    response = client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_no_template_comment(dpo_client, register):
    req = request_with(RequestType.ACCESS)
    done = request_with(RequestType.ACCESS)
    done.items.update(done_at=timezone.now(), outcome="fulfilled")  # "Access report again"
    for page in (_page(dpo_client, req), _page(dpo_client, done)):
        assert "{#" not in page and "#}" not in page
        assert "POST only" not in page


def test_no_template_of_the_app_has_a_comment_django_would_print():
    # {# … #} ends at the end of its line: a comment over several lines needs {% comment %}.
    templates = Path(requests_app.__file__).parent / "templates"
    unclosed = [
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.*")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert unclosed == []


@pytest.mark.parametrize("viewer", ["dpo_client", "auditor_client"])
def test_it_names_the_users_without_links_they_may_not_open(request, viewer, support_user, dpo_user, register):
    support_user.first_name, support_user.last_name = "Sven", "Support"
    support_user.save()
    dpo_user.first_name, dpo_user.last_name = "Dora", "Datenschutz"
    dpo_user.save()
    req = request_with(RequestType.ERASURE, logged_by=support_user)
    TimelineEntry.objects.create(
        request=req, kind="note", author=dpo_user, text="Rückruf vereinbart", at=timezone.now()
    )
    RecipientNotification.objects.create(
        request=req, recipient=Recipient.objects.first(), kind=RequestType.ERASURE, notified_by=dpo_user
    )
    page = _page(request.getfixturevalue(viewer), req)
    assert "/admin/auth/user/" not in page
    assert "Sven Support" in page
    assert page.count("Dora Datenschutz") == 2  # the note's author and who notified the recipient


@pytest.mark.parametrize(
    ("language", "deadline", "other"), [("de", "28.01.2027", "28/01/2027"), ("en", "28/01/2027", "28.01.2027")]
)
def test_the_deadline_reads_in_the_pages_language(dpo_client, register, language, deadline, other):
    req = request_with(RequestType.ACCESS, due_on=datetime.date(2027, 1, 28))
    headers = {"accept-language": language}
    listing = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_changelist"), headers=headers)
    page = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk]), headers=headers)
    for response in (listing, page):
        text = response.content.decode()
        assert deadline in text and other not in text


def _access_buttons(page: str) -> set[str]:
    return set(re.findall(r'name="(access-\w+-\w+)"', page))


def test_the_access_report_is_offered_in_german_and_english_again_once_produced(dpo_client, register):
    req = request_with(RequestType.ACCESS, language="de", subject=subject_with_everything())
    every = {f"access-{fmt}-{language}" for fmt in ("pdf", "html", "json") for language in ("de", "en")}
    assert _access_buttons(_page(dpo_client, req)) == every
    dpo_client.post(item_url(req.items.get()), {"fmt": "pdf", "language": "de"})
    page = _page(dpo_client, req)
    assert "Auskunft erneut" in page
    assert _access_buttons(page) == every


def test_lifting_is_offered_only_for_an_art18_restriction(dpo_client, register):
    subject = subject_with_everything()
    req = request_with(RequestType.RESTRICTION, subject=subject)
    now = timezone.now()
    # Kept for the law after an erasure: restricted, but nothing the person can have lifted.
    DataSubject.objects.filter(pk=subject.pk).update(
        restricted_at=now, restriction_ground=RestrictionGround.RETENTION_DUTY
    )
    Order.objects.filter(subject=subject).update(restricted_at=now, restriction_ground=RestrictionGround.LEGAL_HOLD)
    assert "Einschränkung aufheben" not in _page(dpo_client, req)
    # One record restricted on an Art. 18 ground (the person is not): that can be lifted.
    EmailAddress.objects.filter(subject=subject).update(
        restricted_at=now, restriction_ground=RestrictionGround.ACCURACY_CONTESTED
    )
    assert "Einschränkung aufheben" in _page(dpo_client, req)


def _queries(client, req) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client, req)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_withdrawal_names_the_consent_purpose_in_the_pages_language(dpo_client, register, language):
    dpo_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    purpose = ConsentPurpose.objects.get(code="affiliate-transfer")
    req = request_with({"kind": RequestType.CONSENT_WITHDRAWAL, "purpose_code": "affiliate-transfer"})
    page = _page(dpo_client, req)
    name = purpose.name_de if language == "de" else purpose.name_en
    assert purpose.name_de != purpose.name_en
    # In the workflow panel and in the column "consent purpose" of the requested rights.
    assert page.count(name) >= 2
    assert "affiliate-transfer" not in page
    # The names come with the rights, not in a query per row.
    codes = ["product-news", "surveys", "google-ads-conversion"]
    more = request_with(*({"kind": RequestType.CONSENT_WITHDRAWAL, "purpose_code": code} for code in codes))
    assert _queries(dpo_client, more) == _queries(dpo_client, req)


def test_adding_a_request_in_the_admin_leads_to_the_support_desk(dpo_client, auditor_client, register):
    url = reverse("admin:requests_app_datasubjectrequest_add")
    response = dpo_client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("requests_app:intake")
    # Who may not log requests still may not add one.
    assert auditor_client.get(url).status_code == 403


@pytest.mark.parametrize(("language", "name"), [("de", "Zahlungsdienstleister"), ("en", "Payment service provider")])
def test_the_recipients_to_tell_are_named_in_the_pages_language(dpo_client, register, language, name):
    req = request_with(RequestType.ERASURE)
    RecipientNotification.objects.create(
        request=req, recipient=Recipient.objects.get(name="Zahlungsdienstleister"), kind=RequestType.ERASURE
    )
    url = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    page = dpo_client.get(url, headers={"accept-language": language}).content.decode()
    assert f">{name} –" in page


def test_the_notifications_table_names_the_recipients_in_the_pages_language(dpo_client, register):
    # The inline showed the register's German name on the English page, beside the panel's English one.
    req = request_with(RequestType.ERASURE)
    RecipientNotification.objects.create(
        request=req,
        recipient=Recipient.objects.get(name="Zahlungsdienstleister"),
        kind=RequestType.ERASURE,
        notified_on=timezone.localdate(),
    )
    url = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    english = dpo_client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Payment service provider" in english
    assert "Zahlungsdienstleister" not in english
    assert "Zahlungsdienstleister" in dpo_client.get(url, headers={"accept-language": "de"}).content.decode()


def test_the_timeline_reads_in_the_auditor_s_language_whoever_wrote_it(dpo_client, auditor_client, register):
    """The DPO works in German; the English auditor read "eingegangen → in Bearbeitung" and "Identitätsprüfung"."""
    from requests_app.admin.workflow_views import PERMISSION  # noqa: F401  (the workflow steps the DPO takes)

    from .helpers import step_url

    req = request_with(RequestType.ACCESS, state="received")
    german = {"HTTP_ACCEPT_LANGUAGE": "de"}
    dpo_client.post(step_url(req, "identity"), {"method": "callback", "result": "verified"}, **german)
    dpo_client.post(step_url(req, "transition"), {"action": "process"}, **german)
    dpo_client.post(step_url(req, "note"), {"kind": "note", "text": "Rückruf vereinbart"}, **german)
    url = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    english = " ".join(auditor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split())
    assert "received → in progress" in english and "Identity check: call back to a stored phone number" in english
    assert "eingegangen" not in english and "Identitätsprüfung:" not in english
    assert "Rückruf vereinbart" in english  # what people write reads as written
    german_page = " ".join(auditor_client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode().split())
    assert "eingegangen → in Bearbeitung" in german_page
