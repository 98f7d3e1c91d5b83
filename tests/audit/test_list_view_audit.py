"""A list page is audited with every id it showed, in a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_list_view
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db


def _ids(entries) -> list[str]:
    return [i for e in entries for i in re.sub(r"^.* list( \(\d+/\d+\))?: ", "", e.detail).split(",") if i]


def test_every_id_of_a_long_list_is_kept_in_few_queries():
    ids = list(range(1_000_000, 1_000_400))
    with CaptureQueriesContext(connection) as few:
        audit_list_view(DataSubject, ids[:3], fields=["last_name"])
    with CaptureQueriesContext(connection) as many:
        entries = audit_list_view(DataSubject, ids, fields=["last_name"])
    assert len(many) == len(few)
    assert len(entries) > 1
    assert all(len(e.detail) <= 300 and e.fields == ["last_name"] for e in entries)
    assert entries[0].detail.startswith(f"subjects.datasubject list (1/{len(entries)}): ")
    assert _ids(entries) == [str(i) for i in ids]


def test_the_admin_list_page_audits_every_shown_id_and_no_names(register, dpo_client):
    DataSubjectFactory.create_batch(120, last_name="Geheimname")
    response = dpo_client.get(reverse("admin:subjects_datasubject_changelist"))
    assert response.status_code == 200
    shown = {str(o.pk) for o in response.context["cl"].result_list}
    entries = AuditEntry.objects.filter(action="view", detail__startswith="subjects.datasubject list")
    assert set(_ids(entries)) == shown and len(shown) > 50
    assert all("Geheimname" not in e.payload().decode() for e in entries)
