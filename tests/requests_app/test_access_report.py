"""The access report (requests_app.access_report): what the person reads, and the machine-readable JSON."""

import datetime
import decimal
import json
import re

import pytest
import time_machine

from requests_app.access_report import access_report_data, access_report_html, access_report_json
from tests.factories import AdConversionFactory, DataSubjectFactory, OrderFactory, PaymentMethodFactory

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


DAY = datetime.date(2024, 12, 9)


@pytest.fixture
def customer(register):
    subject = DataSubjectFactory(birth_date=datetime.date(1980, 3, 7))
    OrderFactory(subject=subject, ordered_on=DAY, total=decimal.Decimal("18438.00"), collected_on=DAY)
    AdConversionFactory(subject=subject, clicked_at=datetime.datetime(2024, 12, 9, 13, 5, tzinfo=datetime.UTC))
    return subject


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["09.12.2024", "18.438,00", "07.03.1980", "09.12.2024 14:05", "erstellt am 10.12.2024"]),
        ("en", ["09/12/2024", "18,438.00", "07/03/1980", "09/12/2024 14:05", "generated on 10/12/2024"]),
    ],
)
@time_machine.travel(datetime.datetime(2024, 12, 9, 23, 30, tzinfo=datetime.UTC), tick=False)  # Berlin: the 10th
def test_dates_and_amounts_read_in_the_reports_language(customer, language, expected):
    html = access_report_html(access_report_data(customer, language=language))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for value in expected:
        assert value in text
    assert "2024-12-09" not in html and "18438.00" not in html and "1980-03-07" not in html


def test_the_json_keeps_iso_dates_and_plain_numbers(customer):
    data = json.loads(access_report_json(access_report_data(customer, language="de")))
    order = next(k for k in data["records"] if k["kind"] == "order")["records"][0]
    fields = {f["name"]: f["value"] for f in order["fields"]}
    assert (fields["ordered_on"], fields["total"], order["collected_on"]) == ("2024-12-09", "18438.00", "2024-12-09")
    click = next(k for k in data["records"] if k["kind"] == "adconversion")["records"][0]
    assert {f["name"]: f["value"] for f in click["fields"]}["clicked_at"] == "2024-12-09T13:05:00+00:00"
    assert {r["name"]: r["value"] for r in data["subject"]["identity"]}["birth_date"] == "1980-03-07"


def test_the_controller_line_has_no_empty_address(customer):
    # The default controller has no postal address on record: no ", ," where it would stand.
    text = " ".join(re.sub(r"<[^>]+>", " ", access_report_html(access_report_data(customer, language="en"))).split())
    assert "GmbH , ," not in text and "GmbH, ," not in text and "Controller: cplus" in text


def test_the_english_report_has_no_german_from_the_register(customer):
    text = " ".join(re.sub(r"<[^>]+>", " ", access_report_html(access_report_data(customer, language="en"))).split())
    assert "Art. 6(1)(b) GDPR" in text and "Hosting provider (data centre in the EEA)" in text
    for german in ("Abs. 1 lit.", "DSGVO", "Hosting-Dienstleister", "regelmäßige Verjährung", "i. V. m."):
        assert german not in text, german
    german = " ".join(re.sub(r"<[^>]+>", " ", access_report_html(access_report_data(customer, language="de"))).split())
    assert "Art. 6 Abs. 1 lit. b DSGVO" in german and "Hosting-Dienstleister (Rechenzentrum im EWR)" in german


def test_headings_and_the_consent_s_language_read_as_words(customer):
    from consents.services import consent_give

    consent_give(
        subject=customer,
        purpose_code="product-news",
        text_version=1,
        channel="paper",
        origin="form",
        evidence="scan 7",
        language="en",
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", access_report_html(access_report_data(customer, language="de"))).split())
    assert "Daten Kategorie Erhoben am" in text
    assert "Sprache des angezeigten Textes: Englisch" in text


@pytest.mark.parametrize(
    ("language", "salutation", "expected"),
    [
        ("de", "Herr", "über Herrn Max Muster speichern"),
        ("de", "Frau", "über Frau Max Muster speichern"),
        ("en", "Herr", "about Mr Max Muster, why"),
    ],
)
def test_the_report_names_the_person_in_the_case_its_sentence_needs(register, language, salutation, expected):
    subject = DataSubjectFactory(salutation=salutation, title="", first_name="Max", last_name="Muster")
    data = access_report_data(subject, language=language)
    text = " ".join(re.sub(r"<[^>]+>", " ", access_report_html(data)).split())
    assert expected in text
    assert json.loads(access_report_json(data))["subject"]["name"] == data["subject"]["name"]  # the data as held


def test_a_third_country_system_is_named_in_the_report_s_language(customer):
    from dpo_portal.models import System

    System.objects.filter(name="Google Ads").update(name="Google-Anzeigenplattform", name_en="Google Ads platform")
    for language, name in (("de", "Google-Anzeigenplattform"), ("en", "Google Ads platform")):
        data = access_report_data(customer, language=language)
        systems = [s["name"] for a in data["activities"] for s in a["third_country_systems"]]
        assert systems == [name], language
