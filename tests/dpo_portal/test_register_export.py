import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from dpo_portal.csv_export import safe_cell
from dpo_portal.models import ProcessingActivity


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_it_exports_the_register_as_german_csv(register, dpo_client):
    response = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["csv", "de"]))
    rows = _rows(response)
    assert rows[0][1] == "Verarbeitungstätigkeit"
    assert len(rows) - 1 == ProcessingActivity.objects.active().count()
    google = next(r for r in rows if r[0] == "google-ads-conversion")
    assert "Google LLC (US)" in google[9] and "Data Privacy Framework" in google[9]
    assert AuditEntry.objects.filter(action="export", detail="register csv de").exists()


@pytest.mark.django_db
def test_it_exports_the_register_in_english(register, dpo_client):
    rows = _rows(dpo_client.get(reverse("admin:dpo_portal_register_export", args=["csv", "en"])))
    assert rows[0][1] == "processing activity"
    names = {r[1] for r in rows[1:]}
    assert "Google Ads conversion tracking" in names


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_it_renders_a_pdf(register, dpo_client, language):
    response = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["pdf", language]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_printable_page_flags_the_third_country_transfer(register, dpo_client):
    page = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["html", "de"])).content.decode()
    assert "Verzeichnis von Verarbeitungstätigkeiten" in page
    assert 'class="flag"' in page and "Google LLC" in page


@pytest.mark.django_db
def test_it_refuses_an_unknown_language(register, dpo_client):
    assert dpo_client.get(reverse("admin:dpo_portal_register_export", args=["csv", "fr"])).status_code == 404


@pytest.mark.parametrize(
    "value", ["=SUM(A1)", "@cmd", "\t=1", '+HYPERLINK("http://x")', "-cmd|' /C calc'!A0", "+1+SUM(A1)", "+1+1"]
)
def test_csv_cells_cannot_start_a_formula(value):
    assert safe_cell(value).startswith("'")


@pytest.mark.parametrize("value", ["Müller", "+49302230496", "+49 (30) 223-0496", "-12.50", "+1"])
def test_csv_cells_leave_ordinary_text_and_plain_numbers_alone(value):
    assert safe_cell(value) == value


@pytest.mark.django_db
def test_the_german_document_cites_the_article_the_german_way(register, dpo_client):
    url = reverse("admin:dpo_portal_register_export", args=["html", "de"])
    page = dpo_client.get(url).content.decode()
    assert "<h1>Verzeichnis von Verarbeitungstätigkeiten (Art. 30 Abs. 1 DSGVO)</h1>" in page
    assert "30(1)" not in page
    english = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["html", "en"])).content.decode()
    assert "<h1>Record of processing activities (Art. 30(1) GDPR)</h1>" in english


@pytest.mark.django_db
def test_the_english_document_names_the_systems_in_english(register, dpo_client):
    english = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["html", "en"])).content.decode()
    assert "Web shop and ERP (DE)" in english and "Phone system with call recording (DE)" in english
    assert "Webshop und ERP" not in english and "Telefonanlage" not in english
    german = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["html", "de"])).content.decode()
    assert "Webshop und ERP (DE)" in german and "Web shop and ERP" not in german


@pytest.mark.django_db
def test_the_english_system_list_names_systems_and_operators_in_english(register, dpo_client):
    url = reverse("admin:dpo_portal_system_changelist")
    english = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Learning platform</a></th>" in english
    assert '<td class="field-operator_name">Hosting provider (data centre in the EEA)</td>' in english
    assert "Lernplattform</a>" not in english and ">Hosting-Dienstleister" not in english
