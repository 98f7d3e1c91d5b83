"""Evidence (an uploaded e-mail) is handed out only by the request admin's download: to whoever sees the request's
timeline, as an attachment no browser renders, audited; MEDIA_ROOT itself is served to nobody."""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from audit.models import AuditEntry
from requests_app.models import TimelineEntry
from tests.factories import DataSubjectRequestFactory

pytestmark = pytest.mark.django_db

# What a reviewer uploaded: it has a From line, and it ran as a script when served as text/html.
CRAFTED = b"From: a@example.org\r\nContent-Type: text/html\r\n\r\n<script>alert(document.cookie)</script>"


def _entry(content=CRAFTED, name="beleg.htm", request=None) -> TimelineEntry:
    entry = TimelineEntry.objects.create(
        request=request or DataSubjectRequestFactory(), at=timezone.now(), kind=TimelineEntry.Kind.MESSAGE_IN
    )
    entry.attachment.save(name, ContentFile(content))
    return entry


def _url(entry) -> str:
    return reverse("admin:requests_app_request_evidence", args=[entry.request_id, entry.pk])


def _exports():
    return AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)


def test_it_hands_the_dpo_the_evidence_as_an_attachment(dpo_client):
    entry = _entry()
    response = dpo_client.get(_url(entry))
    assert response.status_code == 200
    assert response.content == CRAFTED
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{entry.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_records_each_download_in_the_audit_trail(dpo_client, dpo_user):
    entry = _entry()
    dpo_client.get(_url(entry))
    dpo_client.get(_url(entry))
    audited = list(_exports().order_by("seq"))
    assert len(audited) == 2
    assert audited[0].object_type == "requests_app.timelineentry" and audited[0].object_id == str(entry.pk)
    assert audited[0].subject_id == entry.request.subject_id
    assert audited[0].actor_id == dpo_user.pk
    assert entry.request.receipt_number in audited[0].detail


def test_the_auditor_may_download_what_the_timeline_shows_them(auditor_client):
    # The auditor reads the request's timeline, the e-mail's text included: the e-mail itself is no more.
    entry = _entry()
    assert auditor_client.get(_url(entry)).status_code == 200
    assert _exports().count() == 1


def test_support_may_not_download_evidence(support_client):
    response = support_client.get(_url(_entry()))
    assert response.status_code == 403
    assert CRAFTED not in response.content
    assert not _exports().exists()


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(_url(_entry()))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not _exports().exists()


def test_an_entry_of_another_request_or_without_a_file_is_not_found(dpo_client):
    entry = _entry()
    other = DataSubjectRequestFactory()
    assert dpo_client.get(reverse("admin:requests_app_request_evidence", args=[other.pk, entry.pk])).status_code == 404
    note = TimelineEntry.objects.create(request=other, at=timezone.now(), kind=TimelineEntry.Kind.NOTE)
    assert dpo_client.get(_url(note)).status_code == 404
    default_storage.delete(entry.attachment.name)
    assert dpo_client.get(_url(entry)).status_code == 404
    assert not _exports().exists()


def test_evidence_stored_under_the_uploader_s_name_before_is_handed_out_too(dpo_client):
    old_name = default_storage.save("requests/evidence/2026/11/Auskunft_Max_Mustermann.eml", ContentFile(CRAFTED))
    entry = TimelineEntry.objects.create(
        request=DataSubjectRequestFactory(), at=timezone.now(), kind=TimelineEntry.Kind.MESSAGE_IN, attachment=old_name
    )
    response = dpo_client.get(_url(entry))
    assert response.content == CRAFTED
    assert "Mustermann" not in response["Content-Disposition"]


def test_the_timeline_links_to_the_download_and_not_into_media(dpo_client):
    entry = _entry(name="Auskunft_Max_Mustermann.eml")
    page = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[entry.request_id]))
    html = page.content.decode()
    assert f'<a href="{_url(entry)}">evidence-{entry.pk}.eml</a>' in html
    assert "/media/" not in html and "Mustermann" not in html


def test_a_stored_file_is_named_at_random_whatever_the_upload_was_called():
    entry = _entry(name="Auskunft_Max_Mustermann.htm")
    name = entry.attachment.name
    assert name.startswith("requests/evidence/") and name.endswith(".eml")
    assert not any(part in name for part in ("Auskunft", "Max", "Mustermann", "htm"))
    assert _entry(name="Auskunft_Max_Mustermann.htm").attachment.name != name


@pytest.fixture
def urls_built_with_debug(settings):
    """The URLconf as `runserver` builds it with DEBUG=1 (the default), rebuilt as before afterwards."""
    import dpo_portal.urls

    settings.DEBUG = True
    importlib.reload(dpo_portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(dpo_portal.urls)
    clear_url_caches()


def test_media_root_is_not_served_even_with_debug(dpo_client, urls_built_with_debug):
    name = default_storage.save("requests/evidence/2026/11/Auskunft_Max_Mustermann.eml", ContentFile(CRAFTED))
    assert Client().get(f"/media/{name}").status_code == 404
    assert dpo_client.get(f"/media/{name}").status_code == 404
