"""What the screening app writes into the audit trail can be found by the person it concerns."""

import pytest
from django.urls import reverse

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


def test_it_files_each_exported_case_under_its_person(case, client, auditor_user):
    client.force_login(auditor_user)
    url = reverse("admin:screening_screeningcase_changelist")
    response = client.post(url, {"action": "export_csv", "_selected_action": [case.pk]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith(f"{case.pk},{case.subject_id},")
    entry = AuditEntry.objects.get(action="export")
    assert (entry.object_type, entry.object_id, entry.subject_id) == (
        "screening.screeningcase",
        str(case.pk),
        case.subject_id,
    )
    assert "subject" in entry.fields and "status" in entry.fields
