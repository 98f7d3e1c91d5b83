"""The auditor proves the trail intact from the admin: the check `audit_verify` runs, as a page they may open."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import Action, audit_record
from tests.factories import DataSubjectFactory


@pytest.fixture
def auditor_client(client, auditor_user):
    client.force_login(auditor_user)
    return client


@pytest.fixture
def trail(db):
    subject = DataSubjectFactory()
    for action in (Action.VIEW, Action.CHANGE, Action.EXPORT):
        audit_record(subject, action, fields=["last_name"])
    return list(AuditEntry.objects.order_by("seq"))


def test_it_is_offered_on_the_list_of_audit_entries(trail, auditor_client):
    page = auditor_client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert reverse("admin:audit_auditentry_verify") in page


def test_it_shows_an_intact_trail_in_the_readers_language(trail, auditor_client):
    english = auditor_client.get(reverse("admin:audit_auditentry_verify"), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert english.context["result"].ok
    assert "Audit trail intact" in english.content.decode()
    german = auditor_client.get(reverse("admin:audit_auditentry_verify"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Audit-Trail unversehrt" in german


def test_it_names_an_entry_changed_after_it_was_written(trail, auditor_client):
    seq = trail[1].seq
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["mallory", seq])
    response = auditor_client.get(reverse("admin:audit_auditentry_verify"), HTTP_ACCEPT_LANGUAGE="en")
    assert not response.context["result"].ok
    assert f"#{seq}" in response.content.decode()


def test_only_readers_of_the_trail_may_open_it(trail, client, support_user):
    client.force_login(support_user)
    assert client.get(reverse("admin:audit_auditentry_verify")).status_code == 403
