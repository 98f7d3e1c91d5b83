"""Handing out the evidence a request holds (an uploaded e-mail): read from storage, and audited."""

from django.db import transaction

from audit.admin_mixins import audit_export

from ..models import TimelineEntry


@transaction.atomic
def evidence_export(*, entry: TimelineEntry) -> bytes:
    """The evidence file of a timeline entry as stored, recorded in the audit trail as an export.

    Raises FileNotFoundError when the entry holds no file, or the storage no longer has it (nothing is audited).
    """
    if not entry.attachment:
        raise FileNotFoundError(f"timeline entry {entry.pk} holds no evidence")
    with entry.attachment.open("rb") as file:
        content = file.read()
    audit_export(
        entry,
        detail=f"evidence of request {entry.request.receipt_number}, timeline entry {entry.pk}",
        fields=["attachment"],
    )
    return content
