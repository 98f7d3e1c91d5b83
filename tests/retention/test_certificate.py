"""The deletion certificate speaks the language it is downloaded in: labels, not codes."""

import datetime
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader

from retention.certificate import certificate_context, certificate_pdf
from retention.models import Action, ProtocolBatch, SweepRun

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2026, 11, 1), D(2026, 11, 30)


def batch(run, model_label, action, count, day=10):
    ProtocolBatch.objects.create(
        run=run,
        at=datetime.datetime(2026, 11, day, 3, 0, tzinfo=datetime.UTC),
        model_label=model_label,
        rule=None,
        legal_reference="",
        action=action,
        count=count,
        id_hashes=b"",
    )


@pytest.fixture
def protocol():
    """An erasure run in November 2026: ad conversions deleted and restricted, and a kind of record whose
    model has since been removed."""
    run = SweepRun.objects.create(
        kind=SweepRun.Kind.ERASURE,
        status=SweepRun.Status.FINISHED,
        today=D(2026, 11, 10),
        started_at=datetime.datetime(2026, 11, 10, 3, 0, tzinfo=datetime.UTC),
    )
    batch(run, "subjects.AdConversion", Action.DELETE, 3)
    batch(run, "subjects.AdConversion", Action.RESTRICT, 2, day=12)
    batch(run, "gone.VanishedModel", Action.ANONYMISE, 1)
    return run


def render(language: str) -> str:
    """The certificate's HTML, as certificate_pdf renders it before turning it into PDF."""
    with translation.override(language):
        context = {**certificate_context(start=START, end=END), "language": language}
        return render_to_string("retention/certificate.html", context)


def test_the_english_certificate_names_kinds_of_record_and_actions(protocol):
    html = render("en")
    assert "<td>ad conversion</td>" in html
    assert "subjects.AdConversion" not in html
    assert "<td>restrict processing</td>" in html
    assert "<td>restrict</td>" not in html
    assert "<td>delete</td>" in html  # the label of Action.DELETE in English is its code
    assert "<td>Art. 17 GDPR</td>" in html
    assert "DSGVO" not in html
    assert "01/11/2026 – 30/11/2026" in html


def test_the_german_certificate_names_kinds_of_record_and_actions(protocol):
    html = render("de")
    assert "<td>Anzeigen-Conversion</td>" in html
    assert "subjects.AdConversion" not in html
    assert "<td>löschen</td>" in html
    assert "<td>Verarbeitung einschränken</td>" in html
    assert "<td>anonymisieren</td>" in html
    for code in ("delete", "restrict", "anonymise"):
        assert f"<td>{code}</td>" not in html
    assert "01.11.2026 – 30.11.2026" in html


def test_the_german_certificate_cites_the_dsgvo(protocol):
    """Needs the msgid "Art. 17 GDPR" translated in retention's German catalogue."""
    html = render("de")
    assert "<td>Art. 17 DSGVO</td>" in html
    assert "GDPR" not in html


def test_the_german_certificate_calls_the_period_a_period_not_a_deadline(protocol):
    """Needs msgctxt "reporting period" msgid "Period" translated in retention's German catalogue."""
    html = render("de")
    assert "Zeitraum: 01.11.2026 – 30.11.2026" in html
    assert "Frist" not in html


def test_a_kind_of_record_whose_model_is_gone_keeps_its_label(protocol):
    for language in ("de", "en"):
        assert "<td>gone.VanishedModel</td>" in render(language)


def test_the_certificate_pdf_carries_the_labels(protocol, today):
    pdf = certificate_pdf(start=START, end=today, language="en")  # a certificate ends today at the latest
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "ad conversion" in text and "restrict processing" in text and "Art. 17 GDPR" in text
    assert "subjects.AdConversion" not in text and "DSGVO" not in text


def test_the_certificate_context_is_set_based(protocol):
    """Labels come from the app registry, not the database: more kinds of record, no more queries."""
    with CaptureQueriesContext(connection) as few:
        certificate_context(start=START, end=END)
    for label in ("subjects.Order", "subjects.Newsletter", "gone.Other"):
        batch(protocol, label, Action.DELETE, 1)
    with CaptureQueriesContext(connection) as many:
        rows = certificate_context(start=START, end=END)["rows"]
    assert len(rows) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_each_language_cites_the_rule_as_its_readers_do(register):
    from retention.models import DeletionRule

    rule = DeletionRule.objects.get(code="order-booking-voucher")
    run = SweepRun.objects.create(
        status=SweepRun.Status.FINISHED,
        today=D(2026, 11, 10),
        started_at=datetime.datetime(2026, 11, 10, 3, 0, tzinfo=datetime.UTC),
    )
    contact = DeletionRule.objects.get(code="contact-limitation")
    ProtocolBatch.objects.create(
        run=run,
        at=datetime.datetime(2026, 11, 10, 3, 0, tzinfo=datetime.UTC),
        model_label="subjects.EmailAddress",
        rule=contact,
        legal_reference="§§ 195, 199 Abs. 1 BGB (regelmäßige Verjährung)",  # an earlier default's words
        action=Action.DELETE,
        count=1,
        id_hashes=b"",
    )
    for reference in (rule.legal_reference, "§ 257 HGB (damals)"):  # the rule's, and one it had before
        ProtocolBatch.objects.create(
            run=run,
            at=datetime.datetime(2026, 11, 10, 3, 0, tzinfo=datetime.UTC),
            model_label="subjects.Order",
            rule=rule,
            legal_reference=reference,
            action=Action.ANONYMISE,
            count=1,
            id_hashes=b"",
        )
    english, german = render("en"), render("de")
    assert "§ 257(1) no. 4, (4) HGB" in english and "§ 257 HGB (damals)" in english
    assert "§§ 195, 199(1) BGB" in english and "regelmäßige Verjährung" not in english
    assert "§ 257 Abs. 1 Nr. 4, Abs. 4 HGB" in german and "§ 257(1) no. 4" not in german
