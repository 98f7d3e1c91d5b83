"""An encrypted value no configured key can read is shown as a placeholder and is never overwritten by it."""

import pickle

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from dpo_portal.fields import PLACEHOLDER, UnreadableValue
from subjects.models import EventHealthData, PaymentMethod
from tests.factories import EventHealthDataFactory, PaymentMethodFactory

KEY_OLD, KEY_NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
IBAN = "DE89370400440532013000"

pytestmark = pytest.mark.django_db


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608 (names from the model)
        return cursor.fetchone()[0]


@pytest.fixture
def unreadable_payment(settings):
    """A payment record written under a key that is no longer configured."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_OLD]
    pm = PaymentMethodFactory(iban=IBAN)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW]
    return pm


def test_an_unreadable_value_shows_the_placeholder(unreadable_payment):
    pm = PaymentMethod.objects.get(pk=unreadable_payment.pk)
    assert pm.iban == PLACEHOLDER
    assert str(pm.iban) == PLACEHOLDER


def test_saving_the_record_keeps_the_ciphertext(settings, unreadable_payment):
    token = _raw(PaymentMethod, unreadable_payment.pk, "iban")
    pm = PaymentMethod.objects.get(pk=unreadable_payment.pk)
    pm.masked = "DE89 •••• 3001"
    pm.save()
    assert _raw(PaymentMethod, pm.pk, "iban") == token
    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]  # the missing key is configured again
    assert PaymentMethod.objects.get(pk=pm.pk).iban == IBAN


def test_an_admin_edit_of_another_field_keeps_the_ciphertext(settings, unreadable_payment, dpo_user, dpo_client):
    token = _raw(PaymentMethod, unreadable_payment.pk, "iban")
    pm = PaymentMethod.objects.get(pk=unreadable_payment.pk)
    request = RequestFactory().get("/")
    request.user = dpo_user
    form = admin.site._registry[PaymentMethod].get_form(request, pm)(instance=pm)
    assert "iban" in form.fields
    # What the browser posts back: the form as rendered (the placeholder included), one field changed.
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["masked"] = "DE89 •••• 3001"
    assert data["iban"] == PLACEHOLDER
    response = dpo_client.post(reverse("admin:subjects_paymentmethod_change", args=[pm.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert PaymentMethod.objects.get(pk=pm.pk).masked == "DE89 •••• 3001"
    assert _raw(PaymentMethod, pm.pk, "iban") == token
    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]
    assert PaymentMethod.objects.get(pk=pm.pk).iban == IBAN


def test_a_new_value_typed_over_the_placeholder_is_stored(settings, unreadable_payment):
    pm = PaymentMethod.objects.get(pk=unreadable_payment.pk)
    pm.iban = "DE02120300000000202051"
    pm.save()
    assert PaymentMethod.objects.get(pk=pm.pk).iban == "DE02120300000000202051"


def test_health_data_survive_a_save_without_their_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_OLD]
    record = EventHealthDataFactory(dietary_needs="glutenfrei")
    token = _raw(EventHealthData, record.pk, "dietary_needs")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW]
    record = EventHealthData.objects.get(pk=record.pk)
    record.accessibility_needs = "Rollstuhl"  # readable under the new key from now on
    record.save()
    assert _raw(EventHealthData, record.pk, "dietary_needs") == token
    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]
    record = EventHealthData.objects.get(pk=record.pk)
    assert (record.dietary_needs, record.accessibility_needs) == ("glutenfrei", "Rollstuhl")


def test_a_copy_of_an_unreadable_value_keeps_its_ciphertext():
    value = UnreadableValue("gAAAA-token")
    copied = pickle.loads(pickle.dumps(value))  # noqa: S301 (our own value)
    assert (copied, copied.ciphertext) == (PLACEHOLDER, "gAAAA-token")


def test_the_bare_placeholder_is_never_encrypted(unreadable_payment):
    pm = PaymentMethod.objects.get(pk=unreadable_payment.pk)
    pm.iban = str(pm.iban)  # a copy that lost its ciphertext, e.g. serialised and loaded again
    with pytest.raises(ValueError, match="placeholder"):
        pm.save()
