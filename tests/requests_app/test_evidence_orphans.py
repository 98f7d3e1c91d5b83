"""Evidence files left behind by a deletion the storage refused are found and removed, and nothing else is."""

import io

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

    assert _run().strip() == "Verwaiste Nachweisdateien: 1"  # counts only: the name could name a person
    assert _run("--delete").strip() == "Verwaiste Nachweisdateien gelöscht: 1"
    assert not default_storage.exists(stray) and default_storage.exists(entry.attachment.name)
    assert _run("--delete").strip() == "Verwaiste Nachweisdateien gelöscht: 0"


def test_no_evidence_folder_yet_is_no_error(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "empty")
    assert _run().strip() == "Verwaiste Nachweisdateien: 0"
