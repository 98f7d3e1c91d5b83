"""A new list version re-screens everyone against the entries that are new or changed in it."""

import pytest
from django.core.management import call_command

from screening.models import ScreeningCase, ScreeningRun, Trigger
from screening.services import case_clear
from screening.tasks import download_lists, rescreen_all
from subjects.services import subject_create

from .conftest import EU_XML

pytestmark = pytest.mark.django_db


def _eu_with(tmp_path, old: bytes, new: bytes):
    path = tmp_path / f"eu-{abs(hash(new))}.xml"
    path.write_bytes(EU_XML.read_bytes().replace(old, new))
    return path


def test_a_new_entry_blocks_an_existing_person(register, eu_version, tmp_path, django_capture_on_commit_callbacks):
    subject = subject_create(first_name="Ingrid", last_name="Wolkenstein")
    updated = _eu_with(tmp_path, b'wholeName="Leo Manzi"', b'wholeName="Ingrid WOLKENSTEIN"')
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sanctions_import", str(updated), "--format", "eu-xml")
    subject.refresh_from_db()
    assert subject.is_blocked
    case = ScreeningCase.objects.get(subject=subject)
    assert case.trigger == Trigger.LIST_UPDATED
    run = ScreeningRun.objects.filter(trigger=Trigger.LIST_UPDATED).latest("pk")
    assert run.subjects_screened == 1 and run.cases_opened == 1


def test_a_cleared_match_returns_only_when_the_entry_changes(
    register, eu_version, dpo_user, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subject = subject_create(first_name="Leo", last_name="Manzi", country="DE")
    case = ScreeningCase.objects.get(subject=subject)
    case_clear(case=case, user=dpo_user, reason="Different person: born 1988 in Kiel.")

    # Another entry changes: the cleared one is unchanged and is not raised again.
    other = _eu_with(tmp_path, b'wholeName="Salem ALI"', b'wholeName="Salem ALI AL-HARBI"')
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sanctions_import", str(other), "--format", "eu-xml")
    rescreen_all()
    subject.refresh_from_db()
    assert not subject.is_blocked

    # The cleared entry itself changes (a new birth date): it is raised again.
    changed = _eu_with(tmp_path, b'city="Kigali" zipCode="" year="1954"', b'city="Kigali" zipCode="" year="1955"')
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sanctions_import", str(changed), "--format", "eu-xml", "--allow-shrink")
    subject.refresh_from_db()
    assert subject.is_blocked
    assert ScreeningCase.objects.filter(subject=subject, status="open").exists()


def test_the_weekly_rescreen_screens_everyone_in_batches(register, eu_version, settings):
    settings.SCREENING_BATCH_SIZE = 2
    for last in ("Hammadou", "Meier", "Schulz"):
        subject_create(first_name="Abid", last_name=last)
    assert rescreen_all() == 2
    runs = ScreeningRun.objects.filter(trigger=Trigger.WEEKLY)
    assert sum(r.subjects_screened for r in runs) == 3
    assert ScreeningCase.objects.filter(trigger=Trigger.WEEKLY).count() == 1


def test_lists_are_downloaded_from_the_configured_url(db, settings, django_capture_on_commit_callbacks):
    settings.SCREENING_LIST_URLS = {"eu-xml": EU_XML.as_uri(), "ofac-csv": ""}
    with django_capture_on_commit_callbacks(execute=True):
        first = download_lists()
    assert len(first) == 1
    assert download_lists() == first  # unchanged: no new version
