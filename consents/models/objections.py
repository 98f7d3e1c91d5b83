"""Objections (Art. 21 GDPR) to processing on legitimate interest or for direct marketing."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dpo_portal.fields import EncryptedTextField
from dpo_portal.models import ProcessingActivity
from dpo_portal.models.bilingual import Written, in_active_language, in_both_languages
from subjects.models import PersonalRecord

from .records import ConsentChannel, ConsentStateError


class Objection(PersonalRecord):
    """A person's objection to one processing activity, and the DPO's decision on it.

    Kept as proof (category "consent-records", shared within the group as the policy allows).
    An objection to direct marketing is upheld the moment it is recorded (Art. 21(3)); any
    other waits for the DPO, who upholds it or records the compelling legitimate grounds
    that override it (Art. 21(1)).
    """

    default_category = "consent-records"
    default_activity = "consent-records"

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        UPHELD = "upheld", _("upheld")
        REJECTED = "rejected", _("rejected (compelling legitimate grounds)")

    objected_activity = models.ForeignKey(
        ProcessingActivity,
        verbose_name=_("processing objected to"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    is_marketing = models.BooleanField(_("direct marketing"), default=False, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    received_at = models.DateTimeField(_("received"))
    # The person's grounds "relating to his or her particular situation" can be sensitive.
    note = EncryptedTextField(_("grounds given by the person"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    reasons = models.TextField(_("reasons for the decision"), blank=True)
    # The portal's own reasons (a marketing objection upheld at once) in English too; the DPO's as written.
    reasons_en = models.TextField(_("reasons for the decision (English)"), blank=True, editable=False)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_at", "-pk"]
        permissions = [("decide_objection", _("Can decide on an objection"))]
        indexes = [
            *PersonalRecord.Meta.indexes,  # the retention sweep's partial indexes
            # may_contact: "does this person object to this activity (or to direct marketing)?"
            models.Index(
                fields=["subject", "objected_activity"], condition=~Q(status="rejected"), name="objection_live_idx"
            ),
            # The DPO's queue of objections to decide.
            models.Index(fields=["received_at"], condition=Q(status="pending"), name="objection_pending_idx"),
        ]

    def __str__(self) -> str:
        # Named by the activity's name in the page's language (the page heading, the admin's messages); Django's
        # admin history names objections by id (audit.admin_log), so no name reaches django_admin_log.
        activity = self.objected_activity.name if self.objected_activity_id else "—"
        return f"{activity} ({self.get_status_display()})"

    @classmethod
    def check_new(cls, *, subject, objected_activity: ProcessingActivity) -> None:
        """Raises ValidationError unless `subject` can object to `objected_activity` now: an erased person has no
        data left to object to, and while an objection of theirs to it is pending or upheld, a second one would
        only be decided twice."""
        if subject.erased_at is not None:
            raise ValidationError(
                {"subject": ValidationError(_("This data subject has been erased."), code="subject_erased")}
            )
        if cls.live_for(subject=subject, objected_activity=objected_activity) is not None:
            raise ValidationError(
                {
                    "objected_activity": ValidationError(
                        _("This data subject's objection to this processing is already pending or upheld."),
                        code="objection_exists",
                    )
                }
            )

    @classmethod
    def live_for(cls, *, subject, objected_activity: ProcessingActivity) -> "Objection | None":
        """The person's objection to this processing that is pending or upheld, if any (at most one: check_new)."""
        return (
            cls.objects.filter(
                subject=subject,
                objected_activity=objected_activity,
                status__in=[cls.Status.PENDING, cls.Status.UPHELD],
            )
            .order_by("pk")
            .first()
        )

    @staticmethod
    def marketing_reasons() -> str:
        """The reasons the portal gives for a marketing objection, upheld as it is recorded (in the active language)."""
        return gettext("Objection to direct marketing (Art. 21(3) GDPR).")

    @property
    def reasons_shown(self) -> str:
        """The reasons in the active language (as written where there is no English version)."""
        return in_active_language(self.reasons, self.reasons_en)

    def uphold(self, *, at: datetime.datetime, by: str, reasons: Written) -> None:
        if self.status != self.Status.PENDING:
            raise ConsentStateError("already_decided", _("This objection has already been decided."))
        self.status = self.Status.UPHELD
        self.decided_at, self.decided_by = at, by
        self.reasons, self.reasons_en = in_both_languages(reasons)

    def reject(self, *, at: datetime.datetime, by: str, reasons: str) -> None:
        if self.status != self.Status.PENDING:
            raise ConsentStateError("already_decided", _("This objection has already been decided."))
        if self.is_marketing:
            raise ConsentStateError(
                "marketing_absolute", _("An objection to direct marketing cannot be rejected (Art. 21(3) GDPR).")
            )
        if not reasons.strip():
            raise ConsentStateError(
                "reasons_required", _("State the compelling legitimate grounds that override the objection.")
            )
        self.status = self.Status.REJECTED
        self.decided_at, self.decided_by, self.reasons, self.reasons_en = at, by, reasons, ""
