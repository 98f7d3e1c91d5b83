"""What a request asks for (one item per right) and how each was fulfilled."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from dpo_portal.models.bilingual import in_active_language, localized
from subjects.models import RestrictionGround

from .choices import ART18_GROUND_CHOICES, Channel, CopyRecipient, ExportFormat, RequestType


class RequestItem(models.Model):
    """One right invoked in a request, with the details that right needs."""

    class Outcome(models.TextChoices):
        OPEN = "", _("open")
        FULFILLED = "fulfilled", _("fulfilled")
        UPHELD = "upheld", _("objection upheld")
        DISMISSED = "dismissed", _("objection rejected (compelling legitimate grounds)")
        NOT_POSSIBLE = "not_possible", _("not possible (see note)")

    request = models.ForeignKey(
        "requests_app.DataSubjectRequest", verbose_name=_("request"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("type"), max_length=30, choices=RequestType.choices, db_index=True)
    # Copy / portability
    export_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices, blank=True)
    copy_recipient = models.CharField(_("send the copy to"), max_length=12, choices=CopyRecipient.choices, blank=True)
    copy_recipient_name = models.CharField(_("named controller"), max_length=200, blank=True)
    # Restriction
    restriction_ground = models.CharField(
        _("ground for restriction"), max_length=20, choices=ART18_GROUND_CHOICES, blank=True
    )
    # Objection
    activity = models.ForeignKey(
        "dpo_portal.ProcessingActivity",
        verbose_name=_("processing activity objected to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Consent withdrawal
    purpose_code = models.CharField(_("consent purpose"), max_length=60, blank=True)
    details = models.TextField(_("details"), blank=True, help_text=_("E.g. which data is wrong and how."))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome, details"), blank=True)
    # The portal's own notes (e.g. a marketing objection effective at once) in English too; the DPO's as written.
    outcome_note_en = models.TextField(_("outcome, details (English)"), blank=True, editable=False)
    # What fulfilment produced, for the answer letter (e.g. what an erasure kept, why, until when).
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)
    done_at = models.DateTimeField(_("done"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("requested right")
        verbose_name_plural = _("requested rights")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @classmethod
    def for_objection(cls, objection_id: int) -> "RequestItem | None":
        """The request line through which objection `objection_id` came in, open or decided, if any (one query)."""
        lines = cls.objects.filter(kind=RequestType.OBJECTION, result__objection_id=objection_id)
        return lines.select_related("request").first()

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == RequestType.COPY:
            if not self.export_format:
                errors["export_format"] = _("Choose the format of the copy.")
            if not self.copy_recipient:
                errors["copy_recipient"] = _("Choose who receives the copy.")
            elif self.copy_recipient == CopyRecipient.CONTROLLER and not self.copy_recipient_name.strip():
                errors["copy_recipient_name"] = _("Name the controller who receives the copy.")
        if self.kind == RequestType.RECTIFICATION and not self.details.strip():
            errors["details"] = ValidationError(
                _("Say which data is inaccurate and how it should be corrected."), code="rectification_details"
            )
        if self.kind == RequestType.RESTRICTION and self.restriction_ground not in dict(ART18_GROUND_CHOICES):
            errors["restriction_ground"] = _("Choose the ground for restriction (Art. 18(1) GDPR).")
        if self.kind == RequestType.OBJECTION and self.activity_id is None:
            errors["activity"] = _("Choose the processing activity objected to.")
        if self.kind == RequestType.CONSENT_WITHDRAWAL and not self.purpose_code.strip():
            errors["purpose_code"] = _("Choose the consent purpose withdrawn.")
        if errors:
            raise ValidationError(errors)

    @property
    def outcome_note_shown(self) -> str:
        """The note in the active language (as written where there is no English version)."""
        return in_active_language(self.outcome_note, self.outcome_note_en)

    @property
    def purpose_name(self) -> str:
        """The consent purpose's name in the active language, where the query brought the names
        (selectors.with_purpose_names); else, or for a purpose no longer known, its code."""
        if getattr(self, "purpose_name_de", None):
            return localized(self, "purpose_name")
        return self.purpose_code

    @property
    def restriction_ground_label(self) -> str:
        return RestrictionGround(self.restriction_ground).label if self.restriction_ground else ""


EVIDENCE_DIR = "requests/evidence"


def evidence_file_name(instance, filename: str) -> str:
    """Where an uploaded e-mail is stored: a random name, so that the uploader's file name (often the person's
    name) is in no path or log, always ending in .eml, whatever the upload was called."""
    return f"{EVIDENCE_DIR}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class TimelineEntry(models.Model):
    """The request's history: notes, messages to and from the person, letters, state changes. Append-only."""

    class Kind(models.TextChoices):
        NOTE = "note", _("internal note")
        MESSAGE_IN = "in", _("message from the requester")
        MESSAGE_OUT = "out", _("message to the requester")
        LETTER = "letter", _("letter to the requester")
        STATE = "state", _("state changed")
        FULFILMENT = "fulfilment", _("fulfilment")

    request = models.ForeignKey(
        "requests_app.DataSubjectRequest", verbose_name=_("request"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        "auth.User", verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True, choices=Channel.choices)
    title = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    # What the portal writes itself (a state change, a letter issued) is written in German and in English, read in
    # the reader's language; what people write (notes, messages) has no English version and reads as written.
    title_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    attachment = models.FileField(_("evidence"), upload_to=evidence_file_name, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{date_format(timezone.localtime(self.at), 'SHORT_DATETIME_FORMAT')} {self.get_kind_display()}"

    @property
    def title_shown(self) -> str:
        """The subject in the active language (as written where there is no English version)."""
        return in_active_language(self.title, self.title_en)

    @property
    def text_shown(self) -> str:
        """The text in the active language (as written where there is no English version)."""
        return in_active_language(self.text, self.text_en)

    @property
    def audit_subject_id(self):
        return self.request.subject_id


class RecipientNotification(models.Model):
    """Art. 19 GDPR: a recipient to be told of a rectification, erasure or restriction, and when it was."""

    request = models.ForeignKey(
        "requests_app.DataSubjectRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient = models.ForeignKey(
        "dpo_portal.Recipient", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("because of"), max_length=30, choices=RequestType.choices)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    notified_by = models.ForeignKey(
        "auth.User", verbose_name=_("notified by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification of a recipient (Art. 19 GDPR)")
        verbose_name_plural = _("notifications of recipients (Art. 19 GDPR)")
        ordering = ["request", "recipient__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "recipient", "kind"], name="one_notification_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.recipient.display_name} ({self.get_kind_display()})"

    @property
    def audit_subject_id(self):
        return self.request.subject_id
