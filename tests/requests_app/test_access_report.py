"""The access report (requests_app.access_report): what the person reads, and the machine-readable JSON."""

import json

import pytest

from requests_app.access_report import access_report_data, access_report_html, access_report_json
from tests.factories import DataSubjectFactory, PaymentMethodFactory

pytestmark = pytest.mark.django_db


def _payment_fields(data: dict) -> dict:
    kind = next(k for k in data["records"] if k["kind"] == "paymentmethod")
    return {f["name"]: f for f in kind["records"][0]["fields"]}


@pytest.mark.parametrize(("language", "note"), [("de", "verschlüsselt"), ("en", "encrypted")])
def test_a_decrypted_value_is_not_labelled_encrypted(register, language, note):
    subject = DataSubjectFactory()
    PaymentMethodFactory(subject=subject, iban="DE89370400440532013000", account_holder="Erika Mustermann")
    data = access_report_data(subject, language=language)
    fields = _payment_fields(data)
    assert fields["iban"]["label"] == "IBAN"
    assert fields["iban"]["value"] == "DE89370400440532013000"
    html = access_report_html(data)
    assert "<strong>IBAN:</strong> DE89370400440532013000" in html
    assert note not in html
    assert note not in access_report_json(data).decode()
    assert json.loads(access_report_json(data))["records"] == data["records"]
