import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from subjects.models import DataSubject, PersonalRecord


@pytest.mark.django_db
def test_it_loads_demo_subjects_with_every_kind_of_record_and_the_demo_users(register, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "60")
    assert DataSubject.objects.filter(customer_number__startswith="DEMO-").count() == 60
    for model in (m for m in apps.get_models() if issubclass(m, PersonalRecord) and m._meta.app_label == "subjects"):
        assert model.objects.exists(), model.__name__
    for username, group in (("dpo", "DPO"), ("support", "Support"), ("auditor", "Auditor")):
        # As the login form does: with the request (the lockout counts per address).
        user = authenticate(RequestFactory().post("/admin/login/"), username=username, password="demo")
        assert user is not None and user.groups.filter(name=group).exists()
    # Registrations are shared with other participants only where the consent to it is in force.
    from subjects.models import EventRegistration

    shared = list(EventRegistration.objects.filter(share_with_participants=True))
    assert shared  # the demo's random choices are seeded
    for registration in shared:
        registration.full_clean()


@pytest.mark.django_db
def test_demo_people_s_first_names_go_with_their_salutation(register, settings):
    from faker.providers.person.de_DE import Provider

    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "60")
    names = {"Frau": set(Provider.first_names_female), "Herr": set(Provider.first_names_male)}
    for salutation, first_name in DataSubject.objects.exclude(salutation="").values_list("salutation", "first_name"):
        # Screening's demo renames two men after list entries.
        expected = names["Herr"] | {"Dmitri", "Abid"} if salutation == "Herr" else names[salutation]
        assert first_name in expected, (salutation, first_name)


@pytest.mark.django_db
def test_it_loads_only_once(register, settings):
    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "20")
    call_command("load_demo", "--count", "20")
    assert DataSubject.objects.count() == 20


@pytest.mark.django_db
def test_it_refuses_outside_the_demo(settings):
    from django.core.management import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not DataSubject.objects.exists()


@pytest.mark.django_db
def test_health_and_payment_data_are_encrypted_at_rest(register, settings):
    from django.db import connection

    from tests.factories import EventHealthDataFactory, PaymentMethodFactory

    health = EventHealthDataFactory(dietary_needs="Nussallergie")
    payment = PaymentMethodFactory(iban="DE89370400440532013000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT dietary_needs FROM subjects_eventhealthdata WHERE id = %s", [health.pk])
        stored_health = cursor.fetchone()[0]
        cursor.execute("SELECT iban FROM subjects_paymentmethod WHERE id = %s", [payment.pk])
        stored_iban = cursor.fetchone()[0]
    assert "Nuss" not in stored_health and "DE89" not in stored_iban
    health.refresh_from_db()
    assert health.dietary_needs == "Nussallergie"


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["0", "-5"])
def test_a_count_below_one_is_refused_before_anything_is_written(register, settings, count):
    """It ended in an IndexError."""
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="mindestens 1"):
        call_command("load_demo", "--count", count)
    assert not DataSubject.objects.exists()
