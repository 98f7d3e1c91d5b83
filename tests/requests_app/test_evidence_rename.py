"""`evidence_rename`: evidence stored under the uploader's file name before uploads got random names is moved to a
random name once, losing nothing; a run stopped half-way is finished by the next, and the orphan check finds the
rest."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.utils import timezone

from requests_app.evidence import RANDOM_NAME, evidence_files_rename
from requests_app.models import TimelineEntry
from tests.factories import DataSubjectRequestFactory

pytestmark = pytest.mark.django_db
MAIL = b"From: max@example.org\r\nSubject: Auskunft\r\n\r\nBitte um Auskunft."


def _old_entry(name="requests/evidence/2026/10/Auskunft_Max_Mustermann.eml") -> TimelineEntry:
    stored = default_storage.save(name, ContentFile(MAIL))
    return TimelineEntry.objects.create(
        request=DataSubjectRequestFactory(), at=timezone.now(), kind=TimelineEntry.Kind.MESSAGE_IN, attachment=stored
    )


def test_it_moves_old_names_to_random_ones_and_keeps_the_content(capsys):
    old = _old_entry()
    new = TimelineEntry.objects.create(request=old.request, at=timezone.now(), kind=TimelineEntry.Kind.MESSAGE_IN)
    new.attachment.save("whatever.eml", ContentFile(MAIL))
    already = new.attachment.name
    call_command("evidence_rename")
    assert capsys.readouterr().out.strip() == "Umbenannte Nachweisdateien: 1"
    old.refresh_from_db()
    new.refresh_from_db()
    assert RANDOM_NAME.match(old.attachment.name) and "Mustermann" not in old.attachment.name
    assert old.attachment.read() == MAIL
    assert not default_storage.exists("requests/evidence/2026/10/Auskunft_Max_Mustermann.eml")
    assert new.attachment.name == already  # random already: left alone
    assert evidence_files_rename() == 0  # nothing twice


def test_a_file_the_storage_no_longer_has_is_left_to_the_orphan_check():
    entry = _old_entry()
    default_storage.delete(entry.attachment.name)
    assert evidence_files_rename() == 0


def test_a_run_stopped_after_the_copy_is_finished_by_the_next(settings):
    entry = _old_entry()
    old_name = entry.attachment.name

    class StoppedBeforeDeleting(FileSystemStorage):
        def delete(self, name):
            raise OSError("stopped")

    with pytest.raises(OSError):
        evidence_files_rename(StoppedBeforeDeleting(location=settings.MEDIA_ROOT))
    entry.refresh_from_db()
    assert RANDOM_NAME.match(entry.attachment.name)  # the entry points at the copy already
    assert entry.attachment.read() == MAIL
    assert default_storage.exists(old_name)  # left for the orphan check, which deletes it
    assert evidence_files_rename() == 0
