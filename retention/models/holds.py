"""Legal holds: data needed for legal claims, a tax audit or an authority is never touched by a sweep."""

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dpo_portal.models import DataCategory
from subjects.models import DataSubject

# No hold is planned to end after this year; a later date stands for "no end".
LATEST_END_YEAR = 2200
# A hold is placed when a claim, audit or request is in sight: a start further ahead than this is a typing error
# ("9999-12-31" meant for the end) and would leave the data unprotected until then.
MAX_START_DAYS_AHEAD = 365


class HoldReason(models.TextChoices):
    LEGAL_CLAIMS = "legal_claims", _("establishment, exercise or defence of legal claims (Art. 17(3)(e) GDPR)")
    TAX_AUDIT = "tax_audit", _("tax audit / suspended expiry of the assessment period (§ 171 AO)")
    LITIGATION = "litigation", _("pending litigation")
    AUTHORITY = "authority", _("request of an authority")


def record_kinds() -> models.QuerySet:
    """The kinds of record a hold may name: the kinds of personal record (sessions, users or the protocol are none)."""
    from subjects.selectors import record_models

    kinds = ContentType.objects.get_for_models(*record_models()).values()
    return ContentType.objects.filter(pk__in=[kind.pk for kind in kinds]).order_by("app_label", "model")


class LegalHoldQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        """Holds in force on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True, starts_on__lte=on).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on)
        )


class LegalHold(models.Model):
    """Keeps one data subject's data, one record, or a whole data category, whatever the deletion rules say."""

    subject = models.ForeignKey(
        DataSubject,
        verbose_name=_("data subject"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    category = models.ForeignKey(
        DataCategory, verbose_name=_("data category"), null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.CharField(
        _("reason"),
        max_length=20,
        choices=HoldReason.choices,
        # Said by field validation, not clean(): a form that already asked for the reason is not told twice.
        error_messages={"blank": _("State the reason for the legal hold.")},
    )
    reference = models.CharField(
        _("case reference"), max_length=200, blank=True, help_text=_("File number of the case, audit or request.")
    )
    note = models.TextField(_("note"), blank=True)
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: until lifted."))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="legalhold_record_idx")]
        constraints = [
            models.CheckConstraint(
                name="legal_hold_has_exactly_one_target",
                condition=(
                    models.Q(
                        subject__isnull=False, content_type__isnull=True, object_id__isnull=True, category__isnull=True
                    )
                    | models.Q(
                        subject__isnull=True, content_type__isnull=False, object_id__isnull=False, category__isnull=True
                    )
                    | models.Q(
                        subject__isnull=True, content_type__isnull=True, object_id__isnull=True, category__isnull=False
                    )
                ),
                # clean() leaves this rule to the constraint (it has no field to name), so full_clean and the
                # admin's form say it once, in words.
                violation_error_code="legal_hold_target",
                violation_error_message=_(
                    "A legal hold applies to exactly one data subject, one record or one data category."
                ),
            ),
            models.CheckConstraint(
                name="legal_hold_ends_after_it_starts",
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                violation_error_code="legal_hold_ends_before_start",
                violation_error_message=_("A legal hold cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{capfirst(self.get_reason_display())} – {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.subject_id:
            return str(_("data subject #%(id)s") % {"id": self.subject_id})
        if self.category_id:
            return str(self.category)
        if self.content_type_id:
            return f"{self.content_type.name} #{self.object_id}"
        return "—"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.lifted_at is None and self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def clean(self) -> None:
        """Names every problem at once, each at its field. That the hold has exactly one target is said by the
        `legal_hold_has_exactly_one_target` constraint, which full_clean and the admin's form check after this."""
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.content_type_id is not None:
            errors.update(self._record_errors())
        today = timezone.localdate()
        # Only when the hold is placed: its start is history afterwards, and its end may pass or be moved back
        # (LegalHoldForm asks first when that releases data).
        placing = self._state.adding
        latest_start = today + datetime.timedelta(days=MAX_START_DAYS_AHEAD)
        if placing and self.starts_on and self.starts_on > latest_start:
            errors["starts_on"] = ValidationError(
                _(
                    "A legal hold cannot start more than a year ahead (after %(day)s): until then it would protect "
                    "nothing. Place it from today, or when it is due."
                ),
                code="legal_hold_start_too_far",
                params={"day": date_format(latest_start, "SHORT_DATE_FORMAT")},
            )
        if self.ends_on and self.ends_on.year > LATEST_END_YEAR:
            # "9999-12-31" meant "no end": say so, instead of counting what it would release then.
            errors["ends_on"] = ValidationError(
                _("Leave the end empty for a hold without an end."), code="legal_hold_end_too_far"
            )
        elif self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ValidationError(
                _("A legal hold cannot end before it starts."), code="legal_hold_ends_before_start"
            )
        elif placing and self.ends_on and self.ends_on < today:
            errors["ends_on"] = ValidationError(
                _(
                    "A new legal hold cannot end before today (%(day)s): it would protect nothing. Enter today or a "
                    "later day, or leave the end empty."
                ),
                code="legal_hold_ended",
                params={"day": date_format(today, "SHORT_DATE_FORMAT")},
            )
        if errors:
            raise ValidationError(errors)

    def _record_errors(self) -> dict[str, ValidationError]:
        """What is wrong with the held record (a kind of record is chosen). The codes are our own: a form
        replaces a message whose code it knows ("required", "invalid") with its field's generic one."""
        from subjects.selectors import record_models

        # The kind first: without an id, "enter the id" would invite one for a kind that cannot be held.
        model = self.content_type.model_class()
        if model not in record_models():
            return {"content_type": ValidationError(_("Only personal records can be held."), code="not_personal")}
        if self.object_id is None:
            return {"object_id": ValidationError(_("Enter the id of the record to hold."), code="record_id_missing")}
        if not model._default_manager.filter(pk=self.object_id).exists():
            return {"object_id": ValidationError(_("There is no such record."), code="no_such_record")}
        return {}

    LIFT_FIELDS = ("ends_on", "lifted_at")  # what lift() changes

    def lift(self, *, on: datetime.date | None = None) -> None:
        """Ends the hold (guarded: a hold is lifted once)."""
        if self.lifted_at is not None:
            raise ValidationError(_("This legal hold has already been lifted."))
        on = on or timezone.localdate()
        self.ends_on = max(self.starts_on, on)
        self.lifted_at = timezone.now()
