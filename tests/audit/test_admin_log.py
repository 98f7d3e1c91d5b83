"""Django's admin history names objects by id: no name, address or number outlives an erasure there."""

import json

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from audit.admin_log import change_message_by_id
from subjects.models import DataSubject, EmailAddress
from tests.factories import DataSubjectFactory, EmailAddressFactory


def _change_form_data(client, url: str, **changes) -> dict:
    """The change form as the page shows it, no inline rows, with `changes` (`<formset prefix>`: rows to add)."""
    context = client.get(url).context
    form = context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["birth_date"] = ""
    for formset in (fs.formset for fs in context["inline_admin_formsets"]):
        rows = changes.pop(formset.prefix, [])
        data.update({f"{formset.prefix}-TOTAL_FORMS": len(rows), f"{formset.prefix}-INITIAL_FORMS": 0})
        for i, row in enumerate(rows):
            data.update({f"{formset.prefix}-{i}-{k}": v for k, v in row.items()})
    data.update(changes)
    return data


def _errors(response) -> str:
    if not response.context:
        return ""
    inlines = [fs.formset.errors for fs in response.context["inline_admin_formsets"] if fs.formset.total_error_count()]
    return f"{response.context['adminform'].form.errors} {inlines}"


def _log_text() -> str:
    return " ".join(f"{e.object_repr} {e.change_message} {e.get_change_message()}" for e in LogEntry.objects.all())


@pytest.mark.django_db
def test_a_change_with_an_inline_row_is_logged_by_id(register, dpo_client):
    subject = DataSubjectFactory(first_name="Hedwig", last_name="Unvergessen", customer_number="K-4711")
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    data = _change_form_data(
        dpo_client,
        url,
        last_name="Umbenannt",
        emailaddress_set=[{"email": "hedwig@example.org", "is_primary": "on", "collected_on": "01.03.2026"}],
    )
    response = dpo_client.post(url, data)
    assert response.status_code == 302, _errors(response)
    email = EmailAddress.objects.get(subject=subject)

    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert entry.object_repr == f"#{subject.pk}" and entry.object_id == str(subject.pk)
    message = json.loads(entry.change_message)
    assert message[0] == {"changed": {"fields": ["last name"]}}  # the msgid: the history page translates it
    assert message[1]["added"]["object"] == f"#{email.pk}"
    for value in ("Hedwig", "Unvergessen", "Umbenannt", "K-4711", "hedwig@example.org"):
        assert value not in _log_text()
    # The object's history page still reads.
    history = dpo_client.get(reverse("admin:subjects_datasubject_history", args=[subject.pk]))
    assert history.status_code == 200 and f"#{email.pk}" in history.content.decode()
    assert "Nachname geändert" in history.content.decode()


@pytest.mark.django_db
def test_additions_and_deletions_are_logged_by_id(register, dpo_client, dpo_user):
    add = reverse("admin:subjects_datasubject_add")
    data = _change_form_data(
        dpo_client, add, first_name="Neu", last_name="Angelegt", country="DE", language="de", source="order"
    )
    data["customer_number"] = "K-0815"
    response = dpo_client.post(add, data)
    assert response.status_code == 302, _errors(response)
    subject = DataSubject.objects.get(customer_number="K-0815")
    assert LogEntry.objects.get(action_flag=ADDITION).object_repr == f"#{subject.pk}"

    # Personal data cannot be deleted in the admin (erasure goes through its workflow); should an admin of
    # personal data ever delete, Django's log names what it deleted by id.
    others = [EmailAddressFactory(email=f"weg{i}@example.org") for i in range(2)]
    request = RequestFactory().post("/")
    request.user = dpo_user
    model_admin = admin.site._registry[EmailAddress]
    model_admin.log_deletions(request, EmailAddress.objects.filter(pk__in=[o.pk for o in others]))
    deleted = LogEntry.objects.filter(action_flag=DELETION)
    assert sorted(deleted.values_list("object_repr", flat=True)) == sorted(f"#{o.pk}" for o in others)
    for value in ("Angelegt", "K-0815", "weg0@example.org", "weg1@example.org"):
        assert value not in _log_text()


@pytest.mark.django_db
def test_the_migration_scrubs_the_entries_written_before(register, dpo_user):
    from importlib import import_module

    from django.apps import apps

    from dpo_portal.models import ProcessingActivity

    subject = DataSubjectFactory(last_name="Altlast")
    activity = ProcessingActivity.objects.first()
    kind = ContentType.objects.get_for_model(DataSubject)
    by_name = LogEntry.objects.create(
        user=dpo_user,
        content_type=kind,
        object_id=str(subject.pk),
        object_repr=str(subject),
        action_flag=CHANGE,
        change_message=json.dumps(
            [{"changed": {"fields": ["Last name"]}}, {"added": {"name": "email address", "object": "alt@example.org"}}]
        ),
    )
    plain = LogEntry.objects.create(
        user=dpo_user, content_type=kind, object_id=str(subject.pk), object_repr="Altlast", action_flag=CHANGE
    )
    register_entry = LogEntry.objects.create(
        user=dpo_user,
        content_type=ContentType.objects.get_for_model(activity),
        object_id=str(activity.pk),
        object_repr=str(activity),
        action_flag=CHANGE,
    )
    forwards = import_module("audit.migrations.0004_admin_log_by_id").forwards

    forwards(apps, None)
    forwards(apps, None)  # again: nothing more to do

    for entry in (by_name, plain, register_entry):
        entry.refresh_from_db()
    assert by_name.object_repr == plain.object_repr == f"#{subject.pk}"
    assert "alt@example.org" not in by_name.change_message and "Altlast" not in by_name.object_repr + plain.object_repr
    assert by_name.get_change_message() == "Last name geändert. E-Mail-Adresse „—“ hinzugefügt."
    # The register is not personal data: its names stay readable in the history.
    assert register_entry.object_repr == str(activity)


def test_a_deleted_inline_row_is_named_by_the_id_it_had():
    class Row:
        pk = None  # deleted: Django has set its id to None

        def __str__(self):
            return "weg@example.org"

    class Formset:
        new_objects, changed_objects, deleted_objects, deleted_pks = [], [], [Row()], [41]

    message = [{"deleted": {"name": "E-Mail-Adresse", "object": "weg@example.org"}}]
    assert change_message_by_id(message, None, [Formset()]) == [
        {"deleted": {"name": "E-Mail-Adresse", "object": "#41"}}
    ]
