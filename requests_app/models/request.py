"""A data-subject request (Art. 12 GDPR): what was asked, when, by whom, and where it stands."""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from subjects.models import PersonalRecord, PersonalRecordQuerySet

from ..deadlines import response_due
from .choices import Channel, IdentityMethod, IdentityResult, RejectionReason, RequestType

# The GDPR applies from this day (Art. 99(2)); an earlier receipt is a typo, and a year-1 date
# overflows SQLite and is stored BC on PostgreSQL.
GDPR_APPLIES_FROM = datetime.date(2018, 5, 25)


def short_date(value: datetime.date):
    """`value` as the language of the page writes it (25.05.2018, 05/25/2018), formatted when the message is shown,
    so that an error raised in one language and shown in another has its date in the other's format too."""
    return lazy(date_format, str)(value, "SHORT_DATE_FORMAT")


def validate_received_not_future(value: datetime.datetime) -> None:
    """Receipt between the GDPR's start and now (the name stays: the migrations refer to it)."""
    # The year is checked first: converting a year-1 date to another time zone overflows.
    if value.year < GDPR_APPLIES_FROM.year or timezone.localdate(value) < GDPR_APPLIES_FROM:
        raise ValidationError(
            _("The time of receipt cannot be before %(date)s, when the GDPR became applicable."),
            code="before_gdpr",
            params={"date": short_date(GDPR_APPLIES_FROM)},
        )
    # A minute's grace: the support desk's clock and the server's may differ slightly.
    if value > timezone.now() + datetime.timedelta(minutes=1):
        raise ValidationError(_("The time of receipt cannot be in the future."), code="future_date")


class TransitionNotAllowed(ValidationError):
    """A workflow step the request's state (or its data) does not allow."""


class ReceiptSequence(models.Model):
    """The last receipt number handed out per year; claimed with one conditional UPDATE."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"

    @classmethod
    def next_number(cls, year: int) -> str:
        """The next receipt number of `year`, e.g. DSR-2026-00042 (call inside a transaction)."""
        cls.objects.get_or_create(year=year)
        cls.objects.filter(year=year).update(last=F("last") + 1)
        last = cls.objects.values_list("last", flat=True).get(year=year)
        return f"DSR-{year}-{last:05d}"


class RequestQuerySet(PersonalRecordQuerySet):
    def open(self):
        return self.exclude(state__in=DataSubjectRequest.CLOSED_STATES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_within(self, days: int, today: datetime.date | None = None):
        """Open requests due from today up to `days` days ahead (not yet overdue)."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))

    def of_type(self, request_type: str):
        return self.filter(items__kind=request_type).distinct()


class DataSubjectRequest(PersonalRecord):
    """One request by one person, which may ask for several rights at once (its items).

    A request's file (the request, its items, timeline with evidence, and notifications) is itself
    personal data: the retention engine registers it like every record, and its rule (category
    "data-subject-requests") counts from the day it was closed; an open request never comes due.
    Requests do not act on request files (`subject_rights`): they are the proof of how requests were
    handled.
    """

    counts_as_contact = True  # subjects.last_contact
    default_category = "data-subject-requests"
    default_activity = "data-subject-requests"
    subject_rights = False

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        IDENTITY_CHECK = "identity_check", _("identity check")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the requester")
        COMPLETED = "completed", _("completed")
        REJECTED = "rejected", _("rejected")
        # Taken back by the requester (zurückgezogen), unlike a withdrawn consent (widerrufen).
        WITHDRAWN = "withdrawn", pgettext_lazy("request", "withdrawn")

    CLOSED_STATES = (State.COMPLETED, State.REJECTED, State.WITHDRAWN)
    # Which state may follow which; everything else is refused.
    TRANSITIONS = {
        State.RECEIVED: {State.IDENTITY_CHECK, State.IN_PROGRESS, State.WAITING, State.REJECTED, State.WITHDRAWN},
        State.IDENTITY_CHECK: {State.IN_PROGRESS, State.WAITING, State.REJECTED, State.WITHDRAWN},
        State.IN_PROGRESS: {State.WAITING, State.COMPLETED, State.REJECTED, State.WITHDRAWN},
        State.WAITING: {State.IDENTITY_CHECK, State.IN_PROGRESS, State.REJECTED, State.WITHDRAWN},
        State.COMPLETED: set(),
        State.REJECTED: set(),
        State.WITHDRAWN: set(),
    }

    receipt_number = models.CharField(_("receipt number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"), validators=[validate_received_not_future])
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=40, blank=True)
    requester_address = models.TextField(_("requester's postal address"), blank=True)
    language = models.CharField(_("correspondence language"), max_length=2, choices=settings.LANGUAGES, default="de")
    subject = models.ForeignKey(
        "subjects.DataSubject",
        verbose_name=_("data subject"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        help_text=_("Empty when no data is held about the requester."),
    )
    # From the register (requests_app.defaults.file_defaults); empty only while the register lacks its
    # entries, which `load_register` then fills in.
    activity = models.ForeignKey(
        "dpo_portal.ProcessingActivity",
        verbose_name=_("processing activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    category = models.ForeignKey(
        "dpo_portal.DataCategory",
        verbose_name=_("data category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # Where the file's data came from: the requester, by the channel the request came in (save() keeps it so).
    source = models.CharField(_("source"), max_length=20, choices=Channel.choices, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logged_requests",
    )
    description = models.TextField(_("the request in the requester's words"), blank=True)
    identity_method = models.CharField(
        _("identity check: method"), max_length=20, choices=IdentityMethod.choices, blank=True
    )
    identity_result = models.CharField(
        _("identity check: result"), max_length=10, choices=IdentityResult.choices, default=IdentityResult.PENDING
    )
    identity_note = models.CharField(_("identity check: note"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True)
    original_due_on = models.DateField(_("original deadline"), editable=False)
    due_on = models.DateField(_("deadline"), editable=False, db_index=True)
    extended_at = models.DateTimeField(_("deadline extended"), null=True, blank=True, editable=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True, editable=False)
    extension_told_on = models.DateField(_("requester told of the extension on"), null=True, blank=True, editable=False)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=20, choices=RejectionReason.choices, blank=True, editable=False
    )
    rejection_reference = models.CharField(
        _("legal reference"), max_length=200, blank=True, editable=False, help_text=_("E.g. § 34 BDSG.")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    objects = RequestQuerySet.as_manager()

    class Meta(PersonalRecord.Meta):
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_on", "pk"]
        permissions = [
            ("log_request", _("Can log data-subject requests at the support desk")),
            ("fulfil_request", _("Can fulfil data-subject requests")),
        ]
        indexes = [
            *PersonalRecord.Meta.indexes,
            # The support queue: a user's own open requests.
            models.Index(fields=["logged_by", "state"], name="request_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    # --- invariants -------------------------------------------------------------------------------

    @property
    def received_on(self) -> datetime.date:
        return timezone.localdate(self.received_at)

    @property
    def is_open(self) -> bool:
        return self.state not in self.CLOSED_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None

    @property
    def days_to_spare(self) -> int | None:
        """How many days before its deadline the request was answered (closed): negative when after it (Art. 12(3)
        GDPR); None while it is open or when the requester took it back, which answers nothing."""
        if self.closed_at is None or self.state == self.State.WITHDRAWN:
            return None
        return (self.due_on - timezone.localdate(self.closed_at)).days

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not any((v or "").strip() for v in (self.requester_email, self.requester_phone, self.requester_address)):
            errors[NON_FIELD_ERRORS] = ValidationError(
                _("Enter at least one way to reach the requester: e-mail, phone or postal address."),
                code="no_contact",
            )
        # The one rule for intake and the admin alike: a checked identity says how it was checked.
        if self.identity_result != IdentityResult.PENDING and not self.identity_method:
            errors["identity_method"] = ValidationError(_("Choose how the identity was checked."), code="method")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.source = self.channel
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "channel" in update_fields:
            kwargs["update_fields"] = {*update_fields, "source"}
        super().save(*args, **kwargs)

    def set_deadline(self) -> None:
        """The statutory deadline from the day of receipt (stored at intake: later rule changes don't move it);
        the day of receipt is also the day the request's data was collected."""
        self.original_due_on = self.due_on = response_due(self.received_on)
        self.collected_on = self.received_on

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # The file is needed while the request is open: whatever its rule counts from, an open request has no start
        # date and never comes due. Its purpose (handling it), or the relationship, ends the day it closed (local).
        ends = {"end_of_purpose": "purpose_ended_on", "contract_end": "contract_end"}
        if start_event in ends:
            start = Coalesce(ends[start_event], TruncDate("closed_at"))
        else:
            start = super().retention_start_expression(start_event)
        return Case(When(closed_at__isnull=True, then=Value(None)), default=start, output_field=models.DateField())

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event in ("end_of_purpose", "contract_end"):
            return _("the day the request was closed; an open request never comes due")
        return _("never while the request is open")

    # --- guarded transitions ------------------------------------------------------------------------

    def _move(self, target: str) -> None:
        self._check_allowed(target)
        self.state = target
        if target in self.CLOSED_STATES:
            self.closed_at = timezone.now()

    def _check_allowed(self, target: str) -> None:
        if target not in self.TRANSITIONS[self.State(self.state)]:
            raise TransitionNotAllowed(
                _("A request in the state “%(current)s” cannot move to “%(target)s”."),
                code="transition",
                params={"current": self.get_state_display(), "target": self.State(target).label},
            )

    def start_identity_check(self) -> None:
        self._move(self.State.IDENTITY_CHECK)

    def start_processing(self) -> None:
        if self.identity_result != IdentityResult.VERIFIED:
            raise TransitionNotAllowed(
                _("Verify the requester's identity before processing the request."), code="identity"
            )
        self._move(self.State.IN_PROGRESS)

    def wait_for_requester(self) -> None:
        self._move(self.State.WAITING)

    def complete(self) -> None:
        self._check_allowed(self.State.COMPLETED)
        open_items = [i for i in self.items.all() if not i.is_done]
        if open_items:
            raise TransitionNotAllowed(
                _("Fulfil or decide every part of the request first: %(open)s."),
                code="items_open",
                params={"open": ", ".join(str(i.get_kind_display()) for i in open_items)},
            )
        # Art. 19 GDPR: a request that changed data recipients hold is done only once they are told. There is no
        # way to record that telling one is impossible or disproportionate, so every open one must be ticked off.
        untold = [
            n.recipient.display_name
            for n in self.notifications.filter(notified_on__isnull=True).select_related("recipient")
        ]
        if untold:
            raise TransitionNotAllowed(
                ngettext_lazy(
                    "%(count)s recipient has not been informed yet (Art. 19 GDPR): %(names)s. Inform it and tick "
                    "it off before completing the request; the portal cannot record that informing a recipient "
                    "is impossible or involves disproportionate effort.",
                    "%(count)s recipients have not been informed yet (Art. 19 GDPR): %(names)s. Inform them and "
                    "tick them off before completing the request; the portal cannot record that informing a "
                    "recipient is impossible or involves disproportionate effort.",
                    "count",
                ),
                code="recipients_untold",
                params={"count": len(untold), "names": ", ".join(untold)},
            )
        self._move(self.State.COMPLETED)

    def reject(self, *, reason: str, reference: str = "") -> None:
        if reason not in RejectionReason.values:
            raise TransitionNotAllowed(_("Choose a reason for the rejection."), code="reason")
        if reason == RejectionReason.LEGAL_EXCEPTION and not reference.strip():
            raise TransitionNotAllowed(_("Name the legal exception the rejection rests on."), code="reference")
        limit = self._meta.get_field("rejection_reference").max_length
        if len(reference.strip()) > limit:
            raise TransitionNotAllowed(
                {
                    "rejection_reference": ValidationError(
                        _("The legal reference can have at most %(limit)s characters (it has %(length)s)."),
                        code="reference_length",
                        params={"limit": limit, "length": len(reference.strip())},
                    )
                }
            )
        if reason == RejectionReason.IDENTITY and self.identity_result == IdentityResult.VERIFIED:
            raise TransitionNotAllowed(_("The requester's identity has been verified."), code="identity")
        self._move(self.State.REJECTED)
        self.rejection_reason = reason
        self.rejection_reference = reference.strip()

    def withdraw(self) -> None:
        self._move(self.State.WITHDRAWN)

    def extend(self, *, reason: str, told_on: datetime.date, today: datetime.date | None = None) -> None:
        """Art. 12(3): two further months, with reasons, told to the person within the first month."""
        today = today or timezone.localdate()
        if not self.is_open:
            raise TransitionNotAllowed(_("A closed request cannot be extended."), code="closed")
        if self.is_extended:
            raise TransitionNotAllowed(_("The deadline has already been extended."), code="extended")
        if today > self.original_due_on:
            raise TransitionNotAllowed(
                _("The deadline can only be extended before it expires (it expired on %(due)s)."),
                code="too_late",
                params={"due": short_date(self.original_due_on)},
            )
        if not reason.strip():
            raise TransitionNotAllowed(_("Give the reasons for the extension."), code="no_reason")
        if told_on is None or told_on > today or told_on < self.received_on:
            raise TransitionNotAllowed(
                _("Enter when the requester was told of the extension (not in the future, not before receipt)."),
                code="told_on",
            )
        self.extended_at = timezone.now()
        self.extension_reason = reason.strip()
        self.extension_told_on = told_on
        self.due_on = response_due(self.received_on, extended=True)

    def kinds(self) -> list[str]:
        """The request types asked for (uses prefetched items)."""
        return [i.kind for i in self.items.all()]

    def has_kind(self, kind: RequestType) -> bool:
        return kind in self.kinds()
