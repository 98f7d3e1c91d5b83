"""Withdrawal of consent (Art. 7(3) GDPR) through the consents app."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from consents.models import ConsentPurpose
from consents.selectors import purpose_choices
from consents.services import consent_withdraw

from ..models import RequestItem, RequestType, TimelineEntry
from .common import item_done, require_open_item, require_subject, timeline_add


def purpose_name(code: str) -> str:
    return dict(purpose_choices()).get(code, code)


def purpose_is_special_category(code: str) -> bool:
    """Whether consent to the purpose is explicit consent to special categories of data (Art. 9(2)(a) GDPR):
    whether a person gave it says something about those data (e.g. that they gave health data for an event)."""
    return ConsentPurpose.objects.filter(code=code, basis=ConsentPurpose.Basis.EXPLICIT_CONSENT).exists()


@transaction.atomic
def consent_withdrawal_item_fulfil(*, item: RequestItem, actor) -> RequestItem:
    """Withdraws the person's consents to the item's purpose, effective when the request was received.

    A withdrawal needs no examination, so it is done at intake when the person is known (else by the
    DPO once the request is linked to them). The consent history stays as it was; `may_contact` says
    no for the purpose from then on. No live consent: nothing to withdraw, and the result says so.
    """
    require_open_item(item, RequestType.CONSENT_WITHDRAWAL)
    request = item.request
    subject = require_subject(request)
    withdrawn = consent_withdraw(
        subject=subject,
        purpose_code=item.purpose_code,
        channel=request.channel,
        source=request.receipt_number,
        at=request.received_at,
    )
    item_done(
        item,
        outcome=RequestItem.Outcome.FULFILLED,
        result={"purpose": item.purpose_code, "withdrawn": len(withdrawn)},
    )
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: (
            (_("Consent withdrawn: %(purpose)s") if withdrawn else _("No consent to withdraw: %(purpose)s"))
            % {"purpose": purpose_name(item.purpose_code)}
        ),
    )
    audit_record(
        item, Action.CHANGE, fields=["outcome", "result"], detail=f"consent withdrawal {request.receipt_number}"
    )
    return item
