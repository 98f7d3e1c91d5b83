"""Issuing a letter to the requester: rendered, put on the timeline, audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.admin_mixins import audit_export

from .. import letters
from ..models import DataSubjectRequest, TimelineEntry
from .common import timeline_add


@transaction.atomic
def letter_issue(*, request: DataSubjectRequest, kind: str, actor, fmt: str = "pdf") -> tuple[bytes, str, str]:
    """The letter as PDF (or HTML); returns (content, content type, file name)."""
    if fmt == "html":
        content, content_type, ext = (
            letters.letter_html(request, kind).encode("utf-8"),
            "text/html; charset=utf-8",
            "html",
        )
    else:
        content, content_type, ext = letters.letter_pdf(request, kind), "application/pdf", "pdf"
    timeline_add(
        request,
        TimelineEntry.Kind.LETTER,
        actor=actor,
        title=lambda: str(letters.LETTERS[kind]),
        text=lambda: (
            _("Letter “%(letter)s” issued (%(language)s).")
            % {"letter": letters.LETTERS[kind], "language": request.language}
        ),
    )
    audit_export(request, detail=f"letter {kind} {request.receipt_number}", fields=[kind])
    return content, content_type, f"{request.receipt_number}-{kind}-{request.language}.{ext}"
