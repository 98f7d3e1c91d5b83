"""Moving a request through its workflow; every step on the timeline and in the audit trail."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import Action, audit_record

from ..models import Channel, DataSubjectRequest, IdentityResult, TimelineEntry
from .common import require_open, timeline_add

# action name -> (method on the model, whether it takes a rejection reason)
ACTIONS = {
    "identity_check": "start_identity_check",
    "process": "start_processing",
    "wait": "wait_for_requester",
    "complete": "complete",
    "reject": "reject",
    "withdraw": "withdraw",
}


def _locked(request: DataSubjectRequest) -> DataSubjectRequest:
    # Two DPO tabs must not both move the same request: re-read it under a row lock.
    return DataSubjectRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def request_transition(
    *, request: DataSubjectRequest, action: str, actor, note: str = "", reason: str = "", reference: str = ""
) -> DataSubjectRequest:
    """Moves the request on (guarded by the model); raises TransitionNotAllowed when the step is not allowed."""
    if action not in ACTIONS:
        raise ValidationError(_("Unknown workflow step."), code="unknown_action")
    request = _locked(request)
    before = DataSubjectRequest.State(request.state)
    method = getattr(request, ACTIONS[action])
    if action == "reject":
        method(reason=reason, reference=reference)
    else:
        method()
    request.save()

    def text() -> str:
        written = _("%(before)s → %(after)s") % {"before": before.label, "after": request.get_state_display()}
        if action == "reject":
            written += ": " + request.get_rejection_reason_display()
            if request.rejection_reference:
                written += f" ({request.rejection_reference})"
        return written + ("\n" + note.strip() if note.strip() else "")

    timeline_add(request, TimelineEntry.Kind.STATE, actor=actor, text=text)
    audit_record(request, Action.CHANGE, fields=["state", "rejection_reason"] if action == "reject" else ["state"])
    return request


@transaction.atomic
def request_identity_record(
    *, request: DataSubjectRequest, method: str, result: str, note: str = "", actor
) -> DataSubjectRequest:
    """Records how the requester's identity was checked (Art. 12(6) GDPR) and with what result."""
    request = _locked(request)
    require_open(request)
    if result not in IdentityResult.values:
        raise ValidationError(_("Choose the result of the identity check."), code="result")
    request.identity_method, request.identity_result, request.identity_note = method, result, note.strip()
    request.full_clean(exclude=["receipt_number", "received_at"])  # clean(): no result without a method
    request.save()
    timeline_add(
        request,
        TimelineEntry.Kind.NOTE,
        actor=actor,
        text=lambda: (
            _("Identity check: %(method)s – %(result)s")
            % {"method": request.get_identity_method_display(), "result": request.get_identity_result_display()}
        ),
    )
    audit_record(request, Action.CHANGE, fields=["identity_method", "identity_result", "identity_note"])
    return request


@transaction.atomic
def request_extend(
    *, request: DataSubjectRequest, reason: str, told_on: datetime.date, actor, today: datetime.date | None = None
) -> DataSubjectRequest:
    """Extends the deadline by two months (Art. 12(3)), only before the original deadline expires."""
    request = _locked(request)
    request.extend(reason=reason, told_on=told_on, today=today)
    request.save()
    timeline_add(
        request,
        TimelineEntry.Kind.NOTE,
        actor=actor,
        text=lambda: (
            _("Deadline extended to %(due)s (requester told on %(told)s): %(reason)s")
            % {
                "due": date_format(request.due_on, "SHORT_DATE_FORMAT"),
                "told": date_format(told_on, "SHORT_DATE_FORMAT"),
                "reason": reason.strip(),
            }
        ),
    )
    audit_record(request, Action.CHANGE, fields=["due_on", "extended_at", "extension_reason", "extension_told_on"])
    return request


@transaction.atomic
def request_note_add(
    *, request: DataSubjectRequest, kind: str, text: str, actor, channel: str = "", title: str = "", at=None
) -> TimelineEntry:
    """Adds a note or a message to or from the requester to the timeline."""
    allowed = (TimelineEntry.Kind.NOTE, TimelineEntry.Kind.MESSAGE_IN, TimelineEntry.Kind.MESSAGE_OUT)
    if kind not in allowed:
        raise ValidationError(_("Choose a note or a message."), code="kind")
    if not text.strip():
        raise ValidationError(_("The text is empty."), code="empty")
    if channel and channel not in Channel.values:
        raise ValidationError(_("Choose a channel from the list."), code="channel")
    entry = timeline_add(request, kind, actor=actor, text=text.strip(), channel=channel, title=title, at=at)
    audit_record(entry, Action.CREATE, fields=["kind", "text"])
    return entry
