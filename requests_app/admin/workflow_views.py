"""Workflow buttons on the request page: each an admin view with an explicit permission check,
parsing the form, calling one service, and reporting the result."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import services
from ..letters import LETTERS
from ..models import (
    ART18_GROUNDS,
    DataSubjectRequest,
    IdentityMethod,
    IdentityResult,
    RecipientNotification,
    RejectionReason,
    RequestItem,
    RequestType,
)
from ..selectors import subject_has_art18_restriction, with_purpose_names

PERMISSION = "requests_app.fulfil_request"

# What the DPO is told after each workflow step (services.workflow.ACTIONS): what happened, not only that it did.
TRANSITION_DONE = {
    "identity_check": gettext_lazy("The identity check has begun."),
    "process": gettext_lazy("Processing of the request has begun."),
    "wait": gettext_lazy("The request now waits for the requester."),
    "complete": gettext_lazy("The request was completed."),
    "reject": gettext_lazy("The request was rejected."),
    "withdraw": gettext_lazy("The request was recorded as withdrawn by the requester."),
}


def _check(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _back(pk: int):
    return redirect(reverse("admin:requests_app_datasubjectrequest_change", args=[pk]))


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def _run(request, pk, call):
    try:
        result = call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back(pk)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, result or _("Done."))
    return _back(pk)


@require_POST
def step_view(request, pk: int, step: str):
    """Workflow steps, identity check, extension, notes, Art. 19 tick-offs, lifting a restriction."""
    _check(request)
    req = get_object_or_404(DataSubjectRequest, pk=pk)
    post = request.POST
    actor = request.user

    def call():
        if step == "transition":
            services.request_transition(
                request=req,
                action=post.get("action", ""),
                actor=actor,
                note=post.get("note", ""),
                reason=post.get("reason", ""),
                reference=post.get("reference", ""),
            )
            return str(TRANSITION_DONE[post.get("action", "")])
        if step == "identity":
            services.request_identity_record(
                request=req,
                method=post.get("method", ""),
                result=post.get("result", ""),
                note=post.get("note", ""),
                actor=actor,
            )
            return _("The identity check was recorded.")
        if step == "extend":
            services.request_extend(
                request=req, reason=post.get("reason", ""), told_on=_date(post.get("told_on", "")), actor=actor
            )
            return _("The deadline was extended.")
        if step == "note":
            services.request_note_add(
                request=req,
                kind=post.get("kind", ""),
                text=post.get("text", ""),
                channel=post.get("channel", ""),
                actor=actor,
            )
            return _("Added to the timeline.")
        if step == "notified":
            pk_text = post.get("notification", "")
            if not (pk_text.isascii() and pk_text.isdigit()):  # a tampered form: 404 like an unknown id, not a 500
                raise Http404
            notification = get_object_or_404(RecipientNotification, pk=int(pk_text), request=req)
            services.notification_mark_done(
                notification=notification,
                notified_on=_date(post.get("notified_on", "")),
                note=post.get("note", ""),
                actor=actor,
            )
            return _("The recipient was ticked off.")
        if step == "lift":
            if req.subject is None:
                raise ValidationError(_("The request is not linked to a data subject."))
            count = services.subject_restriction_lift(
                subject=req.subject, told_on=_date(post.get("told_on", "")), actor=actor, request=req
            )
            return _("Restriction lifted for %(count)s records.") % {"count": count}
        raise ValidationError(_("Unknown workflow step."))

    return _run(request, pk, call)


@require_POST
def item_view(request, pk: int, item_pk: int, step: str):
    """Fulfilling one requested right. Downloads (report, copy) answer with the file.

    POST only, the access report too: it marks the right fulfilled and records an export, which a
    link followed from another site (no CSRF token) must not do.
    """
    _check(request)
    item = get_object_or_404(
        RequestItem.objects.select_related("request__subject", "activity"), pk=item_pk, request_id=pk
    )
    actor = request.user
    post = request.POST

    def call():
        if step == "access":
            fmt = post.get("fmt", "pdf")
            language = post.get("language", item.request.language)
            if language not in ("de", "en"):
                raise ValidationError(_("Unknown language."))
            content, content_type, filename = services.access_item_fulfil(
                item=item, language=language, fmt=fmt, actor=actor
            )
            return _download(content, content_type, filename, inline=fmt == "html")
        if step == "copy":
            content, filename = services.copy_item_fulfil(item=item, actor=actor)
            return _download(content, "application/zip", filename)
        if step == "rectification":
            services.rectification_item_complete(item=item, actor=actor, note=post.get("note", ""))
            return _("Rectification recorded; the recipients to inform are listed.")
        if step == "restriction":
            services.restriction_item_apply(item=item, actor=actor)
            return _("Processing restricted; the recipients to inform are listed.")
        if step == "erasure":
            services.erasure_item_fulfil(item=item, actor=actor)
            return _("Erased; what must be kept is restricted. The recipients to inform are listed.")
        if step == "objection":
            decision = post.get("decision")
            if decision not in ("upheld", "dismissed"):
                raise ValidationError(_("Decide whether the objection is upheld."))
            services.objection_item_decide(
                item=item, upheld=decision == "upheld", reasons=post.get("reasons", ""), actor=actor
            )
            return _("The decision on the objection was recorded.")
        if step == "consent_withdrawal":
            services.consent_withdrawal_item_fulfil(item=item, actor=actor)
            return _("The consent was withdrawn.")
        if step == "complaint":
            services.complaint_item_answer(item=item, answer=post.get("answer", ""), actor=actor)
            return _("The answer was recorded.")
        raise ValidationError(_("Unknown workflow step."))

    return _run(request, pk, call)


@require_POST
def letter_view(request, pk: int, kind: str):
    """Issuing a letter: answers with the PDF (or HTML).

    POST only, like the access report: issuing is recorded on the timeline and as an export, which a
    link or image loaded from another site (no CSRF token) must not do.
    """
    _check(request)
    req = get_object_or_404(DataSubjectRequest, pk=pk)
    fmt = "html" if request.POST.get("fmt") == "html" else "pdf"

    def call():
        content, content_type, filename = services.letter_issue(request=req, kind=kind, actor=request.user, fmt=fmt)
        return _download(content, content_type, filename, inline=fmt == "html")

    return _run(request, pk, call)


def panel_context(request, object_id) -> dict:
    """What the workflow panel above the request form needs."""
    if not request.user.has_perm(PERMISSION) or not str(object_id).isdigit():
        return {"can_fulfil": False}
    req = (
        DataSubjectRequest.objects.filter(pk=object_id)
        .prefetch_related(Prefetch("items", queryset=with_purpose_names(RequestItem.objects.all())))
        .first()
    )
    if req is None:
        return {"can_fulfil": False}
    allowed = DataSubjectRequest.TRANSITIONS[DataSubjectRequest.State(req.state)]
    actions = [
        (action, label)
        for action, state, label in (
            ("identity_check", DataSubjectRequest.State.IDENTITY_CHECK, _("Check identity")),
            ("process", DataSubjectRequest.State.IN_PROGRESS, _("Start processing")),
            ("wait", DataSubjectRequest.State.WAITING, _("Wait for the requester")),
            ("complete", DataSubjectRequest.State.COMPLETED, _("Complete")),
            ("withdraw", DataSubjectRequest.State.WITHDRAWN, _("Withdrawn by the requester")),
        )
        if state in allowed
    ]
    return {
        "can_fulfil": True,
        "req": req,
        "workflow_actions": actions,
        "can_reject": DataSubjectRequest.State.REJECTED in allowed,
        "rejection_reasons": RejectionReason.choices,
        "identity_methods": [c for c in IdentityMethod.choices if c[0]],
        "identity_results": IdentityResult.choices,
        "open_items": [i for i in req.items.all() if not i.is_done],
        "done_items": [i for i in req.items.all() if i.is_done],
        "letters": list(LETTERS.items()),
        "pending_notifications": req.notifications.filter(notified_on__isnull=True).select_related("recipient"),
        "request_types": RequestType,
        "art18_grounds": ART18_GROUNDS,
        "can_lift_restriction": req.subject_id is not None and subject_has_art18_restriction(req.subject),
        # (format, language, button label) of the access report's download forms: every format in German and
        # English, before the report was first produced and after (the DPO may need the other language later).
        "access_formats": [
            (fmt, language, f"{label} ({language})")
            for fmt, label in (("pdf", "PDF"), ("html", "HTML"), ("json", "JSON"))
            for language in ("de", "en")
        ],
    }
