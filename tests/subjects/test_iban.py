"""IBANs are checked (country, length, check digits) before they are stored; spaces and case do not matter."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from subjects.validators import normalise_iban
from tests.factories import PaymentMethodFactory


@pytest.mark.parametrize(
    "raw", ["DE89370400440532013000", "de89 3704 0044 0532 0130 00", " GB82 WEST 1234 5698 7654 32 "]
)
def test_it_normalises_a_valid_iban(raw):
    assert normalise_iban(raw) == "".join(raw.split()).upper()


@pytest.mark.parametrize(
    "raw",
    [
        "NOT-AN-IBAN",
        "DE88370400440532013000",
        "DE8937040044053201300",
        "XX89370400440532013000",
        "DE89 3704 0044 0532 0130 0Ä",
    ],
)
def test_it_refuses_an_invalid_iban(raw):
    with pytest.raises(ValidationError):
        normalise_iban(raw)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iban", "stored"),
    [
        ("NOT-AN-IBAN", None),
        ("DE88370400440532013000", None),
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ],
)
@pytest.mark.parametrize(
    ("language", "message"), [("de", "Dies ist keine gültige IBAN."), ("en", "This is not a valid IBAN.")]
)
def test_the_payment_page_checks_the_iban(register, dpo_client, iban, stored, language, message):
    payment = PaymentMethodFactory(iban="DE02120300000000202051")
    url = reverse("admin:subjects_paymentmethod_change", args=[payment.pk])
    form = dpo_client.get(url).context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data["iban"] = iban
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    payment.refresh_from_db()
    if stored is None:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["iban"] == [message]
        assert payment.iban == "DE02120300000000202051"
    else:
        assert response.status_code == 302
        assert payment.iban == stored
