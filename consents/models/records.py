"""Proof of consent: who agreed to which text version, when, how, with what evidence, and what followed.

A consent record is a personal record of the data subject (category and activity
"consent-records"): it shows on the person's page, appears in the access report and falls
under the retention engine, which keeps the proof as long as claims can be made.
Its history is append-only: `ConsentEvent` rows are only ever added, and the three moments
of a consent (given, confirmed, withdrawn) are each set once, by a guarded transition.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from subjects.models import PersonalRecord

from .purposes import ConsentPurpose, ConsentText


class ConsentChannel(models.TextChoices):
    """How a declaration (consent, withdrawal, objection) reached the controller."""

    WEB_FORM = "web_form", _("web form")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    PAPER = "paper", _("paper")
    EVENT = "event", _("event")
    CHAT = "chat", _("chat")
    IN_PERSON = "in_person", _("in person")


# The words other apps use for the same channels (support requests say "letter").
CHANNEL_ALIASES = {"letter": ConsentChannel.PAPER}


# Where no double opt-in stands in, these channels need a reference to the proof itself:
# the signed form, the call note, the event's sign-up sheet.
CHANNELS_NEEDING_EVIDENCE = frozenset(
    {ConsentChannel.PHONE, ConsentChannel.PAPER, ConsentChannel.EVENT, ConsentChannel.CHAT, ConsentChannel.IN_PERSON}
)
# Declarations made electronically do not prove who owns the address: double opt-in does.
CHANNELS_NEEDING_CONFIRMATION = frozenset({ConsentChannel.WEB_FORM, ConsentChannel.EMAIL})


class ConsentStateError(Exception):
    """An illegal transition: confirming twice, withdrawing twice, confirming an expired token."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Consent(PersonalRecord):
    counts_as_contact = True  # subjects.last_contact
    default_category = "consent-records"
    default_activity = "consent-records"

    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("consent purpose"), on_delete=models.PROTECT, related_name="consents"
    )
    text = models.ForeignKey(
        ConsentText, verbose_name=_("text version"), on_delete=models.PROTECT, related_name="consents"
    )
    language = models.CharField(_("language of the text shown"), max_length=2, choices=settings.LANGUAGES, default="de")
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    given_at = models.DateTimeField(_("given"))
    origin = models.CharField(
        _("source (form, campaign or staff member)"),
        max_length=200,
        help_text=_("Which form or campaign collected it, or which staff member took it down."),
    )
    evidence = models.CharField(
        _("evidence"),
        max_length=300,
        blank=True,
        help_text=_("Reference to the proof: signed form, call note, sign-up sheet."),
    )
    email = models.CharField(
        _("e-mail address consented with"),
        max_length=254,
        blank=True,
        help_text=_("The address the double opt-in was sent to and that may be written to."),
    )
    ip_network = models.CharField(
        _("network of the IP address"), max_length=50, blank=True, help_text=_("Truncated: /24 (IPv4) or /48 (IPv6).")
    )
    needs_confirmation = models.BooleanField(_("double opt-in required"), default=False)
    doi_token_digest = models.CharField(_("double opt-in token (hash)"), max_length=64, blank=True, editable=False)
    doi_expires_at = models.DateTimeField(_("double opt-in expires"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_ip_network = models.CharField(_("network of the confirming IP address"), max_length=50, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_channel = models.CharField(_("withdrawn by"), max_length=10, choices=ConsentChannel.choices, blank=True)
    withdrawal_origin = models.CharField(_("withdrawal taken by"), max_length=200, blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        permissions = [("record_withdrawal", _("Can record a withdrawal of consent"))]
        indexes = [
            *PersonalRecord.Meta.indexes,  # the retention sweep's partial indexes
            # may_contact / may_contact_many (contact_sql, the consents part): the consents of
            # these subjects for this purpose. Covering, so that these are index-only scans that
            # never touch the wide consent rows (about 3 µs a person on the 1M benchmark).
            models.Index(
                fields=["purpose", "subject"],
                include=[
                    "email",
                    "withdrawn_at",
                    "needs_confirmation",
                    "confirmed_at",
                    "restricted_at",
                    "anonymised_at",
                ],
                name="consent_facts_idx",
            ),
            # may_contact by bare address and the API's withdrawal by address.
            models.Index(fields=["email", "purpose"], condition=~Q(email=""), name="consent_email_idx"),
            # eligible_audience and the re-consent report: the live consents of one purpose.
            models.Index(
                fields=["purpose", "subject"], condition=Q(withdrawn_at__isnull=True), name="consent_live_idx"
            ),
        ]
        constraints = [
            # consent_confirm finds the consent by the digest of the token in the link.
            models.UniqueConstraint(
                fields=["doi_token_digest"], condition=~Q(doi_token_digest=""), name="consent_unique_doi_token"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id and self.purpose.code} v{self.text_id and self.text.version}"

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # A consent's purpose ends with its withdrawal: the proof of it is kept from then (rule consent-evidence).
        if start_event == "end_of_purpose":
            return Coalesce("purpose_ended_on", TruncDate("withdrawn_at"), output_field=models.DateField())
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event == "end_of_purpose":
            return _("the withdrawal of the consent; never while it stands")
        return super().retention_start_note(start_event)

    # --- state -------------------------------------------------------------------------
    @property
    def status(self) -> str:
        if self.withdrawn_at:
            return "withdrawn"
        if self.needs_confirmation and not self.confirmed_at:
            return "expired" if self.doi_expired() else "unconfirmed"
        return "valid"

    def doi_expired(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.doi_expires_at is not None and at >= self.doi_expires_at

    def covered_at(self, moment: datetime.datetime) -> bool:
        """Whether processing at `moment` rested on this consent: after it was given (and confirmed),
        before it was withdrawn. A withdrawal never takes away what was covered before it."""
        if moment < self.given_at:
            return False
        if self.needs_confirmation and (self.confirmed_at is None or moment < self.confirmed_at):
            return False
        return self.withdrawn_at is None or moment < self.withdrawn_at

    # --- guarded transitions (the service persists them with a conditional UPDATE) --------
    def confirm(self, *, at: datetime.datetime) -> None:
        if not self.needs_confirmation:
            raise ConsentStateError("no_confirmation_needed", _("This consent needs no confirmation."))
        if self.confirmed_at is not None:
            raise ConsentStateError("already_confirmed", _("This consent has already been confirmed."))
        if self.withdrawn_at is not None:
            raise ConsentStateError("withdrawn", _("This consent has been withdrawn."))
        if self.doi_expired(at):
            raise ConsentStateError("token_expired", _("The confirmation link has expired. Please sign up again."))
        self.confirmed_at = at

    def withdraw(self, *, at: datetime.datetime, channel: str, origin: str) -> None:
        if self.withdrawn_at is not None:
            raise ConsentStateError("already_withdrawn", _("This consent has already been withdrawn."))
        if at < self.given_at:
            raise ConsentStateError("before_given", _("A consent cannot be withdrawn before it was given."))
        self.withdrawn_at = at
        self.withdrawal_channel = channel
        self.withdrawal_origin = origin

    def clean(self) -> None:
        super().clean()
        if self.text_id and self.purpose_id and self.text.purpose_id != self.purpose_id:
            raise ValidationError(
                {"text": ValidationError(_("This text belongs to another purpose."), code="unknown_version")}
            )
        if self.channel in CHANNELS_NEEDING_EVIDENCE and not self.evidence.strip():
            raise ValidationError(
                {
                    "evidence": ValidationError(
                        _("A consent by phone, on paper, by chat, in person or at an event needs evidence."),
                        code="missing_evidence",
                    )
                }
            )
        if not self.origin.strip():
            raise ValidationError(
                {"origin": ValidationError(_("Name the form, campaign or staff member."), code="missing_evidence")}
            )


class ConsentEvent(models.Model):
    """One step in a consent's life. Only ever added; never changed or deleted (Art. 7(1) GDPR)."""

    class Kind(models.TextChoices):
        GIVEN = "given", _("given")
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    consent = models.ForeignKey(Consent, verbose_name=_("consent"), on_delete=models.CASCADE, related_name="events")
    # Copied from the consent so the purpose chart counts events without a join.
    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("consent purpose"), on_delete=models.PROTECT, related_name="+"
    )
    # "event" here is what happened to the consent (Ereignis), not a seminar (the channel "event").
    kind = models.CharField(pgettext_lazy("consent history", "event"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices, blank=True)
    origin = models.CharField(_("source"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(pgettext_lazy("consent history", "recorded"), default=timezone.now)
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["at", "pk"]
        indexes = [
            # The purpose page's chart: events of one purpose by month and kind.
            models.Index(fields=["purpose", "at"], name="consentevent_purpose_at_idx"),
        ]

    def __str__(self) -> str:
        moment = date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{capfirst(self.get_kind_display())} {moment}"
