"""Guarded transitions, extension, identity check (services and model)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.models import AuditEntry
from dpo_portal.models import Recipient
from requests_app.models import (
    DataSubjectRequest,
    IdentityResult,
    RecipientNotification,
    RequestType,
    TimelineEntry,
    TransitionNotAllowed,
)
from requests_app.services import (
    notification_mark_done,
    request_extend,
    request_identity_record,
    request_transition,
)
from tests.factories import request_with

pytestmark = pytest.mark.django_db
State = DataSubjectRequest.State


def test_it_walks_the_happy_path(dpo_user, register):
    req = request_with(RequestType.COMPLAINT, state=State.RECEIVED, identity_result=IdentityResult.PENDING)
    request_transition(request=req, action="identity_check", actor=dpo_user)
    request_identity_record(request=req, method="callback", result="verified", actor=dpo_user)
    req = request_transition(request=req, action="process", actor=dpo_user)
    assert req.state == State.IN_PROGRESS
    assert req.timeline.filter(kind=TimelineEntry.Kind.STATE).count() == 2
    assert AuditEntry.objects.filter(object_type="requests_app.datasubjectrequest", fields=["state"]).count() == 2


def test_it_refuses_processing_before_the_identity_is_verified(dpo_user, register):
    req = request_with(RequestType.ACCESS, state=State.RECEIVED, identity_result=IdentityResult.PENDING)
    with pytest.raises(TransitionNotAllowed, match="Identität"):
        request_transition(request=req, action="process", actor=dpo_user)
    req.refresh_from_db()
    assert req.state == State.RECEIVED


@pytest.mark.parametrize("action", ["process", "wait", "identity_check", "withdraw", "complete"])
def test_a_closed_request_moves_nowhere(dpo_user, register, action):
    req = request_with(RequestType.ACCESS, state=State.COMPLETED)
    with pytest.raises(TransitionNotAllowed, match="kann nicht in den Status"):
        request_transition(request=req, action=action, actor=dpo_user)
    assert not req.timeline.exists()


def test_it_refuses_to_complete_with_open_items(dpo_user, register):
    req = request_with(RequestType.ACCESS, RequestType.ERASURE)
    with pytest.raises(TransitionNotAllowed, match="Erfüllen oder entscheiden"):
        request_transition(request=req, action="complete", actor=dpo_user)


def _erased_with_recipients(count: int) -> DataSubjectRequest:
    """A request whose erasure is done and whose `count` recipients are still to be told (Art. 19)."""
    req = request_with(RequestType.ERASURE)
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    for recipient in Recipient.objects.order_by("name")[:count]:
        RecipientNotification.objects.create(request=req, recipient=recipient, kind=RequestType.ERASURE)
    return req


@pytest.mark.parametrize(
    ("count", "german", "english"),
    [
        (1, "1 Empfänger wurde noch nicht unterrichtet", "1 recipient has not been informed yet"),
        (2, "2 Empfänger wurden noch nicht unterrichtet", "2 recipients have not been informed yet"),
    ],
)
def test_it_completes_only_once_every_recipient_is_told(dpo_user, register, count, german, english):
    req = _erased_with_recipients(count)
    with pytest.raises(TransitionNotAllowed) as refused:
        request_transition(request=req, action="complete", actor=dpo_user)
    assert german in refused.value.messages[0] and "Art. 19 DSGVO" in refused.value.messages[0]
    assert "unverhältnismäßig" in refused.value.messages[0]  # no such exception can be recorded: it says so
    with translation.override("en"):
        assert english in refused.value.messages[0]
    req.refresh_from_db()
    assert req.state == State.IN_PROGRESS and req.closed_at is None
    for notification in req.notifications.all():
        notification_mark_done(notification=notification, notified_on=timezone.localdate(), actor=dpo_user)
    assert request_transition(request=req, action="complete", actor=dpo_user).state == State.COMPLETED


def test_rejection_needs_a_reason_and_for_a_legal_exception_its_reference(dpo_user, register):
    req = request_with(RequestType.ACCESS)
    with pytest.raises(TransitionNotAllowed, match="Ablehnungsgrund"):
        request_transition(request=req, action="reject", actor=dpo_user, reason="")
    with pytest.raises(TransitionNotAllowed, match="gesetzliche Ausnahme"):
        request_transition(request=req, action="reject", actor=dpo_user, reason="exception")
    req = request_transition(request=req, action="reject", actor=dpo_user, reason="exception", reference="§ 34 BDSG")
    assert (req.state, req.rejection_reference) == (State.REJECTED, "§ 34 BDSG")
    assert req.closed_at is not None


def test_unknown_actions_are_refused(dpo_user, register):
    req = request_with(RequestType.ACCESS)
    with pytest.raises(ValidationError):
        request_transition(request=req, action="teleport", actor=dpo_user)


@time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC))
def test_it_extends_the_deadline_to_three_months_before_it_expires(dpo_user, register):
    req = request_with(RequestType.ACCESS, received_at=datetime.datetime(2025, 2, 20, 9, 0, tzinfo=datetime.UTC))
    assert req.due_on == datetime.date(2025, 3, 20)
    req = request_extend(
        request=req, reason="Sehr umfangreiche Daten", told_on=datetime.date(2025, 3, 10), actor=dpo_user
    )
    assert req.due_on == datetime.date(2025, 5, 20)
    assert req.original_due_on == datetime.date(2025, 3, 20)
    assert req.extension_told_on == datetime.date(2025, 3, 10)
    with pytest.raises(TransitionNotAllowed, match="bereits verlängert"):
        request_extend(request=req, reason="noch mal", told_on=datetime.date(2025, 3, 10), actor=dpo_user)


def test_it_refuses_an_extension_after_the_deadline(dpo_user, register):
    with time_machine.travel(datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.UTC)):
        req = request_with(RequestType.ACCESS, received_at=datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC))
    with (
        time_machine.travel(datetime.datetime(2025, 2, 7, 9, 0, tzinfo=datetime.UTC)),
        pytest.raises(TransitionNotAllowed, match="vor ihrem Ablauf") as refused,
    ):
        request_extend(request=req, reason="zu spät", told_on=datetime.date(2025, 2, 7), actor=dpo_user)
    assert "06.02.2025" in refused.value.messages[0]
    with translation.override("en"):  # the date in the format of the language the error is read in
        assert "(it expired on 06/02/2025)" in refused.value.messages[0]
    req.refresh_from_db()
    assert req.due_on == datetime.date(2025, 2, 6)
    assert req.extended_at is None


@time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC))
def test_the_timeline_writes_what_the_portal_says_in_both_languages_with_their_dates(dpo_user, register):
    """Written in German and English whoever acted, read in the reader's language (it was written in the language of
    who acted, and an English auditor read the German DPO's timeline in German)."""
    req = request_with(RequestType.ACCESS, received_at=datetime.datetime(2025, 2, 20, 9, 0, tzinfo=datetime.UTC))
    with translation.override("en"):
        request_extend(request=req, reason="Many records", told_on=datetime.date(2025, 3, 10), actor=dpo_user)
    note = req.timeline.get(kind=TimelineEntry.Kind.NOTE)
    assert note.text_en == "Deadline extended to 20/05/2025 (requester told on 10/03/2025): Many records"
    assert note.text == "Frist verlängert bis 20.05.2025 (Antragsteller unterrichtet am 10.03.2025): Many records"
    with translation.override("de"):
        assert note.text_shown == note.text
    with translation.override("en"):
        assert note.text_shown == note.text_en


def test_an_extension_needs_reasons_and_when_the_person_was_told(dpo_user, register):
    req = request_with(RequestType.ACCESS)
    with pytest.raises(TransitionNotAllowed, match="Gründe"):
        request_extend(request=req, reason=" ", told_on=datetime.date.today(), actor=dpo_user)
    with pytest.raises(TransitionNotAllowed, match="unterrichtet"):
        request_extend(request=req, reason="viel", told_on=None, actor=dpo_user)


def test_the_recipients_not_yet_told_are_named_in_the_language_of_the_page(dpo_user, register):
    req = request_with(RequestType.ERASURE)
    req.items.update(done_at=timezone.now(), outcome="fulfilled")
    recipient = Recipient.objects.get(name="Zahlungsdienstleister")
    RecipientNotification.objects.create(request=req, recipient=recipient, kind=RequestType.ERASURE)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        request_transition(request=req, action="complete", actor=dpo_user)
    with translation.override("en"):
        assert "Payment service provider" in refused.value.messages[0]
        assert str(req.notifications.get()) == "Payment service provider (erasure (Art. 17 GDPR))"
