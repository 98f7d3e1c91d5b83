"""Data subjects and everything held about them (sections B and C of the privacy policy).

Every record knows its data subject, its processing activity, its data category and
the dates the retention engine keys on (collected, contract end, last contact).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from dpo_portal.fields import EncryptedTextField, UnreadableValue
from dpo_portal.models import DataCategory, ProcessingActivity

from .validators import (
    normalise_iban,
    normalise_phone,
    plausible_date_errors,
    validate_not_future,
    validate_plausible_birth_date,
)


class Source(models.TextChoices):
    WEB_FORM = "web_form", _("web form")
    ORDER = "order", _("order or registration form")
    EVENT = "event", _("event registration")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    CHAT = "chat", _("chat")
    SURVEY = "survey", _("survey")
    TRACKING = "tracking", _("website tracking")
    DERIVED = "derived", _("derived from earlier interactions")
    IMPORT = "import", _("import")


class RestrictionGround(models.TextChoices):
    """Why processing is restricted: the four grounds of Art. 18(1) and a statutory retention duty (Art. 17(3)(b))."""

    ACCURACY_CONTESTED = "accuracy", _("accuracy contested (Art. 18(1)(a) GDPR)")
    UNLAWFUL = "unlawful", _("unlawful processing, erasure refused (Art. 18(1)(b) GDPR)")
    LEGAL_CLAIMS = "legal_claims", _("needed by the data subject for legal claims (Art. 18(1)(c) GDPR)")
    OBJECTION_PENDING = "objection", _("objection pending (Art. 18(1)(d) GDPR)")
    RETENTION_DUTY = "retention", _("statutory retention duty (Art. 17(3)(b) GDPR)")
    LEGAL_HOLD = "legal_hold", _("legal hold: the controller's legal claims (Art. 17(3)(e) GDPR)")


# Restrictions the data subject asked for in order to keep the data (Art. 18(1)(b): instead of erasure;
# (c): for their own legal claims). Like a legal hold, they keep it past its period until they are lifted.
KEPT_FOR_THE_SUBJECT = (RestrictionGround.UNLAWFUL, RestrictionGround.LEGAL_CLAIMS)


# German salutations as an English letter writes them (DataSubject.name_in).
ENGLISH_SALUTATIONS = {"frau": "Ms", "herr": "Mr", "divers": ""}


class DataSubject(models.Model):
    """A person whose data the controller holds; identity data lives here, everything else in records."""

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    class Gender(models.TextChoices):
        UNKNOWN = "", _("not stated")
        FEMALE = "f", _("female")
        MALE = "m", _("male")
        DIVERSE = "d", _("diverse")

    customer_number = models.CharField(_("customer number"), max_length=30, unique=True, null=True, blank=True)
    salutation = models.CharField(_("salutation"), max_length=30, blank=True)
    title = models.CharField(_("academic title"), max_length=50, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True, validators=[validate_plausible_birth_date])
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    country = CountryField(_("country"), blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title or role"), max_length=200, blank=True)
    language = models.CharField(
        _("correspondence language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ORDER)
    is_blocked = models.BooleanField(
        _("blocked"),
        default=False,
        db_index=True,
        help_text=_("Access blocked after a possible sanctions list match, until identity is verified."),
    )
    blocked_reason = models.CharField(_("reason for the block"), max_length=200, blank=True)
    # Written by the screening jobs (like the block): proof, per person, that screening ran, which runs and cases
    # alone do not give (a run counts people, a case exists only for a possible match).
    screened_at = models.DateTimeField(
        _("last sanctions screening"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the person was last screened against the active sanctions lists."),
    )
    restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    restriction_ground = models.CharField(
        _("ground for restriction"), max_length=20, choices=RestrictionGround.choices, blank=True
    )
    erased_at = models.DateTimeField(
        _("erased"), null=True, blank=True, help_text=_("Identity data anonymised after erasure.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="subject_name_idx")]
        permissions = [
            ("view_special_category", _("Can see special categories of personal data (health data)")),
            ("view_payment_data", _("Can see payment data")),
        ]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        label = f"{name} ({self.customer_number})" if self.customer_number else name
        # Wherever a person appears (lists, records, requests, cases), a block shows with the name.
        return f"⛔ {label} – {_('blocked')}" if self.is_blocked else label

    @property
    def audit_subject_id(self) -> int | None:
        return self.pk

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.salutation, self.title, self.first_name, self.last_name) if p)

    def name_in(self, language: str) -> str:
        """The full name as a letter in `language` writes it: the salutation is stored as typed, mostly in German
        ("Frau", "Herr"), which an English letter writes "Ms", "Mr"."""
        salutation = self.salutation
        if language == "en":
            salutation = ENGLISH_SALUTATIONS.get(salutation.strip().lower(), salutation)
        return " ".join(p for p in (salutation, self.title, self.first_name, self.last_name) if p)

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None


class PersonalRecordQuerySet(models.QuerySet):
    def processable(self):
        """What may still be processed: restricted data is stored, not processed (Art. 18(2) GDPR)."""
        return self.filter(restricted_at__isnull=True, subject__restricted_at__isnull=True)

    def restricted(self):
        return self.filter(restricted_at__isnull=False)


class PersonalRecord(models.Model):
    """Base of every kind of personal data held about a data subject.

    The retention engine (the `retention` app) registers every record: it stores the date of
    the start event its category's deletion rule counts from and the first day on which the
    record may be deleted, and its nightly sweep deletes, anonymises or restricts what is due.
    """

    # Which data category and processing activity a concrete record belongs to by default.
    default_category: str = ""
    default_activity: str = ""
    # The fields that hold personal data, overwritten when the record is anonymised; everything
    # else (dates, amounts, course, campaign, ...) stays for statistics. None: every free-text
    # field counts as personal. A record whose required foreign key leads to another personal
    # record cannot be made anonymous and is deleted instead.
    anonymise_fields: tuple[str, ...] | None = None
    # Whether a data subject's request acts on this kind: access report, copy, rectification, restriction,
    # erasure, end of purpose. The file of a request itself does not: it is the controller's proof of how
    # the request was handled (Art. 5(2), 17(3)(e) GDPR) and ends under its own deletion rule alone.
    subject_rights: bool = True

    subject = models.ForeignKey(
        DataSubject,
        verbose_name=_("data subject"),
        on_delete=models.CASCADE,
        # Empty only once the record is anonymised: anonymous data belongs to nobody.
        null=True,
    )
    activity = models.ForeignKey(
        ProcessingActivity, verbose_name=_("processing activity"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        DataCategory, verbose_name=_("data category"), on_delete=models.PROTECT, related_name="+"
    )
    collected_on = models.DateField(_("collected on"), default=timezone.localdate, validators=[validate_not_future])
    contract_end = models.DateField(_("end of contract or customer relationship"), null=True, blank=True)
    last_contact = models.DateField(_("last contact"), null=True, blank=True, validators=[validate_not_future])
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.ORDER)
    restricted_at = models.DateTimeField(_("restricted since"), null=True, blank=True)
    restriction_ground = models.CharField(
        _("ground for restriction"), max_length=20, choices=RestrictionGround.choices, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # Retention: written only by retention.services, hence not editable in forms.
    purpose_ended_on = models.DateField(
        _("purpose ended on"),
        null=True,
        editable=False,
        help_text=_("Consent withdrawn, objection upheld or erasure requested."),
    )
    retention_start = models.DateField(
        _("retention period starts with"),
        null=True,
        editable=False,
        help_text=_("Date of the start event of the deletion rule; empty while the event has not happened."),
    )
    deletable_from = models.DateField(_("deletable from"), null=True, editable=False)
    retention_computed_at = models.DateTimeField(
        _("deletion date computed"),
        null=True,
        editable=False,
        help_text=_("Empty: not yet registered with the retention engine, or its start event changed."),
    )
    # Set and cleared inside one sweep batch transaction: the batch's handle on the rows it claimed.
    retention_claim = models.UUIDField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonalRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-collected_on", "-pk"]
        # Subclasses that declare their own indexes must include these: [*PersonalRecord.Meta.indexes, ...].
        indexes = [
            # retention_sweep (retention.sweep): what is due, per category, not yet anonymised.
            models.Index(
                fields=["category", "deletable_from"],
                name="%(class)s_due",
                condition=models.Q(deletable_from__isnull=False, anonymised_at__isnull=True),
            ),
            # retention_sweep: records whose purpose ended and that still await restriction.
            models.Index(
                fields=["purpose_ended_on"],
                name="%(class)s_pend",
                condition=models.Q(purpose_ended_on__isnull=False, restricted_at__isnull=True),
            ),
            # retention_sweep: the rows one batch claimed (present only inside a batch's transaction).
            models.Index(
                fields=["retention_claim"],
                name="%(class)s_claim",
                condition=models.Q(retention_claim__isnull=False),
            ),
            # retention_sweep: records whose start event had not happened (has it now?).
            models.Index(
                fields=["category"], name="%(class)s_nostart", condition=models.Q(retention_start__isnull=True)
            ),
            # retention_sweep: records not yet registered (created by bulk_create, admin, imports).
            models.Index(fields=["id"], name="%(class)s_unreg", condition=models.Q(retention_computed_at=None)),
        ]

    # Whether the date of a rule's start event can change without this row changing (see ContactDetail).
    start_follows_other_records = False
    # Whether the record is a relationship that still runs, so its period has not started (see Order).
    is_running = False
    # Whether a record of this kind is contact with the person (subjects.last_contact): registering one checks the
    # person's contact details again the same night, before the record itself may be deleted by its own rule.
    counts_as_contact = False

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    @classmethod
    def retention_start_expression(cls, start_event: str):
        """The SQL expression for the date of `start_event` (a retention.models.StartEvent value).

        Kinds of record with their own dates override this (an event registration's purpose
        ends with the event).
        """
        return {
            "collection": F("collected_on"),
            "contract_end": F("contract_end"),
            "last_contact": Coalesce("last_contact", "collected_on"),
            "end_of_purpose": F("purpose_ended_on"),
        }[start_event]

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        """How this kind reads `start_event` where it differs from the record's own date of that event (the
        deletion concept prints it beside the rule); "" where it does not. Kept beside the expression it explains."""
        return ""

    def default_codes(self) -> tuple[str, str]:
        """(processing activity code, data category code) a new record of this kind belongs to."""
        return self.default_activity, self.default_category

    def clean_fields(self, exclude=None) -> None:
        # Checked here rather than in clean(): a form validates only the fields it shows (`exclude` names the others),
        # and an error on a field the form lacks would be a 500 instead of a message. No field validators: no migration.
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        skip = {*(exclude or ()), *errors}
        for name, error in plausible_date_errors(self, exclude=skip).items():
            errors[name] = [error]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        super().clean()
        if self.contract_end and self.collected_on and self.contract_end < self.collected_on:
            raise ValidationError({"contract_end": _("The contract cannot end before the data was collected.")})


class ContactDetail:
    """E-mail addresses, phone numbers and postal addresses: their "last contact" is the person's
    (subjects.last_contact), not the last time this one detail was used."""

    # Their start event moves with the person's other records, not with their own row: the nightly registration
    # checks them again before they come due, not only once they are (retention.registration).
    start_follows_other_records = True

    @classmethod
    def retention_start_expression(cls, start_event: str):
        if start_event == "last_contact":
            from .last_contact import person_last_contact

            return person_last_contact()
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event == "last_contact":
            return _(
                "the person's last contact across all their records (orders and contracts, messages from them, "
                "events, surveys, courses, consents, requests); never while a contract, subscription or consent runs"
            )
        return super().retention_start_note(start_event)


class EmailAddress(ContactDetail, PersonalRecord):
    default_category = "contact"
    default_activity = "order-processing"
    anonymise_fields = ("email",)

    email = models.EmailField(_("e-mail address"))
    is_primary = models.BooleanField(_("primary"), default=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        indexes = [*PersonalRecord.Meta.indexes, models.Index(fields=["email"], name="emailaddress_email_idx")]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        # Lower-cased so that look-ups and the suppression list hash agree.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class PhoneNumber(ContactDetail, PersonalRecord):
    default_category = "contact"
    default_activity = "order-processing"
    anonymise_fields = ("number",)

    class Kind(models.TextChoices):
        LANDLINE = "landline", _("landline")
        MOBILE = "mobile", _("mobile")
        FAX = "fax", _("fax")

    number = models.CharField(_("phone number"), max_length=20, help_text=_("Stored in international format (E.164)."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LANDLINE)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        indexes = [*PersonalRecord.Meta.indexes, models.Index(fields=["number"], name="phonenumber_number_idx")]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        try:
            self.number = normalise_phone(self.number)
        except ValidationError as exc:
            raise ValidationError({"number": exc.messages}) from None


class PostalAddress(ContactDetail, PersonalRecord):
    default_category = "contact"
    default_activity = "order-processing"
    anonymise_fields = ("street", "postal_code", "city")

    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"), default="DE")

    class Meta(PersonalRecord.Meta):
        verbose_name = _("postal address")
        verbose_name_plural = _("postal addresses")

    def __str__(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


class Order(PersonalRecord):
    counts_as_contact = True
    default_category = "order"
    default_activity = "order-processing"
    anonymise_fields = ("number",)

    class Kind(models.TextChoices):
        ORDER = "order", _("order")
        CONTRACT = "contract", _("contract")
        SUBSCRIPTION = "subscription", _("subscription")

    number = models.CharField(_("order number"), max_length=40, unique=True)
    # Kinds that run until they end; a running one has no contract_end yet (and is no anonymous copy).
    RUNNING_KINDS = (Kind.CONTRACT, Kind.SUBSCRIPTION)
    RUNNING = Q(kind__in=RUNNING_KINDS, contract_end=None, anonymised_at=None)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ORDER)
    ordered_on = models.DateField(_("ordered on"), validators=[validate_not_future])
    description = models.CharField(_("goods or services"), max_length=300)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    supplier = models.ForeignKey(
        "dpo_portal.Recipient",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("When the order was passed to a supplier (a transfer, section C of the privacy policy)."),
    )

    class Meta(PersonalRecord.Meta):
        verbose_name = _("order or contract")
        verbose_name_plural = _("orders and contracts")

    def __str__(self) -> str:
        return self.number

    @property
    def is_running(self) -> bool:
        return self.kind in self.RUNNING_KINDS and self.contract_end is None and self.anonymised_at is None

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # A contract or subscription is a booking document until it ends (its last invoice): counted from its
        # collection, a running contract would be made anonymous while it still runs (Art. 6(1)(b) GDPR).
        if start_event == "collection":
            return Case(
                When(kind__in=cls.RUNNING_KINDS, then=F("contract_end")),
                default=F("collected_on"),
                output_field=models.DateField(),
            )
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event == "collection":
            return _("contracts and subscriptions count from their end, never while they run")
        return super().retention_start_note(start_event)


class PaymentMethod(PersonalRecord):
    """Card numbers are kept only masked; a bank account (for direct debit) is encrypted at rest."""

    default_category = "payment"
    default_activity = "order-processing"
    anonymise_fields = ("masked", "account_holder", "iban")

    class Kind(models.TextChoices):
        CARD = "card", _("credit card")
        SEPA = "sepa", _("bank account (SEPA direct debit)")
        INVOICE = "invoice", _("invoice")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    masked = models.CharField(_("masked number"), max_length=40, help_text=_("E.g. •••• 4242 or DE89 •••• 3000."))
    account_holder = EncryptedTextField(_("account holder (encrypted)"), blank=True)
    iban = EncryptedTextField(_("IBAN (encrypted)"), blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("payment data")
        verbose_name_plural = _("payment data")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"

    def clean(self) -> None:
        super().clean()
        # An unreadable value (its key not configured) is kept as it is, not checked: the form showed a placeholder.
        if self.iban and not isinstance(self.iban, UnreadableValue):
            try:
                self.iban = normalise_iban(self.iban)
            except ValidationError as exc:
                raise ValidationError({"iban": exc.messages}) from None


class Communication(PersonalRecord):
    counts_as_contact = True
    default_category = "support-communication"
    default_activity = "customer-support"
    anonymise_fields = ("subject_line", "body")

    class Channel(models.TextChoices):
        CHAT = "chat", _("chat")
        CONTACT_FORM = "contact_form", _("contact form")
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("phone call")

    class Direction(models.TextChoices):
        INBOUND = "in", _("from the person")
        OUTBOUND = "out", _("to the person")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    occurred_at = models.DateTimeField(_("time"), validators=[validate_not_future])
    subject_line = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("content or call notes"), blank=True)
    is_recording = models.BooleanField(
        _("recorded"), default=False, help_text=_("A recording of the call or chat for quality purposes.")
    )
    recording_notice = models.CharField(
        _("notice given before recording"),
        max_length=300,
        blank=True,
        help_text=_("What the person was told, before the recording began."),
    )

    class Meta(PersonalRecord.Meta):
        verbose_name = _("communication")
        verbose_name_plural = _("communications")

    def __str__(self) -> str:
        day = date_format(timezone.localtime(self.occurred_at), "SHORT_DATE_FORMAT")
        return f"{capfirst(self.get_channel_display())} {day}"

    def default_codes(self) -> tuple[str, str]:
        if self.is_recording:
            return "call-chat-recording", "recording"
        if self.channel == self.Channel.EMAIL:
            return "customer-support", "business-correspondence"
        return "customer-support", "support-communication"

    def clean(self) -> None:
        super().clean()
        if self.is_recording and not self.recording_notice.strip():
            raise ValidationError(
                {"recording_notice": _("A recording needs the notice that was given before it began.")}
            )


class EventRegistration(PersonalRecord):
    counts_as_contact = True
    default_category = "event"
    default_activity = "event-management"
    anonymise_fields = ()

    event_name = models.CharField(_("event"), max_length=200)
    event_date = models.DateField(_("event date"))
    attended = models.BooleanField(_("attended"), default=False)
    share_with_participants = models.BooleanField(_("participant data shared with other participants"), default=False)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")

    def __str__(self) -> str:
        return f"{self.event_name} ({date_format(self.event_date, 'SHORT_DATE_FORMAT')})"

    def clean(self) -> None:
        super().clean()
        from .consent_gates import PARTICIPANT_SHARING_GATE, allowed

        if self.share_with_participants and not allowed(PARTICIPANT_SHARING_GATE, self.subject_id):
            raise ValidationError(
                {
                    "share_with_participants": _(
                        "Participant data is shared only with the person's consent: record the consent to sharing "
                        "with other participants first."
                    )
                }
            )

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # The registration's purpose ends with the event, unless it ended earlier (consent withdrawn).
        if start_event == "end_of_purpose":
            return Coalesce("purpose_ended_on", "event_date")
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event == "end_of_purpose":
            return _("the day of the event, or the withdrawal of the consent if that came first")
        return super().retention_start_note(start_event)


class EventHealthData(PersonalRecord):
    """Health data for an event (Art. 9 GDPR, explicit consent): encrypted, shown to the DPO role only."""

    default_category = "health"
    default_activity = "event-health-data"
    anonymise_fields = ("accessibility_needs", "dietary_needs")

    registration = models.ForeignKey(EventRegistration, verbose_name=_("event registration"), on_delete=models.CASCADE)
    accessibility_needs = EncryptedTextField(_("disabilities / accessibility needs"), blank=True)
    dietary_needs = EncryptedTextField(_("dietary requirements"), blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("health data for an event")
        verbose_name_plural = _("health data for events")

    def __str__(self) -> str:
        return str(capfirst(_("health data for an event")))

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # Health data is needed only for the event it was given for.
        if start_event == "end_of_purpose":
            event_date = EventRegistration.objects.filter(pk=OuterRef("registration_id")).values("event_date")[:1]
            return Coalesce("purpose_ended_on", Subquery(event_date))
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        return EventRegistration.retention_start_note(start_event) or super().retention_start_note(start_event)

    def clean(self) -> None:
        super().clean()
        if not (self.accessibility_needs or "").strip() and not (self.dietary_needs or "").strip():
            raise ValidationError(_("Enter accessibility needs or dietary requirements."))


class TrainingProgress(PersonalRecord):
    counts_as_contact = True
    default_category = "learning"
    default_activity = "learning-progress"
    anonymise_fields = ()

    course = models.CharField(_("course"), max_length=200)
    started_on = models.DateField(_("started on"))
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("training progress")
        verbose_name_plural = _("training progress")

    def __str__(self) -> str:
        return f"{self.course} {self.progress_percent}%"

    def clean(self) -> None:
        super().clean()
        if self.progress_percent > 100:
            raise ValidationError({"progress_percent": _("Progress cannot exceed 100 %.")})


class SurveyAnswer(PersonalRecord):
    counts_as_contact = True
    default_category = "survey"
    default_activity = "surveys"
    anonymise_fields = ("answers",)

    survey = models.CharField(_("survey"), max_length=200)
    submitted_on = models.DateField(_("submitted on"))
    answers = models.TextField(_("answers"))

    class Meta(PersonalRecord.Meta):
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return self.survey


class InteractionProfile(PersonalRecord):
    """The marketing interaction profile (section C: product news), one per data subject."""

    default_category = "interaction-profile"
    default_activity = "product-news"
    anonymise_fields = ("purchases", "events_attended", "web_usage", "interests")

    purchases = models.TextField(_("earlier purchases"), blank=True)
    events_attended = models.TextField(_("webinars, seminars and events attended"), blank=True)
    web_usage = models.TextField(_("use of (web) services"), blank=True)
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    industry = models.CharField(_("employer's industry"), max_length=100, blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("interaction profile")
        verbose_name_plural = _("interaction profiles")
        constraints = [models.UniqueConstraint(fields=["subject"], name="one_interaction_profile_per_subject")]

    def __str__(self) -> str:
        return str(capfirst(_("interaction profile")))


class AdConversion(PersonalRecord):
    """A Google Ads conversion (section C: cookie valid 30 days, then deleted)."""

    default_category = "ad-conversion"
    default_activity = "google-ads-conversion"
    anonymise_fields = ("click_id", "landing_page")

    click_id = models.CharField(_("click id (gclid)"), max_length=200)
    campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    clicked_at = models.DateTimeField(_("ad clicked"), validators=[validate_not_future])
    converted_at = models.DateTimeField(_("conversion"), null=True, blank=True)
    landing_page = models.CharField(_("conversion page"), max_length=300, blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("ad conversion")
        verbose_name_plural = _("ad conversions")

    def __str__(self) -> str:
        return self.campaign or self.click_id[:12]


# Every kind of record, in the order a data subject's page and the access report show them.
RECORD_MODELS: tuple[type[PersonalRecord], ...] = (
    EmailAddress,
    PhoneNumber,
    PostalAddress,
    Order,
    PaymentMethod,
    Communication,
    EventRegistration,
    EventHealthData,
    TrainingProgress,
    SurveyAnswer,
    InteractionProfile,
    AdConversion,
)
