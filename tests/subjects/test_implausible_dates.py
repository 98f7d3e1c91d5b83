"""Dates the admin's date picker allows but nothing can store or count with are refused, translated, not a 500."""

import datetime

import pytest
from django.urls import reverse

from subjects.models import AdConversion, Communication, EventRegistration, Order
from tests.factories import (
    AdConversionFactory,
    CommunicationFactory,
    DataSubjectFactory,
    EventRegistrationFactory,
    OrderFactory,
)

from .test_bad_input import _subject_form_data


def _change_form_data(client, obj):
    url = reverse(f"admin:subjects_{obj._meta.model_name}_change", args=[obj.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(field, "fields"):  # split date and time
            data[f"{name}_0"], data[f"{name}_1"] = (value.date(), value.time()) if value else ("", "")
        else:
            data[name] = "" if value is None else value
    return url, data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "changes", "field"),
    [
        (CommunicationFactory, {"occurred_at_0": "0001-01-01", "occurred_at_1": "00:00:00"}, "occurred_at"),
        (AdConversionFactory, {"clicked_at_0": "0001-01-01", "clicked_at_1": "00:00:00"}, "clicked_at"),
        (AdConversionFactory, {"converted_at_0": "0001-01-01", "converted_at_1": "00:00:00"}, "converted_at"),
        (EventRegistrationFactory, {"event_date": "9999-12-31"}, "event_date"),
        (OrderFactory, {"contract_end": "9999-12-31"}, "contract_end"),
    ],
)
@pytest.mark.parametrize(("language", "message"), [("de", "Das Datum ist nicht plausibel."), ("en", "implausible")])
def test_it_refuses_an_implausible_date_on_a_record_page(
    register, dpo_client, factory, changes, field, language, message
):
    record = factory()
    before = getattr(record, field)
    url, data = _change_form_data(dpo_client, record)
    data.update(changes)
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field][0]
    record.refresh_from_db()
    assert getattr(record, field) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "row"),
    [
        (
            "communication_set",
            {"channel": "email", "direction": "in", "occurred_at_0": "0001-01-01", "occurred_at_1": "00:00"},
        ),
        ("eventregistration_set", {"event_name": "Tagung", "event_date": "9999-12-31"}),
        (
            "order_set",
            {
                "number": "A-1",
                "kind": "order",
                "ordered_on": "2026-01-05",
                "description": "x",
                "total": "1",
                "currency": "EUR",
                "contract_end": "9999-12-31",
            },
        ),
    ],
)
def test_it_refuses_an_implausible_date_in_a_row_on_the_persons_page(register, dpo_client, prefix, row):
    subject = DataSubjectFactory()
    url, data = _subject_form_data(dpo_client, subject)
    data[f"{prefix}-TOTAL_FORMS"] = 1
    data.update({f"{prefix}-0-{k}": v for k, v in {"collected_on": "2026-01-05", **row}.items()})
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Das Datum ist nicht plausibel." in response.content.decode()
    assert not (Communication.objects.exists() or EventRegistration.objects.exists() or Order.objects.exists())
    assert not AdConversion.objects.exists()


@pytest.mark.django_db
def test_it_keeps_dates_in_the_plausible_range(register):
    record = EventRegistrationFactory.build(event_date=datetime.date(2199, 12, 31))
    record.full_clean(exclude=["subject", "activity", "category"])
