"""The suppression list: salted hashes of addresses that must not be contacted again."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dpo_portal.models import ProcessingActivity


class SuppressionEntry(models.Model):
    """An e-mail address or phone number, kept only as HMAC-SHA256 with a secret salt.

    It outlives the person's data: after erasure nothing else remembers that this address
    asked never to be written to again, so a re-import of an old list is caught here.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail address")
        PHONE = "phone", _("phone number")

    class Reason(models.TextChoices):
        ERASURE = "erasure", _("erased (Art. 17 GDPR) – no contact at all")
        REQUEST = "request", _("asked not to be contacted – no contact at all")
        MARKETING_OBJECTION = "marketing_objection", _("objection to direct marketing (Art. 21(3) GDPR)")
        OBJECTION = "objection", _("objection to one processing activity (Art. 21(1) GDPR)")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    value_hash = models.CharField(_("hash"), max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    activity = models.ForeignKey(
        ProcessingActivity,
        verbose_name=_("processing activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for an objection to one processing activity."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Why, without personal data, e.g. the request number.")
    )
    # A plain id, not a foreign key: the entry must survive the data subject's deletion.
    subject_ref = models.BigIntegerField(_("data subject id"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppression list entry")
        verbose_name_plural = _("suppression list entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # may_contact(_many): "is any of these hashes suppressed?"
            models.Index(fields=["value_hash"], name="suppression_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["value_hash", "reason"], condition=Q(activity__isnull=True), name="suppression_unique_general"
            ),
            models.UniqueConstraint(
                fields=["value_hash", "reason", "activity"],
                condition=Q(activity__isnull=False),
                name="suppression_unique_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value_hash[:12]}…"

    def blocks(self, activity: ProcessingActivity) -> bool:
        """Whether this entry forbids contact for `activity`."""
        if self.reason in (self.Reason.ERASURE, self.Reason.REQUEST):
            return True
        if self.reason == self.Reason.MARKETING_OBJECTION:
            return activity.is_marketing
        return self.activity_id == activity.pk
