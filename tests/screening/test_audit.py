"""What the screening app writes into the audit trail can be found by the person it concerns."""

import pytest

from audit.models import AuditEntry
from screening.models import CaseCandidate, ScreeningCase, Trigger
from screening.services import subject_screen
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(register, eu_version, ofac_version):
    subject_screen(subject=DataSubjectFactory(first_name="Daniel", last_name="Moreno"), trigger=Trigger.MANUAL)
    return ScreeningCase.objects.get()


def test_it_files_a_new_candidate_under_the_person(case):
    candidate = CaseCandidate.objects.get(case=case)
    entry = AuditEntry.objects.get(action="create", object_type="screening.casecandidate", object_id=str(candidate.pk))
    assert entry.subject_id == case.subject_id
