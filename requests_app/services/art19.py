"""Art. 19 GDPR: recipients are told of a rectification, erasure or restriction, and that is tracked."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from dpo_portal.models import Recipient
from subjects.models import Order

from ..models import ART19_TYPES, DataSubjectRequest, RecipientNotification
from ..records import rights_record_models


def subject_activity_ids(subject_id: int) -> set[int]:
    """The processing activities the person has records in: one query per kind of record."""
    ids: set[int] = set()
    for model in rights_record_models():
        ids.update(model.objects.filter(subject_id=subject_id).values_list("activity_id", flat=True).distinct())
    return ids


def subject_supplier_ids(subject_id: int, *, order_ids: Iterable[int] | None = None) -> set[int]:
    """The suppliers the person's orders (or only `order_ids` of them) were passed to: recipients that actually
    received the person's data, whether or not the register names them for an activity of the person. One query.
    """
    orders = Order.objects.filter(subject_id=subject_id, supplier__isnull=False)
    if order_ids is not None:
        orders = orders.filter(pk__in=list(order_ids))
    return set(orders.values_list("supplier_id", flat=True).distinct())


def notifications_list(
    *, request: DataSubjectRequest, kind: str, activity_ids: Iterable[int], recipient_ids: Iterable[int] = ()
) -> int:
    """Lists the recipients of `activity_ids` (from the register), and the recipients `recipient_ids` the person's
    records name (the suppliers of their orders: `subject_supplier_ids`), each once, as to be told; returns how
    many are new."""
    if kind not in ART19_TYPES:
        raise ValueError(f"Art. 19 does not apply to {kind}")
    recipients = Recipient.objects.filter(
        Q(activities__in=list(activity_ids)) | Q(pk__in=list(recipient_ids))
    ).distinct()
    existing = set(
        RecipientNotification.objects.filter(request=request, kind=kind).values_list("recipient_id", flat=True)
    )
    new = [RecipientNotification(request=request, recipient=r, kind=kind) for r in recipients if r.pk not in existing]
    RecipientNotification.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def notification_mark_done(
    *, notification: RecipientNotification, notified_on: datetime.date, actor, note: str = ""
) -> RecipientNotification:
    """Ticks a recipient off: told on `notified_on` (not before the request's receipt, not in the future), once."""
    # Re-read under a row lock: a second tick (another tab) must not overwrite who told the recipient and when.
    notification = (
        RecipientNotification.objects.select_for_update(of=("self",)).select_related("request").get(pk=notification.pk)
    )
    if notification.notified_on is not None:
        raise ValidationError(_("This recipient has already been ticked off."), code="already_notified")
    if notified_on is None or not notification.request.received_on <= notified_on <= timezone.localdate():
        raise ValidationError(
            _("Enter the day the recipient was told (not in the future, not before the request was received)."),
            code="date",
        )
    limit = RecipientNotification._meta.get_field("note").max_length
    if len(note.strip()) > limit:
        raise ValidationError(
            _("The note can have at most %(limit)s characters (it has %(length)s)."),
            code="note_length",
            params={"limit": limit, "length": len(note.strip())},
        )
    notification.notified_on = notified_on
    notification.notified_by = actor if getattr(actor, "pk", None) else None
    notification.note = note.strip()
    notification.save(update_fields=["notified_on", "notified_by", "note"])
    audit_record(notification, Action.CHANGE, fields=["notified_on", "note"])
    return notification
