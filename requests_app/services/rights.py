"""Fulfilling the rights that need only this app and the data itself: access, copy, rectification,
restriction (Art. 15, 15(3)/20, 16, 18 GDPR), and answering complaints or questions."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.admin_mixins import audit_export
from audit.models import AuditEntry
from audit.services import Action, audit_record, audit_record_many, event_for
from retention.services import subject_duty_restrict
from subjects.models import KEPT_FOR_THE_SUBJECT, DataSubject, Order, RestrictionGround

from .. import access_report, portability
from ..models import ART18_GROUNDS, RequestItem, RequestType, TimelineEntry
from ..models.request import GDPR_APPLIES_FROM
from ..records import rights_record_models
from ..selectors import RESTRICTION_LIFTED
from .art19 import notifications_list, subject_activity_ids, subject_supplier_ids
from .common import item_done, require_in_progress, require_open, require_open_item, require_subject, timeline_add

REPORT_FORMATS = {
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


@transaction.atomic
def access_item_fulfil(*, item: RequestItem, language: str, fmt: str, actor) -> tuple[bytes, str, str]:
    """Builds the access report (Art. 15) and marks the right as fulfilled; returns (content, type, file name)."""
    if fmt not in REPORT_FORMATS:
        raise ValidationError(_("Unknown format."), code="format")
    if item.kind != RequestType.ACCESS:
        raise ValidationError(_("This part of the request is of another type."), code="wrong_kind")
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    data = access_report.access_report_data(subject, language=language)
    if fmt == "pdf":
        content = access_report.access_report_pdf(data, request_number=request.receipt_number)
    elif fmt == "json":
        content = access_report.access_report_json(data)
    else:
        content = access_report.access_report_html(data, request_number=request.receipt_number).encode("utf-8")
    first = not item.is_done
    if first:
        item_done(item, outcome=RequestItem.Outcome.FULFILLED, result={"language": language})
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: _("Access report generated (%(fmt)s, %(language)s).") % {"fmt": fmt.upper(), "language": language},
    )
    audit_export(
        subject,
        detail=f"access report {request.receipt_number} {fmt} {language}",
        fields=[k["kind"] for k in data["records"]],
    )
    content_type, ext = REPORT_FORMATS[fmt]
    name = {"de": "auskunft"}.get(language, "access-report")  # the file name in the report's language
    return content, content_type, f"{request.receipt_number}-{name}.{ext}"


@transaction.atomic
def copy_item_fulfil(*, item: RequestItem, actor) -> tuple[bytes, str]:
    """Builds the copy (Art. 15(3), 20) as a ZIP and records to whom it goes; returns (zip, file name)."""
    if item.kind != RequestType.COPY:
        raise ValidationError(_("This part of the request is of another type."), code="wrong_kind")
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    content = portability.portability_zip(
        subject,
        export_format=item.export_format,
        recipient=item.copy_recipient,
        recipient_name=item.copy_recipient_name,
        language=request.language,
    )
    digest = hashlib.sha256(content).hexdigest()

    def recipient():
        return item.copy_recipient_name if item.copy_recipient == "controller" else _("the data subject")

    item_done(
        item,
        outcome=RequestItem.Outcome.FULFILLED,
        note=lambda: _("Copy for %(recipient)s") % {"recipient": recipient()},
        result={"sha256": digest, "format": item.export_format, "recipient": item.copy_recipient},
    )
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: (
            _("Copy of the data (%(format)s) built for %(recipient)s; SHA-256 %(digest)s.")
            % {"format": item.get_export_format_display(), "recipient": recipient(), "digest": digest}
        ),
    )
    audit_export(
        subject, detail=f"data copy {request.receipt_number} to {item.copy_recipient}", fields=[item.export_format]
    )
    return content, f"{request.receipt_number}-kopie.zip"


@transaction.atomic
def rectification_item_complete(*, item: RequestItem, actor, note: str = "") -> RequestItem:
    """Closes a rectification done on the subject's page (Art. 16): names the changed fields, lists Art. 19.

    Raises when nothing was changed since receipt, unless `note` says why nothing had to be.
    """
    require_open_item(item, RequestType.RECTIFICATION)
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    changes = list(
        AuditEntry.objects.filter(
            subject_id=subject.pk, action=AuditEntry.Action.CHANGE, at__gte=request.received_at
        ).values_list("object_type", "object_id", "fields")
    )
    changes = _corrections(changes)
    if not changes and not note.strip():
        raise ValidationError(
            _(
                "Nothing has been corrected on the data subject's page since the request came in. Correct the data there first, or say why nothing needed correcting."
            ),
            code="nothing_changed",
        )
    fields = sorted({f"{object_type.split('.')[1]}.{f}" for object_type, _id, names in changes for f in names})
    activity_ids, supplier_ids = _changed_scope(subject, changes)
    item_done(
        item,
        outcome=RequestItem.Outcome.FULFILLED if changes else RequestItem.Outcome.NOT_POSSIBLE,
        note=note.strip(),
        result={"fields": fields},
    )
    if changes:
        notifications_list(
            request=request, kind=RequestType.RECTIFICATION, activity_ids=activity_ids, recipient_ids=supplier_ids
        )
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=(lambda: _("Rectified: %(fields)s") % {"fields": ", ".join(_field_labels(fields))})
        if changes
        else note.strip(),
    )
    audit_record(item, Action.CHANGE, fields=["outcome", "result"])
    return item


# Fields the portal itself keeps on people and records (restriction, retention, erasure, consent withdrawal,
# screening blocks, the register's classification): changing them corrects nothing the person said was wrong.
NOT_CORRECTIONS = frozenset(
    {
        "category",
        "activity",
        "source",
        "restricted_at",
        "restriction_ground",
        "anonymised_at",
        "erased_at",
        "is_blocked",
        "blocked_reason",
        "withdrawn_at",
        "withdrawal_channel",
        "withdrawal_origin",
        "share_with_participants",  # follows the consent to sharing (consents.services.consent_withdraw)
    }
)


def _correctable_fields() -> dict[str, set[str]]:
    """Per kind (subject or record), the fields of the person's data that a correction can change."""
    return {
        model._meta.label_lower: {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
        - NOT_CORRECTIONS
        for model in (DataSubject, *rights_record_models())
    }


def _corrections(changes) -> list[tuple[str, str, list[str]]]:
    """The audited changes that corrected the person's data, each with only the corrected fields: not the
    bookkeeping of a withdrawal, a sweep, a restriction or a screening that happened in the meantime."""
    correctable = _correctable_fields()
    found = []
    for object_type, object_id, names in changes:
        fields = [f for f in names if f in correctable.get(object_type, ())]
        if fields:
            found.append((object_type, object_id, fields))
    return found


def _field_labels(fields: list[str]) -> list[str]:
    """The corrected fields ("postaladdress.city") as people read them in the active language: "postal address –
    city". The timeline keeps the text as written, so it is named when written, not when shown."""
    models = {model._meta.model_name: model for model in (DataSubject, *rights_record_models())}
    labels = []
    for field in fields:
        model_name, name = field.split(".", 1)
        model = models[model_name]
        labels.append(f"{model._meta.verbose_name} – {model._meta.get_field(name).verbose_name}")
    return labels


def _changed_scope(subject: DataSubject, changes) -> tuple[set[int], set[int]]:
    """(activity ids, supplier ids) whose recipients hold what was corrected. Identity data feeds every activity
    the person is in and went to every supplier of their orders; a record only its own activity, and an order its
    own supplier."""
    if any(object_type == "subjects.datasubject" for object_type, _id, _f in changes):
        return subject_activity_ids(subject.pk), subject_supplier_ids(subject.pk)
    by_type: dict[str, list[int]] = {}
    for object_type, object_id, _f in changes:
        by_type.setdefault(object_type, []).append(int(object_id))
    ids: set[int] = set()
    for model in rights_record_models():
        pks = by_type.get(model._meta.label_lower)
        if pks:
            ids.update(model.objects.filter(pk__in=pks).values_list("activity_id", flat=True))
    if any(m.start_follows_other_records for m in rights_record_models() if m._meta.label_lower in by_type):
        # Contact details went to every supplier of the person's orders with the orders (section C of the policy).
        return ids, subject_supplier_ids(subject.pk)
    orders = by_type.get(Order._meta.label_lower)
    return ids, subject_supplier_ids(subject.pk, order_ids=orders) if orders else set()


@transaction.atomic
def restriction_item_apply(*, item: RequestItem, actor) -> RequestItem:
    """Restricts processing of all the person's data on the item's Art. 18(1) ground; lists Art. 19."""
    require_open_item(item, RequestType.RESTRICTION)
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    count = subject_restrict(subject=subject, ground=item.restriction_ground, actor=actor)
    notifications_list(
        request=request,
        kind=RequestType.RESTRICTION,
        activity_ids=subject_activity_ids(subject.pk),
        recipient_ids=subject_supplier_ids(subject.pk),
    )
    item_done(item, outcome=RequestItem.Outcome.FULFILLED, result={"records": count, "ground": item.restriction_ground})
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: (
            _("Processing restricted (%(ground)s): %(count)s records.")
            % {"ground": item.restriction_ground_label, "count": count}
        ),
    )
    return item


@transaction.atomic
def subject_restrict(*, subject: DataSubject, ground: str, actor) -> int:
    """Marks the person and every record not yet restricted as restricted; returns how many records."""
    if ground not in ART18_GROUNDS:
        raise ValidationError(_("Choose the ground for restriction (Art. 18(1) GDPR)."), code="ground")
    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)  # as it is now, not as the caller read it
    now = timezone.now()
    events = []
    count = 0
    # A restriction to keep the data (Art. 18(1)(b), (c)) also takes over records restricted on a weaker ground
    # (another Art. 18 ground, a retention duty): only it keeps them past their period. A legal hold stays.
    takes_over = [g for g in (*ART18_GROUNDS, RestrictionGround.RETENTION_DUTY) if g != ground]
    for model in rights_record_models():
        unrestricted = Q(restricted_at__isnull=True)
        if ground in KEPT_FOR_THE_SUBJECT:
            unrestricted |= Q(restriction_ground__in=takes_over)
        qs = model.objects.filter(unrestricted, subject=subject)
        ids = list(qs.values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(restricted_at=now, restriction_ground=ground)
            events += [_event(model, pk, subject.pk, Action.RESTRICT, ground) for pk in ids]
            count += len(ids)
    # A person restricted for a retention duty or a legal hold (erased, kept for the law) stays so: an Art. 18
    # ground in its place would be lifted with the request, and the sweep would never blank the identity.
    art18_or_none = subject.restricted_at is None or subject.restriction_ground in ART18_GROUNDS
    if art18_or_none and (subject.restricted_at is None or subject.restriction_ground != ground):
        subject.restricted_at = subject.restricted_at or now
        subject.restriction_ground = ground
        subject.save(update_fields=["restricted_at", "restriction_ground", "updated_at"])
        events.append(
            event_for(subject, Action.RESTRICT, fields=["restricted_at", "restriction_ground"], detail=ground)
        )
    audit_record_many(events, actor=None)
    return count


def _event(model, pk, subject_id, action, detail):
    event = event_for(None, action, fields=["restricted_at", "restriction_ground"], detail=detail)
    event.object_type, event.object_id, event.subject_id = model._meta.label_lower, str(pk), subject_id
    return event


@transaction.atomic
def subject_restriction_lift(*, subject: DataSubject, told_on: datetime.date, actor, request=None) -> int:
    """Lifts an Art. 18 restriction; the person must have been told beforehand (Art. 18(3) GDPR).

    A restriction for a statutory retention duty stays: it is the law's, not the person's.
    """
    # Told before the request came in is a typo (year 1 would also reach the answer letter); without a request,
    # before the GDPR applied.
    earliest = request.received_on if request is not None else GDPR_APPLIES_FROM
    if told_on is None or not earliest <= told_on <= timezone.localdate():
        raise ValidationError(
            _(
                "Enter the day the data subject was told that the restriction will be lifted (not in the future, "
                "not before the request was received)."
            ),
            code="told_on",
        )
    grounds = list(ART18_GROUNDS)
    # The answer letter reads when the restriction was lifted and when the person was told (restriction_lift_after).
    lifted = f"{RESTRICTION_LIFTED}, told {told_on.isoformat()}"
    events = []
    count = 0
    for model in rights_record_models():
        ids = list(model.objects.filter(subject=subject, restriction_ground__in=grounds).values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=ids).update(restricted_at=None, restriction_ground="")
            events += [_event(model, pk, subject.pk, Action.CHANGE, lifted) for pk in ids]
            count += len(ids)
    if subject.restriction_ground in grounds:
        subject.restricted_at, subject.restriction_ground = None, ""
        subject.save(update_fields=["restricted_at", "restriction_ground", "updated_at"])
        events.append(
            event_for(
                subject,
                Action.CHANGE,
                fields=["restricted_at", "restriction_ground"],
                detail=lifted,
            )
        )
    if not events:
        raise ValidationError(_("Nothing of this person is restricted under Art. 18 GDPR."), code="not_restricted")
    audit_record_many(events)
    # What a retention duty keeps beyond its purpose goes back to being restricted for it (a restriction to keep
    # the data had taken it over).
    subject_duty_restrict(subject=subject)
    if request is not None:
        timeline_add(
            request,
            TimelineEntry.Kind.FULFILMENT,
            actor=actor,
            text=lambda: (
                _("Restriction lifted (%(count)s records); the person was told on %(told)s.")
                % {"count": count, "told": date_format(told_on, "SHORT_DATE_FORMAT")}
            ),
        )
    return count


@transaction.atomic
def complaint_item_answer(*, item: RequestItem, answer: str, actor) -> RequestItem:
    """Records the answer to a complaint or question (no identity check needed: it discloses no data)."""
    require_open_item(item, RequestType.COMPLAINT)
    require_open(item.request)
    if not answer.strip():
        raise ValidationError(_("The text is empty."), code="empty")
    item_done(item, outcome=RequestItem.Outcome.FULFILLED, note=answer.strip())
    timeline_add(item.request, TimelineEntry.Kind.MESSAGE_OUT, actor=actor, text=answer.strip())
    audit_record(item, Action.CHANGE, fields=["outcome", "outcome_note"])
    return item
