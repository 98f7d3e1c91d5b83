"""The register export carries every Art. 30(1) item: contacts (a), safeguards (e), joint controllers."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dpo_portal.exports import register_csv
from dpo_portal.models import Organisation, ProcessingActivity, Recipient

pytestmark = pytest.mark.usefixtures("register")


@pytest.fixture
def contacts():
    Organisation.objects.filter(role="controller").update(
        dpo_contact="Dr. D. Schutz, dsb@cplus.example", street="Musterweg 1", postal_code="22926", city="Ahrensburg"
    )
    Organisation.objects.filter(name="conplus Mittelstandslösungen Ahrensburg").update(email="info@conplus.example")
    Recipient.objects.filter(name="Google LLC").update(transfer_note="Standardvertragsklauseln 2021/914, Modul 2")


def _table(language):
    rows = list(csv.reader(io.StringIO(register_csv(language).decode("utf-8-sig"))))
    return rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


@pytest.mark.parametrize(
    ("language", "dpo", "contact", "transfers"),
    [
        ("de", "Kontakt des Datenschutzbeauftragten", "Kontaktdaten (Verantwortlicher / gemeinsam Verantwortliche)", 9),
        ("en", "data protection officer contact", "contact details (controller / joint controllers)", 9),
    ],
)
def test_the_csv_names_the_dpo_the_contacts_and_the_safeguards(contacts, language, dpo, contact, transfers):
    header, rows = _table(language)
    affiliate = rows["affiliate-transfer"]
    assert affiliate[dpo] == "Dr. D. Schutz, dsb@cplus.example"
    assert "Musterweg 1, 22926 Ahrensburg" in affiliate[contact] and "info@cplus-gmbh.de" in affiliate[contact]
    assert "conplus Mittelstandslösungen Ahrensburg: Ahrensburg" in affiliate[contact]
    assert "info@conplus.example" in affiliate[contact]
    assert "Standardvertragsklauseln 2021/914, Modul 2" in rows["google-ads-conversion"][header[transfers]]


def test_no_cell_of_the_default_register_is_left_empty(contacts):
    header, rows = _table("de")
    empty = [(code, column) for code, row in rows.items() for column, value in row.items() if not value.strip()]
    assert empty == []
    assert rows["surveys"][header[8]] == "—"  # no recipients: said so, not left blank


@pytest.mark.parametrize(("language", "joint"), [("de", "Gemeinsam Verantwortliche"), ("en", "Joint controllers")])
def test_the_printable_register_names_the_dpo_contacts_joint_controllers_and_safeguards(
    contacts, dpo_client, language, joint
):
    page = dpo_client.get(reverse("admin:dpo_portal_register_export", args=["html", language])).content.decode()
    assert "dsb@cplus.example" in page and "Musterweg 1, 22926 Ahrensburg" in page
    assert joint in page and "info@conplus.example" in page
    assert "Standardvertragsklauseln 2021/914, Modul 2" in page


def test_the_policy_names_no_safeguards_so_none_are_loaded():
    assert not Recipient.objects.exclude(transfer_note="").exists()


@pytest.mark.parametrize("fmt", ["csv", "html", "pdf"])
def test_the_export_takes_the_same_queries_for_two_activities_as_for_all(dpo_client, fmt):
    url = reverse("admin:dpo_portal_register_export", args=[fmt, "de"])
    dpo_client.get(url)  # warm up session and permission caches
    keep = list(ProcessingActivity.objects.filter(code__in=["surveys", "affiliate-transfer"]))
    ProcessingActivity.objects.exclude(pk__in=[a.pk for a in keep]).update(status="retired")
    with CaptureQueriesContext(connection) as two:
        assert dpo_client.get(url).status_code == 200
    ProcessingActivity.objects.update(status="active")
    assert ProcessingActivity.objects.active().count() > 10
    with CaptureQueriesContext(connection) as all_:
        assert dpo_client.get(url).status_code == 200
    assert len(all_) == len(two)
