"""Objections (Art. 21 GDPR) through the consents app: marketing at once, the rest decided by the DPO."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from consents.models import Objection
from consents.services import objection_decide, objection_record

from ..models import RequestItem, RequestType, TimelineEntry
from ..selectors import open_objection_items
from .common import item_done, require_in_progress, require_open_item, require_subject, timeline_add


def _recorded_objection(item: RequestItem) -> Objection | None:
    pk = item.result.get("objection_id")
    return Objection.objects.get(pk=pk) if pk else None


@transaction.atomic
def objection_item_record(*, item: RequestItem, actor) -> Objection:
    """Records the objection in the consents app (once), at intake when the person is known.

    A marketing objection is thereby upheld at once (Art. 21(3) GDPR); any other is pending, and
    `may_contact` says no for that processing, until the DPO decides (`objection_item_decide`).
    """
    require_open_item(item, RequestType.OBJECTION)
    subject = require_subject(item.request)
    existing = _recorded_objection(item)
    if existing is not None:
        return existing
    # Objected before (by another request, or by letter to the DPO): this line joins that objection, which is decided
    # once (consents refuses a second one while it is pending or upheld).
    objection = Objection.live_for(subject=subject, objected_activity=item.activity)
    already = objection is not None
    if not already:
        objection = objection_record(
            subject=subject,
            activity_code=item.activity.code,
            channel=item.request.channel,
            # The person's grounds, where the intake took any down; the request it came in with is found through
            # the line (RequestItem.for_objection), not written here where the grounds belong.
            note=item.details,
        )
    item.result = {**item.result, "objection_id": objection.pk}
    item.save(update_fields=["result"])
    if objection.status == Objection.Status.UPHELD:  # direct marketing: consents upholds it at once
        item_done(
            item,
            outcome=RequestItem.Outcome.UPHELD,
            note=(lambda: _("Objection already upheld."))
            if already and not objection.is_marketing
            else (lambda: _("Direct marketing: objection effective at once (Art. 21(3) GDPR).")),
            result=item.result,
        )
    timeline_add(
        item.request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=(lambda: _("Objection to “%(activity)s” already on record.") % {"activity": item.activity.name})
        if already
        else (lambda: _("Objection to “%(activity)s” recorded.") % {"activity": item.activity.name}),
    )
    audit_record(item, Action.CHANGE, fields=["result", "outcome"], detail=f"objection {objection.pk}")
    return objection


@transaction.atomic
def objection_item_decide(*, item: RequestItem, upheld: bool, reasons: str, actor) -> RequestItem:
    """The DPO's decision on an objection to processing on legitimate interests (Art. 21(1) GDPR).

    Upheld: the processing stops, the person's addresses are suppressed for it, and the retention
    engine is told that its purpose ended (the records' purpose_ended_on is set; they go when their
    rule says, or are restricted where a duty keeps them). Rejected: the compelling legitimate
    grounds are recorded with the objection.
    """
    require_open_item(item, RequestType.OBJECTION)
    # Unlike recording (at intake, Art. 21(3) marketing needs no identity check), a decision is fulfilment.
    require_in_progress(item.request)
    if not reasons.strip():
        raise ValidationError(_("Give the reasons for the decision."), code="no_reasons")
    objection = objection_item_record(item=item, actor=actor)
    item.refresh_from_db()
    if item.is_done:  # a marketing objection is upheld when recorded
        return item
    objection.refresh_from_db(fields=["status", "reasons"])
    deciding = objection.status == Objection.Status.PENDING
    if deciding:
        objection_decide(objection=objection, upheld=upheld, reasons=reasons.strip())
    else:
        # Decided already, through another request that carried the same objection: this line takes that decision.
        upheld, reasons = objection.status == Objection.Status.UPHELD, objection.reasons
    item_done(
        item,
        outcome=RequestItem.Outcome.UPHELD if upheld else RequestItem.Outcome.DISMISSED,
        note=reasons.strip(),
    )
    timeline_add(
        item.request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: (
            (_("Objection upheld: %(reasons)s") if upheld else _("Objection rejected: %(reasons)s"))
            % {"reasons": reasons.strip()}
        ),
    )
    audit_record(item, Action.CHANGE, fields=["outcome", "outcome_note"])
    if deciding:
        # Other requests that carried the same objection take the decision too, where they are being processed (any
        # other takes it when the DPO gets to it, above).
        for other in open_objection_items(objection.pk):
            if other.request.state == other.request.State.IN_PROGRESS:
                objection_item_decide(item=other, upheld=upheld, reasons=reasons, actor=actor)
    return item


def objection_decide_with_request(*, objection: Objection, upheld: bool, reasons: str, actor) -> None:
    """The DPO's decision on an objection, wherever it is taken (the consents admin too): one that came in
    with a data-subject request is decided through that request's line, so the line is closed and the
    timeline and the answer letter say so; any other is decided in the consents app alone."""
    if items := open_objection_items(objection.pk):
        objection_item_decide(item=items[0], upheld=upheld, reasons=reasons, actor=actor)
    else:
        objection_decide(objection=objection, upheld=upheld, reasons=reasons)
