"""Logging a request at the support desk (Art. 12 GDPR): a receipt number and the deadline at once."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Action, audit_record_many, event_for
from dpo_portal.models import ProcessingActivity
from subjects.models import DataSubject, Source
from subjects.services import subject_create

from ..defaults import file_defaults
from ..models import (
    Channel,
    DataSubjectRequest,
    IdentityResult,
    ReceiptSequence,
    RequestItem,
    RequestType,
    TimelineEntry,
)
from ..models.request import validate_received_not_future
from .common import timeline_add
from .objection import objection_item_record
from .withdrawal import consent_withdrawal_item_fulfil, purpose_is_special_category, purpose_name


@dataclass(frozen=True)
class ItemSpec:
    """One right asked for, with the details it needs."""

    kind: str
    export_format: str = ""
    copy_recipient: str = ""
    copy_recipient_name: str = ""
    restriction_ground: str = ""
    activity: ProcessingActivity | None = None
    purpose_code: str = ""
    details: str = ""


@dataclass
class IntakeResult:
    request: DataSubjectRequest
    notices: list[str] = field(default_factory=list)


REQUEST_FIELDS = (
    "channel",
    "received_at",
    "requester_name",
    "requester_email",
    "requester_phone",
    "requester_address",
    "language",
    "subject",
    "description",
    "identity_method",
    "identity_result",
    "identity_note",
)


@transaction.atomic
def request_log(
    *,
    actor,
    channel: str,
    received_at,
    requester_name: str,
    items: Sequence[ItemSpec],
    requester_email: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    subject: DataSubject | None = None,
    description: str = "",
    identity_method: str = "",
    identity_result: str = IdentityResult.PENDING,
    identity_note: str = "",
    language: str | None = None,
    email_file: UploadedFile | None = None,
    email_subject: str = "",
    create_subject: bool = False,
) -> IntakeResult:
    """Logs a request with its rights, stores its deadline, and keeps the e-mail as evidence.

    When the person is known, objections and consent withdrawals take effect at once: a marketing
    objection is absolute (Art. 21(3) GDPR), any other pauses that processing until the DPO decides,
    and a withdrawal is effective on receipt (Art. 7(3)); `notices` say what happened. Raises
    ValidationError (nothing saved) on missing contact details, a receipt date in the future or before
    the GDPR applied, an identity result without a method, no or incomplete rights.
    """
    if create_subject and subject is None:
        subject = _new_subject(requester_name, channel=channel, language=language)
    request = DataSubjectRequest(
        channel=channel,
        received_at=received_at,
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip().lower(),
        requester_phone=requester_phone.strip(),
        requester_address=requester_address.strip(),
        language=language or (subject.language if subject else "de"),
        subject=subject,
        logged_by=actor,
        description=description.strip(),
        identity_method=identity_method,
        identity_result=identity_result,
        identity_note=identity_note.strip(),
        **file_defaults(),
    )
    if received_at is not None:
        try:  # before the deadline is computed from it: a year-1 date overflows on the way
            validate_received_not_future(received_at)
        except ValidationError as exc:
            raise ValidationError({"received_at": exc}) from exc
        request.set_deadline()
    request.full_clean(exclude=["receipt_number", "logged_by"])
    lines = _items(items)
    request.receipt_number = ReceiptSequence.next_number(request.received_on.year)
    request.save()
    for item in lines:
        item.request = request
    RequestItem.objects.bulk_create(lines)
    timeline_add(
        request,
        TimelineEntry.Kind.MESSAGE_IN,
        actor=actor,
        channel=channel,
        at=received_at,
        title=email_subject,
        text=request.description,
        attachment=email_file,
    )
    audit_record_many(
        [
            event_for(request, Action.CREATE, fields=[f for f in REQUEST_FIELDS if getattr(request, f, None)]),
            *[event_for(i, Action.CREATE, fields=["kind"], detail=f"request {request.pk}") for i in lines],
        ],
    )
    result = IntakeResult(request=request)
    _take_effect_at_intake(result, actor=actor)
    return result


CHANNEL_SOURCES = {
    Channel.EMAIL: Source.EMAIL,
    Channel.PHONE: Source.PHONE,
    Channel.CHAT: Source.CHAT,
    Channel.WEB_FORM: Source.WEB_FORM,
}


def _new_subject(requester_name: str, *, channel: str, language: str | None) -> DataSubject:
    first, _sep, last = " ".join(requester_name.split()).rpartition(" ")
    if not last:
        raise ValidationError({"requester_name": _("Enter the requester's name.")})
    return subject_create(
        first_name=first,
        last_name=last,
        language=language or "de",
        source=CHANNEL_SOURCES.get(channel, Source.IMPORT),
    )


def _items(specs: Sequence[ItemSpec]) -> list[RequestItem]:
    if not specs:
        raise ValidationError(_("Choose at least one type of request."), code="no_items")
    seen, lines, errors = set(), [], {}
    for spec in specs:
        key = (spec.kind, spec.activity.pk if spec.activity else None, spec.purpose_code)
        if key in seen:
            continue
        seen.add(key)
        # The form sends every detail with every right: each item keeps only its own (the copy's format and
        # recipient on an access item showed on the request page as if access came as a JSON file).
        is_copy = spec.kind == RequestType.COPY
        item = RequestItem(
            kind=spec.kind,
            export_format=spec.export_format if is_copy else "",
            copy_recipient=spec.copy_recipient if is_copy else "",
            copy_recipient_name=spec.copy_recipient_name.strip() if is_copy else "",
            restriction_ground=spec.restriction_ground if spec.kind == RequestType.RESTRICTION else "",
            activity=spec.activity if spec.kind == RequestType.OBJECTION else None,
            purpose_code=spec.purpose_code if spec.kind == RequestType.CONSENT_WITHDRAWAL else "",
            details=spec.details.strip(),
        )
        try:
            item.full_clean(exclude=["request"])
        except ValidationError as exc:
            exc.update_error_dict(errors)
        lines.append(item)
    if errors:
        raise ValidationError(errors)
    return lines


def _take_effect_at_intake(result: IntakeResult, *, actor) -> None:
    """Objections and consent withdrawals need no examination before they take effect: done now.

    Each in a savepoint: if the consents app refuses one, the request stays logged, support is told,
    and the DPO takes it over.
    """
    request = result.request
    if request.subject_id is None:
        return
    kinds = (RequestType.OBJECTION, RequestType.CONSENT_WITHDRAWAL)
    for item in request.items.filter(kind__in=kinds).select_related("activity"):
        try:
            with transaction.atomic():
                if item.kind == RequestType.OBJECTION:
                    objection = objection_item_record(item=item, actor=actor)
                else:
                    consent_withdrawal_item_fulfil(item=item, actor=actor)
        except ValidationError as exc:
            result.notices.append(
                _("“%(right)s” could not take effect yet, the DPO will see to it: %(error)s")
                % {"right": item.get_kind_display(), "error": "; ".join(exc.messages)}
            )
            continue
        if item.kind == RequestType.CONSENT_WITHDRAWAL:
            item.refresh_from_db(fields=["result"])
            if purpose_is_special_category(item.purpose_code):
                # Support never sees special-category data: whether there was such a consent would tell it some.
                message = _("The withdrawal of consent to “%(purpose)s” is recorded, effective on receipt.")
            elif item.result.get("withdrawn"):
                message = _("The consent to “%(purpose)s” is withdrawn, effective on receipt.")
            else:
                message = _("There was no consent to “%(purpose)s” to withdraw.")
            result.notices.append(message % {"purpose": purpose_name(item.purpose_code)})
        elif objection.is_marketing:
            result.notices.append(_("The marketing objection has taken effect: no more advertising."))
        else:
            result.notices.append(
                _("The objection to “%(activity)s” is recorded: that processing is paused until the DPO decides.")
                % {"activity": item.activity.name}
            )
