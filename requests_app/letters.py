"""Letters to the requester, in the request's language: receipt, extension, answer, rejection."""

import datetime

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dpo_portal.models import Organisation, SupervisoryAuthority
from dpo_portal.pdf import render_pdf

from .models import DataSubjectRequest, RequestItem, RequestType
from .selectors import restriction_lift_after

LETTERS = {
    "receipt": _("confirmation of receipt"),
    "extension": _("notice of extension"),
    "answer": _("answer"),
    "rejection": _("rejection"),
}


def letter_check(request: DataSubjectRequest, kind: str) -> None:
    """Raises when the letter does not fit the request's state."""
    if kind not in LETTERS:
        raise ValidationError(_("Unknown letter."), code="kind")
    if kind == "extension" and not request.is_extended:
        raise ValidationError(_("The deadline has not been extended."), code="not_extended")
    if kind == "rejection" and request.state != DataSubjectRequest.State.REJECTED:
        raise ValidationError(_("The request has not been rejected."), code="not_rejected")
    if kind == "answer" and not any(i.is_done for i in request.items.all()):
        raise ValidationError(_("Nothing of the request has been fulfilled yet."), code="nothing_done")


def kept_in(item: RequestItem | None, language: str) -> list[dict]:
    """What an erasure kept (see services.erasure.kept_rows), named in `language`, dates as dates."""
    if item is None:
        return []

    def text(value) -> str:
        return (value.get(language) or value.get("de", "")) if isinstance(value, dict) else str(value or "")

    rows = [
        {
            "record": text(row.get("record")),
            "category": text(row.get("category")),
            "reference": text(row.get("reference")),
            "kept_until": datetime.date.fromisoformat(row["kept_until"]) if row.get("kept_until") else None,
            "count": row.get("count", 1),
        }
        for row in item.result.get("kept", [])
    ]
    # Kept under a hold (no date) last: it has no end the letter could name.
    return sorted(rows, key=lambda r: (r["record"], r["category"], r["kept_until"] or datetime.date.max))


def addressee(request: DataSubjectRequest) -> str:
    """Whom a letter greets: the data subject with salutation and title in the letter's language (as the access
    report names them) when the requester is that person; otherwise the name the requester gave, e.g. someone
    writing for the person, or a person whose identity was anonymised after an erasure."""
    subject = request.subject
    if subject is not None and subject.last_name:
        plain = " ".join(p for p in (subject.first_name, subject.last_name) if p).casefold()
        given = " ".join(request.requester_name.split()).casefold()
        if given == plain or given.endswith(" " + plain):  # "Dr. Anne-Katrin Kruschwitz" is her too
            return subject.name_in(request.language)
    return request.requester_name


def letter_context(request: DataSubjectRequest, kind: str) -> dict:
    items = list(request.items.select_related("activity"))
    told: dict[str, list[str]] = {}
    for notification in request.notifications.select_related("recipient").order_by("recipient__name"):
        told.setdefault(notification.kind, []).append(notification.recipient.display_name)
    for item in items:
        item.art19_recipients = told.get(item.kind, [])
        # A restriction lifted since it was applied: the letter must not promise to tell the person beforehand.
        restricted = item.kind == RequestType.RESTRICTION and item.is_done and request.subject_id is not None
        item.lift = restriction_lift_after(request.subject_id, item.done_at) if restricted else None
    erasure = next((i for i in items if i.kind == RequestType.ERASURE and i.is_done), None)
    return {
        "req": request,
        "addressee": addressee(request),
        "kind": kind,
        "items": items,
        "done_items": [i for i in items if i.is_done],
        "erasure": erasure,
        "kept": kept_in(erasure, request.language),
        "controller": Organisation.controller(),
        "authority": SupervisoryAuthority.competent(),
        "today": timezone.localdate(),
    }


def letter_html(request: DataSubjectRequest, kind: str) -> str:
    letter_check(request, kind)
    with translation.override(request.language):
        return render_to_string(f"requests_app/letters/{kind}.html", letter_context(request, kind))


def letter_pdf(request: DataSubjectRequest, kind: str) -> bytes:
    letter_check(request, kind)
    with translation.override(request.language):
        return render_pdf(f"requests_app/letters/{kind}.html", letter_context(request, kind))
