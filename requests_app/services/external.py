"""Erasure (Art. 17) through the retention engine, consent withdrawal (Art. 7(3)) through the consents app.

Both need the other apps' services; when one is not installed the step is refused with a clear
message and nothing is changed (never a pretended success).
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import Action, audit_record
from subjects.models import EmailAddress, PhoneNumber

from ..models import RequestItem, RequestType, TimelineEntry
from .art19 import notifications_list, subject_activity_ids
from .common import item_done, optional_module, require_in_progress, require_open_item, require_subject, timeline_add

ERASURE = gettext_lazy("Erasure")
WITHDRAWAL = gettext_lazy("Withdrawal of consent")


def _jsonable_item(entry) -> dict:
    """One item of the retention engine's ErasureOutcome, as the answer letter needs it."""

    def get(name, default=""):
        value = getattr(entry, name, None) if not isinstance(entry, dict) else entry.get(name)
        return default if value is None else value

    kept_until = get("kept_until", None)
    return {
        "record": str(get("record") or get("label") or get("record_label")),
        "category": str(get("category") or get("category_name")),
        "reference": str(get("legal_reference") or get("reference")),
        "kept_until": kept_until.isoformat() if hasattr(kept_until, "isoformat") else (kept_until or ""),
    }


@transaction.atomic
def erasure_item_fulfil(*, item: RequestItem, actor) -> RequestItem:
    """Erases what no retention duty or legal hold keeps, restricts the rest, suppresses the contact data.

    The result lists what was kept, why and until when, for the answer letter; recipients to tell
    (Art. 19) are listed before the records are gone.
    """
    require_open_item(item, RequestType.ERASURE)
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    retention = optional_module("retention.services", needed_for=ERASURE)
    consents = optional_module("consents.services", needed_for=ERASURE)
    activity_ids = subject_activity_ids(subject.pk)
    emails = list(EmailAddress.objects.filter(subject=subject).values_list("email", flat=True))
    phones = list(PhoneNumber.objects.filter(subject=subject).values_list("number", flat=True))
    consents.suppression_add(subject=subject, emails=emails, phones=phones, reason=f"erasure {request.receipt_number}")
    outcome = retention.subject_erase(subject=subject)
    result = {
        "deleted": len(getattr(outcome, "deleted", ()) or ()),
        "anonymised": len(getattr(outcome, "anonymised", ()) or ()),
        "kept": [_jsonable_item(k) for k in (getattr(outcome, "kept", ()) or ())],
        "suppressed": {"emails": len(emails), "phones": len(phones)},
    }
    notifications_list(request=request, kind=RequestType.ERASURE, activity_ids=activity_ids)
    item_done(item, outcome=RequestItem.Outcome.FULFILLED, result=result)
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=_("Erased: %(deleted)s deleted, %(anonymised)s anonymised, %(kept)s kept and restricted.")
        % {"deleted": result["deleted"], "anonymised": result["anonymised"], "kept": len(result["kept"])},
    )
    audit_record(item, Action.CHANGE, fields=["outcome", "result"], detail=f"erasure {request.receipt_number}")
    return item


@transaction.atomic
def consent_withdrawal_item_fulfil(*, item: RequestItem, actor) -> RequestItem:
    """Withdraws the consent for the item's purpose, effective from receipt of the request."""
    require_open_item(item, RequestType.CONSENT_WITHDRAWAL)
    request = item.request
    subject = require_subject(request)
    consents = optional_module("consents.services", needed_for=WITHDRAWAL)
    consents.consent_withdraw(
        subject=subject,
        purpose_code=item.purpose_code,
        channel=request.channel,
        source=request.receipt_number,
        at=request.received_at,
    )
    item_done(item, outcome=RequestItem.Outcome.FULFILLED, result={"purpose": item.purpose_code})
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=_("Consent withdrawn: %(purpose)s") % {"purpose": item.purpose_code},
    )
    audit_record(item, Action.CHANGE, fields=["outcome"], detail=f"consent withdrawal {request.receipt_number}")
    return item
