"""An open case follows the person's identity data, so that a clearance holds for what was checked."""

import datetime

import pytest

from audit.models import AuditEntry
from screening.models import ScreeningCase, Trigger
from screening.services import case_clear, subject_fingerprint, subject_screen
from subjects.services import subject_create, subject_update

pytestmark = pytest.mark.django_db


def test_a_changed_identity_with_the_same_hits_is_recorded_on_the_open_case(
    register, ofac_version, dpo_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subject = subject_create(first_name="Daniel", last_name="Moreno")
    case = ScreeningCase.objects.get(subject=subject)
    with django_capture_on_commit_callbacks(execute=True):
        subject = subject_update(subject=subject, birth_date=datetime.date(1972, 10, 12))
    case.refresh_from_db()
    assert case.candidates.count() == 1  # the same hit
    assert case.subject_fingerprint == subject_fingerprint(subject)
    assert AuditEntry.objects.filter(
        object_type="screening.screeningcase", object_id=str(case.pk), fields=["subject_fingerprint"]
    ).exists()

    # The clearance is about the data the DPO saw: screening that data again raises nothing.
    case_clear(case=case, user=dpo_user, reason="Different person: passport checked.")
    assert subject_screen(subject=subject, trigger=Trigger.WEEKLY) is None
    assert ScreeningCase.objects.filter(subject=subject).count() == 1
