import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import DataSubjectFactory, EmailAddressFactory


@pytest.mark.django_db
def test_it_audits_the_view_of_a_subject_page(register, dpo_client):
    subject = DataSubjectFactory(last_name="Sichtbar")
    EmailAddressFactory(subject=subject)
    response = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="view", object_type="subjects.datasubject")
    assert entry.subject_id == subject.pk and entry.actor_name == "dpo"
    assert "last_name" in entry.fields and "emailaddress" in entry.fields
    assert "Sichtbar" not in entry.payload().decode()


@pytest.mark.django_db
def test_it_audits_a_rectification_with_the_changed_field_names(register, dpo_client):
    subject = DataSubjectFactory(last_name="Alt", first_name="Eva", country="DE")
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    form = dpo_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"last_name": "Neu", "birth_date": "", "country": "DE"})
    for prefix in [fs.formset.prefix for fs in dpo_client.get(url).context["inline_admin_formsets"]]:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    subject.refresh_from_db()
    assert subject.last_name == "Neu"
    entry = AuditEntry.objects.get(action="change", object_type="subjects.datasubject")
    assert entry.fields == ["last_name"]
    assert "Neu" not in entry.payload().decode() and "Alt" not in entry.payload().decode()


@pytest.mark.django_db
def test_it_audits_logins_and_failed_logins(client, dpo_user):
    client.post(reverse("admin:login"), {"username": "dpo", "password": "wrong"})
    client.post(reverse("admin:login"), {"username": "dpo", "password": "pw-for-tests-only"})
    logins = AuditEntry.objects.filter(action__in=["login", "login_failed"]).order_by("seq")
    actions = list(logins.values_list("action", flat=True))
    assert actions == ["login_failed", "login"]
    assert not AuditEntry.objects.filter(detail__icontains="wrong").exists()


@pytest.mark.django_db
def test_nobody_can_change_or_delete_entries_in_the_admin(register, dpo_client, django_user_model):
    DataSubjectFactory()
    entry = AuditEntry.objects.create(seq=999, at="2026-01-01T00:00:00Z", action="view", prev_hash="0" * 64, hash="x")
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    dpo_client.force_login(superuser)
    assert dpo_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert dpo_client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    response = dpo_client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "change"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "view"


@pytest.mark.django_db
def test_the_list_names_the_kind_of_object_in_the_page_s_language(register, dpo_client):
    subject = DataSubjectFactory()
    EmailAddressFactory(subject=subject)
    dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))  # a view entry
    url = reverse("admin:audit_auditentry_changelist")
    page = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Data subject</td>" in page and "subjects.datasubject</td>" not in page
    german = dpo_client.get(url + "?object_type=subjects.datasubject", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Betroffene Person</td>" in german and "Art des Objekts" in german


@pytest.mark.django_db
def test_an_entry_s_page_and_a_list_view_name_the_kind(register, dpo_client):
    DataSubjectFactory()
    dpo_client.get(reverse("admin:subjects_datasubject_changelist"))
    listed = AuditEntry.objects.get(action="view", detail__startswith="subjects.datasubject list")
    assert listed.object_type == "subjects.datasubject"  # found by the kind filter too
    page = dpo_client.get(reverse("admin:audit_auditentry_change", args=[listed.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = " ".join(page.content.decode().split())
    assert "Data subject" in text and "subjects.datasubject</div>" not in text


@pytest.mark.django_db
def test_an_entry_s_page_lists_its_fields_to_read(register, client, auditor_user):
    from audit.services import Action, audit_record

    subject = DataSubjectFactory()
    entry = audit_record(subject, Action.CHANGE, fields=["last_name", "first_name"])
    client.force_login(auditor_user)
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert "first_name, last_name" in page
    assert "[&quot;first_name&quot;" not in page and '["first_name"' not in page


@pytest.mark.django_db
def test_a_view_names_only_the_fields_the_page_showed(register, client, auditor_user, dpo_user):
    """The auditor's payment page has no account holder or IBAN: the trail said they had been read."""
    from subjects.models import PaymentMethod
    from tests.factories import PaymentMethodFactory

    payment = PaymentMethodFactory()
    url = reverse("admin:subjects_paymentmethod_change", args=[payment.pk])
    client.force_login(auditor_user)
    assert client.get(url).status_code == 200
    viewed = AuditEntry.objects.filter(action="view", object_type="subjects.paymentmethod").latest("seq")
    assert "masked" in viewed.fields
    assert not {"iban", "account_holder"} & set(viewed.fields)
    client.force_login(dpo_user)
    assert client.get(url).status_code == 200
    viewed = AuditEntry.objects.filter(action="view", object_type="subjects.paymentmethod").latest("seq")
    assert {"iban", "account_holder"} <= set(viewed.fields)
    assert PaymentMethod.objects.filter(pk=payment.pk).exists()


@pytest.mark.django_db
def test_the_trail_names_fields_as_the_pages_do(register, client, auditor_user):
    from audit.services import Action, audit_record

    subject = DataSubjectFactory()
    entry = audit_record(subject, Action.VIEW, fields=["__str__", "collected_on", "emailaddress", "last_name"])
    client.force_login(auditor_user)
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "data subject, collected_on, e-mail addresses, last name" in text
    listed = client.get(reverse("admin:audit_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "betroffene Person" in listed and "E-Mail-Adressen" in listed and "Nachname" in listed
