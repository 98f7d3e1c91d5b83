"""Evidence files left behind by a deletion the storage refused are found and removed, and nothing else is."""

import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from requests_app.models import TimelineEntry
from tests.factories import DataSubjectRequestFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("evidence_orphans", *args, stdout=out)
    return out.getvalue()


def test_orphaned_evidence_is_counted_and_removed_and_held_evidence_stays(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    entry = TimelineEntry.objects.create(
        request=DataSubjectRequestFactory(), at=timezone.now(), kind=TimelineEntry.Kind.MESSAGE_IN
    )
    entry.attachment.save("anfrage.eml", ContentFile(b"From: erika@example.org"))
    stray = default_storage.save("requests/evidence/2026/01/Mustermann_Ausweis.pdf", ContentFile(b"%PDF"))
    uploading = default_storage.save("requests/evidence/2026/11/neu.eml", ContentFile(b"From: a@example.org"))
    # Files of a day ago: settled. The newest one may belong to an upload whose entry is not committed yet.
    day_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    for name in (stray, entry.attachment.name):
        os.utime(default_storage.path(name), (day_ago, day_ago))

    assert _run().strip() == "Verwaiste Nachweisdateien: 1"  # counts only: the name could name a person
    assert _run("--delete").strip() == "Verwaiste Nachweisdateien gelöscht: 1"
    assert not default_storage.exists(stray) and default_storage.exists(entry.attachment.name)
    assert default_storage.exists(uploading)
    assert _run("--delete").strip() == "Verwaiste Nachweisdateien gelöscht: 0"


def test_no_evidence_folder_yet_is_no_error(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "empty")
    assert _run().strip() == "Verwaiste Nachweisdateien: 0"


def test_the_nightly_task_removes_settled_orphans_and_is_scheduled(settings, tmp_path):
    from dpo_portal.celery import app
    from requests_app.tasks import delete_evidence_orphans

    settings.MEDIA_ROOT = str(tmp_path / "media")
    stray = default_storage.save("requests/evidence/2026/01/Ausweis.pdf", ContentFile(b"%PDF"))
    day_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(stray), (day_ago, day_ago))

    assert delete_evidence_orphans.delay().get() == 1
    assert not default_storage.exists(stray)
    assert delete_evidence_orphans.delay().get() == 0
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == delete_evidence_orphans.name]
    assert entry["task"] in app.tasks
