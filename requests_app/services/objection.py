"""Objections (Art. 21 GDPR) through the consents app: marketing at once, the rest decided by the DPO."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import Action, audit_record

from ..models import RequestItem, RequestType, TimelineEntry
from .common import item_done, optional_module, require_open_item, require_subject, timeline_add

NEEDED_FOR = gettext_lazy("Recording an objection")


def _recorded_objection(item: RequestItem):
    label, pk = item.result.get("objection_model"), item.result.get("objection_id")
    if not (label and pk):
        return None
    return apps.get_model(label).objects.get(pk=pk)


@transaction.atomic
def objection_item_record(*, item: RequestItem, actor) -> object:
    """Records the objection in the consents app (once); a marketing objection is thereby upheld at once."""
    require_open_item(item, RequestType.OBJECTION)
    subject = require_subject(item.request)
    existing = _recorded_objection(item)
    if existing is not None:
        return existing
    consents = optional_module("consents.services", needed_for=NEEDED_FOR)
    objection = consents.objection_record(
        subject=subject,
        activity_code=item.activity.code,
        channel=item.request.channel,
        note=item.request.receipt_number,
    )
    item.result = {**item.result, "objection_model": objection._meta.label, "objection_id": objection.pk}
    item.save(update_fields=["result"])
    if item.activity.is_marketing:
        item_done(
            item,
            outcome=RequestItem.Outcome.UPHELD,
            note=_("Direct marketing: objection effective at once (Art. 21(3) GDPR)."),
            result=item.result,
        )
    timeline_add(
        item.request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=_("Objection to “%(activity)s” recorded.") % {"activity": item.activity.name},
    )
    audit_record(item, Action.CHANGE, fields=["result", "outcome"], detail=f"objection {objection.pk}")
    return objection


@transaction.atomic
def objection_item_decide(*, item: RequestItem, upheld: bool, reasons: str, actor) -> RequestItem:
    """The DPO's decision on an objection to processing on legitimate interests (Art. 21(1) GDPR).

    Upheld: the processing stops and the data goes (by the consents app). Rejected: the compelling
    legitimate grounds are recorded.
    """
    require_open_item(item, RequestType.OBJECTION)
    if not reasons.strip():
        raise ValidationError(_("Give the reasons for the decision."), code="no_reasons")
    objection = objection_item_record(item=item, actor=actor)
    item.refresh_from_db()
    if item.is_done:  # a marketing objection is upheld when recorded
        return item
    consents = optional_module("consents.services", needed_for=NEEDED_FOR)
    consents.objection_decide(objection=objection, upheld=upheld, reasons=reasons.strip())
    item_done(
        item,
        outcome=RequestItem.Outcome.UPHELD if upheld else RequestItem.Outcome.DISMISSED,
        note=reasons.strip(),
    )
    timeline_add(
        item.request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=(_("Objection upheld: %(reasons)s") if upheld else _("Objection rejected: %(reasons)s"))
        % {"reasons": reasons.strip()},
    )
    audit_record(item, Action.CHANGE, fields=["outcome", "outcome_note"])
    return item
