"""Invalid e-mail addresses, phone numbers, countries and dates are refused, with nothing half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from subjects.models import DataSubject, EmailAddress, PhoneNumber
from subjects.services import subject_create, subject_update
from subjects.validators import normalise_phone
from tests.factories import DataSubjectFactory


def _subject_form_data(client, subject, **changes):
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["country"] = data.get("country") or "DE"
    for fs in page.context["inline_admin_formsets"]:
        data.update({f"{fs.formset.prefix}-TOTAL_FORMS": 0, f"{fs.formset.prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return url, data


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["not-an-address", "a@b", "max mustermann@example.org", "x@example..org"])
def test_the_admin_refuses_an_invalid_email_and_saves_nothing(register, dpo_client, email):
    subject = DataSubjectFactory(last_name="Vorher")
    url, data = _subject_form_data(dpo_client, subject, last_name="Nachher")
    data.update(
        {
            "emailaddress_set-TOTAL_FORMS": 1,
            "emailaddress_set-0-email": email,
            "emailaddress_set-0-collected_on": "2026-01-05",
        }
    )
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Geben Sie eine gültige E-Mail-Adresse an" in response.content.decode()
    subject.refresh_from_db()
    assert subject.last_name == "Vorher"
    assert not EmailAddress.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["change", "create"], object_type__startswith="subjects.").exists()


@pytest.mark.django_db
def test_the_admin_refuses_an_invalid_phone_number(register, dpo_client):
    subject = DataSubjectFactory()
    url, data = _subject_form_data(dpo_client, subject)
    data.update(
        {
            "phonenumber_set-TOTAL_FORMS": 1,
            "phonenumber_set-0-number": "0123",
            "phonenumber_set-0-kind": "landline",
            "phonenumber_set-0-collected_on": "2026-01-05",
        }
    )
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")
    assert "ist keine gültige Telefonnummer" in response.content.decode()
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
def test_the_admin_stores_phone_numbers_in_international_format(register, dpo_client):
    subject = DataSubjectFactory()
    url, data = _subject_form_data(dpo_client, subject)
    data.update(
        {
            "phonenumber_set-TOTAL_FORMS": 1,
            "phonenumber_set-0-number": "04102 123456",
            "phonenumber_set-0-kind": "landline",
            "phonenumber_set-0-collected_on": "2026-01-05",
        }
    )
    assert dpo_client.post(url, data).status_code == 302
    phone = PhoneNumber.objects.get()
    assert phone.number == "+494102123456"
    assert phone.activity.code == "order-processing" and phone.category.code == "contact"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "ist keine gültige Auswahl"),
        ("birth_date", "31.02.1980", "gültiges Datum eingeben"),
        ("birth_date", "gestern", "gültiges Datum eingeben"),
        (
            "birth_date",
            (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "darf nicht in der Zukunft liegen",
        ),
        ("birth_date", "1850-01-01", "nicht plausibel"),
    ],
)
def test_the_admin_refuses_bad_countries_and_dates(register, dpo_client, field, value, message):
    subject = DataSubjectFactory(last_name="Vorher")
    url, data = _subject_form_data(dpo_client, subject, last_name="Nachher", **{field: value})
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert message in response.content.decode()
    subject.refresh_from_db()
    assert subject.last_name == "Vorher"


@pytest.mark.django_db
def test_services_refuse_bad_input_with_a_translated_message(register):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        subject_create(last_name="Weber", country="ZZ")
    assert "country" in exc.value.message_dict
    assert not DataSubject.objects.exists()
    subject = subject_create(last_name="Weber", country="DE")
    with pytest.raises(ValidationError):
        subject_update(subject=subject, birth_date=timezone.localdate() + datetime.timedelta(days=3))
    subject.refresh_from_db()
    assert subject.birth_date is None


@pytest.mark.parametrize("raw", ["+49 30 123456", "030 123456", "(030) 12-34-56"])
def test_phone_numbers_are_normalised(raw):
    assert normalise_phone(raw) == "+4930123456"


def test_a_foreign_number_keeps_its_country_code():
    assert normalise_phone("+43 1 5880000") == "+4315880000"


@pytest.mark.django_db
def test_a_blocked_person_is_marked_wherever_their_name_appears(register):
    subject = DataSubjectFactory(first_name="Eva", last_name="Weber", customer_number="K-1")
    assert str(subject) == "Eva Weber (K-1)"
    subject.is_blocked = True
    with translation.override("de"):
        assert str(subject) == "⛔ Eva Weber (K-1) – gesperrt"
