"""Demo requests: a handful open (one overdue, one due this week) and a few completed."""

import datetime
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.selectors import purpose_choices
from consents.services import consent_withdraw
from dpo_portal.models import ProcessingActivity
from dpo_portal.models.bilingual import in_both_languages
from subjects.models import DataSubject

from .deadlines import response_due
from .defaults import file_defaults
from .letters import LETTERS
from .models import (
    Channel,
    CopyRecipient,
    DataSubjectRequest,
    ExportFormat,
    IdentityMethod,
    IdentityResult,
    ReceiptSequence,
    RequestItem,
    RequestType,
    TimelineEntry,
)
from .services import objection_item_record

# (days ago received, state, kinds)
SCENARIOS = [
    (2, DataSubjectRequest.State.RECEIVED, [RequestType.ACCESS]),
    (5, DataSubjectRequest.State.IDENTITY_CHECK, [RequestType.ACCESS, RequestType.COPY]),
    (12, DataSubjectRequest.State.IN_PROGRESS, [RequestType.RECTIFICATION]),
    (26, DataSubjectRequest.State.IN_PROGRESS, [RequestType.ERASURE]),
    (40, DataSubjectRequest.State.IN_PROGRESS, [RequestType.RESTRICTION]),
    (20, DataSubjectRequest.State.WAITING, [RequestType.OBJECTION]),
    (60, DataSubjectRequest.State.COMPLETED, [RequestType.ACCESS]),
    (90, DataSubjectRequest.State.COMPLETED, [RequestType.CONSENT_WITHDRAWAL]),
    (75, DataSubjectRequest.State.REJECTED, [RequestType.COMPLAINT]),
    # Closed four years ago: its file's period ended (request-files, 3 years from the year end), due now.
    (1500, DataSubjectRequest.State.COMPLETED, [RequestType.ACCESS]),
]


def load_demo(*, subjects: list[DataSubject], rng: random.Random, log: Callable[[str], None]) -> None:
    """Creates demo requests for some of `subjects` (bulk, a fraction of a second)."""
    if DataSubjectRequest.objects.exists() or not subjects:
        log("requests: demo requests already loaded")
        return
    support = get_user_model().objects.filter(username="support").first()
    # A survey objection waits for the DPO's decision; the withdrawal is of a real consent purpose.
    objection_activity = ProcessingActivity.objects.filter(code="surveys").first()
    purposes = [code for code, _name in purpose_choices()]
    chosen = rng.sample(subjects, min(len(SCENARIOS), len(subjects)))
    now = timezone.now()
    file = file_defaults()
    requests, items = [], []
    for (days, state, kinds), subject in zip(SCENARIOS, chosen, strict=False):
        received = now - datetime.timedelta(days=days, hours=rng.randint(0, 8))
        due = response_due(timezone.localdate(received))
        closed = state in DataSubjectRequest.CLOSED_STATES
        req = DataSubjectRequest(
            receipt_number=ReceiptSequence.next_number(received.year),
            channel=(channel := rng.choice(Channel.values)),
            source=channel,  # as save() sets it (bulk_create does not call it)
            received_at=received,
            requester_name=f"{subject.first_name} {subject.last_name}".strip(),
            requester_email=f"person{subject.pk}@example.org",
            language=subject.language,
            subject=subject,
            logged_by=support,
            description="Demo",
            identity_method=IdentityMethod.KNOWN_CHANNEL if state != DataSubjectRequest.State.RECEIVED else "",
            identity_result=IdentityResult.PENDING
            if state == DataSubjectRequest.State.RECEIVED
            else IdentityResult.VERIFIED,
            state=state,
            original_due_on=due,
            due_on=due,
            rejection_reason="art12_5" if state == DataSubjectRequest.State.REJECTED else "",
            closed_at=received + datetime.timedelta(days=10) if closed else None,
            collected_on=timezone.localdate(received),
            **file,
        )
        requests.append((req, kinds, closed))
    DataSubjectRequest.objects.bulk_create([r for r, _k, _c in requests])
    timeline = []
    for req, kinds, closed in requests:
        for kind in kinds:
            items.append(
                RequestItem(
                    request=req,
                    kind=kind,
                    export_format=ExportFormat.JSON if kind == RequestType.COPY else "",
                    copy_recipient=CopyRecipient.PERSON if kind == RequestType.COPY else "",
                    restriction_ground="accuracy" if kind == RequestType.RESTRICTION else "",
                    activity=objection_activity if kind == RequestType.OBJECTION else None,
                    purpose_code=purposes[0] if kind == RequestType.CONSENT_WITHDRAWAL and purposes else "",
                    details="Demo: die Anschrift ist veraltet." if kind == RequestType.RECTIFICATION else "",
                    outcome=RequestItem.Outcome.FULFILLED if closed and req.state == "completed" else "",
                    done_at=req.closed_at if req.state == "completed" else None,
                )
            )
        timeline.append(
            TimelineEntry(
                request=req, kind=TimelineEntry.Kind.MESSAGE_IN, at=req.received_at, channel=req.channel, text="Demo"
            )
        )
    RequestItem.objects.bulk_create(items)
    dpo = get_user_model().objects.filter(username="dpo").first()
    for req, kinds, closed in requests:
        if closed:
            timeline += _handling(req, kinds, purpose=purposes[0] if purposes else "", actor=dpo)
    TimelineEntry.objects.bulk_create(timeline)
    # As at intake: the open objection is recorded with the consents app, pending the decision.
    for item in RequestItem.objects.filter(kind=RequestType.OBJECTION, done_at=None, activity__isnull=False):
        objection_item_record(item=item, actor=None)
    log(f"requests: {len(requests)} demo requests")


def _entry(req, kind, at, actor, text, title=None) -> TimelineEntry:
    """A timeline entry as the workflow writes it: its words in German and in English."""
    text, text_en = in_both_languages(text)
    title, title_en = in_both_languages(title or "")
    return TimelineEntry(
        request=req, kind=kind, at=at, author=actor, text=text, text_en=text_en, title=title, title_en=title_en
    )


def _transition(req, before, after, at, actor, reason=None) -> TimelineEntry:
    def text():
        moved = _("%(before)s → %(after)s") % {"before": before.label, "after": after.label}
        return moved + (": " + str(reason()) if reason else "")

    return _entry(req, TimelineEntry.Kind.STATE, at, actor, text)


def _letter(req, kind, actor) -> TimelineEntry:
    def text():
        return _("Letter “%(letter)s” issued (%(language)s).") % {"letter": LETTERS[kind], "language": req.language}

    return _entry(req, TimelineEntry.Kind.LETTER, req.closed_at, actor, text, title=lambda: str(LETTERS[kind]))


def _handling(req: DataSubjectRequest, kinds, *, purpose: str, actor) -> list[TimelineEntry]:
    """How a closed demo request was handled, as the workflow records it (identity check, processing, what was done,
    the letter, closing), at the times it would have happened: an auditor reads how it was answered in time."""
    state, day = DataSubjectRequest.State, datetime.timedelta(days=1)
    if req.state == state.REJECTED:
        rejected = _transition(
            req, state.RECEIVED, state.REJECTED, req.closed_at, actor, reason=req.get_rejection_reason_display
        )
        return [rejected, _letter(req, "rejection", actor)]
    checked = req.received_at + day

    def identity():
        return _("Identity check: %(method)s – %(result)s") % {
            "method": IdentityMethod(req.identity_method).label,
            "result": IdentityResult(req.identity_result).label,
        }

    entries = [
        _entry(req, TimelineEntry.Kind.NOTE, checked, actor, identity),
        _transition(req, state.RECEIVED, state.IN_PROGRESS, checked, actor),
    ]
    done = req.closed_at - datetime.timedelta(hours=1)
    if RequestType.ACCESS in kinds:
        entries.append(_entry(req, TimelineEntry.Kind.FULFILMENT, done, actor, lambda: _report_generated(req)))
    if RequestType.CONSENT_WITHDRAWAL in kinds:
        # Withdrawn for real, effective at receipt, so that the consent history says what the request file says.
        withdrawn = consent_withdraw(
            subject=req.subject,
            purpose_code=purpose,
            channel=req.channel,
            source=req.receipt_number,
            at=req.received_at,
        )
        entries.append(
            _entry(req, TimelineEntry.Kind.FULFILMENT, done, actor, lambda: _withdrawal_done(purpose, bool(withdrawn)))
        )
    entries += [
        _letter(req, "answer", actor),
        _transition(req, state.IN_PROGRESS, state.COMPLETED, req.closed_at, actor),
    ]
    return entries


def _report_generated(req: DataSubjectRequest) -> str:
    return _("Access report generated (%(fmt)s, %(language)s).") % {"fmt": "PDF", "language": req.language}


def _withdrawal_done(purpose: str, withdrawn: bool) -> str:
    message = _("Consent withdrawn: %(purpose)s") if withdrawn else _("No consent to withdraw: %(purpose)s")
    return message % {"purpose": dict(purpose_choices()).get(purpose, purpose)}
