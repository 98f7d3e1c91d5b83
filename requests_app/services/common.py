"""Helpers every request service shares: the timeline and marking a requested right as done."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dpo_portal.models.bilingual import Written, in_both_languages

from ..models import DataSubjectRequest, IdentityResult, RequestItem, TimelineEntry


def timeline_add(
    request: DataSubjectRequest,
    kind: str,
    *,
    actor=None,
    text: Written = "",
    title: Written = "",
    channel: str = "",
    at=None,
    attachment=None,
) -> TimelineEntry:
    """Appends to the request's timeline. `text` and `title` are what people wrote, or functions wording what the
    portal writes (stored in German and English, read in the reader's language: in_both_languages)."""
    text, text_en = in_both_languages(text)
    title, title_en = in_both_languages(title)
    entry = TimelineEntry(
        request=request,
        kind=kind,
        author=actor if getattr(actor, "pk", None) else None,
        text=text,
        text_en=text_en,
        title=title[:300],
        title_en=title_en[:300],
        channel=channel,
        at=at or timezone.now(),
    )
    if attachment is not None:
        entry.attachment.save(attachment.name, attachment, save=False)
    entry.save()
    return entry


def item_done(item: RequestItem, *, outcome: str, note: Written = "", result: dict | None = None) -> RequestItem:
    """Marks a requested right as done; `note` is what the DPO wrote, or a function wording what the portal writes
    (kept in German and English, like the timeline)."""
    item.outcome = outcome
    item.outcome_note, item.outcome_note_en = in_both_languages(note)
    if result is not None:
        item.result = result
    item.done_at = timezone.now()
    item.save(update_fields=["outcome", "outcome_note", "outcome_note_en", "result", "done_at"])
    return item


def require_in_progress(request: DataSubjectRequest) -> None:
    """Rights are fulfilled only once the identity is verified and the request is being processed.

    The identity is checked here, not only when processing starts: the DPO may record it as failed
    or pending again later, and the request stays in progress (to be rejected or re-checked).
    """
    if request.state != DataSubjectRequest.State.IN_PROGRESS:
        raise ValidationError(
            _("Start processing the request first (its state is “%(state)s”)."),
            code="not_in_progress",
            params={"state": request.get_state_display()},
        )
    if request.identity_result != IdentityResult.VERIFIED:
        raise ValidationError(_("Verify the requester's identity before processing the request."), code="identity")


def require_open(request: DataSubjectRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("The request is closed."), code="closed")


def require_subject(request: DataSubjectRequest):
    if request.subject_id is None:
        raise ValidationError(
            _("The request is not linked to a data subject: link it, or reject it because no data is held."),
            code="no_subject",
        )
    return request.subject


def require_open_item(item: RequestItem, kind: str) -> None:
    if item.kind != kind:
        raise ValidationError(_("This part of the request is of another type."), code="wrong_kind")
    if item.is_done:
        raise ValidationError(_("This part of the request has already been fulfilled."), code="done")
