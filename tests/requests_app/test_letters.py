"""The letters to the requester (requests_app.letters): in the request's language, written for the person."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from dpo_portal.models import Recipient
from requests_app.access_report import access_report_data
from requests_app.letters import LETTERS, letter_html
from requests_app.models import DataSubjectRequest, RecipientNotification, RejectionReason, RequestType
from requests_app.services import restriction_item_apply, subject_restriction_lift
from tests.factories import DataSubjectFactory, request_with, subject_with_everything

pytestmark = pytest.mark.django_db


def _request(language: str, requester_name: str = "Erika Mustermann", **kwargs) -> DataSubjectRequest:
    """A request every letter fits: extended, partly answered, then rejected."""
    req = request_with(
        RequestType.ACCESS,
        language=language,
        requester_name=requester_name,
        state=DataSubjectRequest.State.REJECTED,
        extended_at=timezone.now(),
        extension_reason="Viele Anträge",
        **{"rejection_reason": RejectionReason.UNFOUNDED_OR_EXCESSIVE, **kwargs},
    )
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    return req


def _after_salutation(html: str, salutation: str) -> str:
    match = re.search(rf"{salutation} Erika Mustermann,</p>\s*<p>\s*(.{{40}})", html)
    assert match, html
    return match.group(1)


@pytest.mark.parametrize("kind", LETTERS)
def test_german_goes_on_in_lower_case_after_the_salutation_and_english_in_upper_case(register, kind):
    german = _after_salutation(letter_html(_request("de"), kind), "Guten Tag")
    assert german[0].islower(), german
    english = _after_salutation(letter_html(_request("en"), kind), "Dear")
    assert english[0].isupper(), english


@pytest.mark.parametrize("reason", RejectionReason.values)
def test_the_rejection_names_its_reason_for_the_person_and_both_remedies(register, reason):
    req = _request("de", rejection_reason=reason, rejection_reference="§ 34 Abs. 1 BDSG")
    german = letter_html(req, "rejection")
    assert str(RejectionReason(reason).label) not in german  # the DPO's choice label
    assert "Fundstelle" not in german
    assert "bei einer Aufsichtsbehörde zu beschweren" in german
    assert "die Möglichkeit, einen gerichtlichen Rechtsbehelf einzulegen (Art. 79 DSGVO)" in german
    req.language = "en"
    english = letter_html(req, "rejection")
    assert "lodge a complaint with a supervisory authority" in english
    assert "You may also seek a judicial remedy (Art. 79 GDPR)." in english


def test_a_rejection_for_a_legal_exception_names_it_with_its_reference(register):
    req = _request("de", rejection_reason=RejectionReason.LEGAL_EXCEPTION, rejection_reference="§ 34 Abs. 1 BDSG")
    assert "aufgrund einer gesetzlichen Ausnahme (§ 34 Abs. 1 BDSG) nicht nachkommen" in letter_html(req, "rejection")
    req.language = "en"
    assert "because of a legal exception (§ 34 Abs. 1 BDSG)." in letter_html(req, "rejection")


def test_only_the_rejection_names_the_judicial_remedy(register):
    req = _request("de")
    assert all("Rechtsbehelf" not in letter_html(req, kind) for kind in LETTERS if kind != "rejection")


@pytest.mark.parametrize("kind", LETTERS)
def test_letters_greet_the_person_as_the_access_report_names_them(register, kind):
    subject = DataSubjectFactory(salutation="Frau", title="Dr.", first_name="Anne-Katrin", last_name="Kruschwitz")
    names = {}
    for language, greeting in (("de", "Guten Tag"), ("en", "Dear")):
        req = _request(language, subject=subject, requester_name="Anne-Katrin Kruschwitz")
        names[language] = access_report_data(subject, language=language)["subject"]["name"]
        assert f"{greeting} {names[language]},</p>" in letter_html(req, kind)
    assert names["de"] == "Frau Dr. Anne-Katrin Kruschwitz"
    assert names["en"] == subject.name_in("en") and "Frau" not in names["en"]
    # Someone writing for the person is greeted by their own name.
    assert "Guten Tag Max Bauer,</p>" in letter_html(_request("de", "Max Bauer", subject=subject), kind)


def test_after_a_colon_the_data_is_sie_not_the_polite_sie(register):
    req = request_with({"kind": RequestType.RESTRICTION, "restriction_ground": "accuracy"}, language="de")
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    letter = letter_html(req, "answer")
    assert "eingeschränkt: sie werden gespeichert, aber nicht mehr verarbeitet." in letter
    assert "verarbeitet. Grund: Richtigkeit bestritten (Art. 18 Abs. 1 lit. a DSGVO)." in letter


@pytest.mark.parametrize(
    ("language", "lifted", "promise"),
    [
        (
            "de",
            "Die Einschränkung wurde am 20.11.2026 aufgehoben; darüber haben wir Sie vorab, am 17.11.2026, unterrichtet.",
            "Wir unterrichten Sie, bevor die Einschränkung aufgehoben wird.",
        ),
        (
            "en",
            "The restriction was lifted on 20/11/2026; we told you so beforehand, on 17/11/2026.",
            "We will tell you before the restriction is lifted.",
        ),
    ],
)
def test_the_answer_after_a_lifted_restriction_says_when_it_was_lifted(register, dpo_user, language, lifted, promise):
    subject = subject_with_everything()
    # Received before the person was told of the lifting (17.11.).
    with time_machine.travel(datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC), tick=False):
        req = request_with({"kind": RequestType.RESTRICTION, "restriction_ground": "accuracy"}, subject=subject)
        req.language = language
        req.save(update_fields=["language"])
        restriction_item_apply(item=req.items.get(), actor=dpo_user)
    assert promise in letter_html(req, "answer")
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        subject_restriction_lift(subject=subject, told_on=datetime.date(2026, 11, 17), actor=dpo_user, request=req)
    html = letter_html(req, "answer")
    assert lifted in html
    assert promise not in html


@pytest.mark.parametrize(
    ("language", "done", "informing"),
    [("de", "Wir haben Ihre Daten berichtigt.", "unterrichten wir"), ("en", "We have corrected your data.", "inform")],
)
def test_a_rectification_tells_of_the_recipients_only_where_there_are_any(register, language, done, informing):
    # The paragraph had claimed the recipients were told, also when there were none, and then said so again.
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Neue Anschrift"}, language=language)
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    html = letter_html(req, "answer")
    assert done in html
    assert "Art. 19" not in html
    recipient = Recipient.objects.create(name="Druckerei Beispiel", kind=Recipient.Kind.SUPPLIER, country="DE")
    RecipientNotification.objects.create(request=req, recipient=recipient, kind=RequestType.RECTIFICATION)
    html = letter_html(req, "answer")
    assert html.count("Art. 19") == 1
    assert informing in html.split("Art. 19")[0].rsplit("<p>", 1)[1]


@pytest.mark.parametrize(
    ("language", "sent", "enclosed"),
    [
        ("de", "direkt an Beispiel AG übermittelt (Art. 20 Abs. 2 DSGVO)", "Anbei"),
        ("en", "directly to Beispiel AG (Art. 20(2) GDPR)", "Enclosed"),
    ],
)
def test_a_copy_sent_to_another_controller_is_not_said_to_be_enclosed(register, language, sent, enclosed):
    copy = {"kind": RequestType.COPY, "export_format": "json", "copy_recipient": "controller"}
    req = request_with({**copy, "copy_recipient_name": "Beispiel AG"}, language=language)
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    html = letter_html(req, "answer")
    assert sent in html
    assert enclosed not in html
    req.items.update(copy_recipient="person", copy_recipient_name="")
    assert enclosed in letter_html(req, "answer")
