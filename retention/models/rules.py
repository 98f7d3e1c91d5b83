"""Deletion rules after DIN 66398 / ISO/IEC 27555: per data category, a start event, a period and an action."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from audit.context import SYSTEM
from dpo_portal.models import DataCategory
from dpo_portal.models.bilingual import localized

from .. import periods


class StartEvent(models.TextChoices):
    """The event a retention period counts from (DIN 66398: "Startzeitpunkt")."""

    COLLECTION = "collection", _("collection of the data")
    CONTRACT_END = "contract_end", _("end of the contract or customer relationship")
    LAST_CONTACT = "last_contact", _("last contact")
    END_OF_PURPOSE = "end_of_purpose", _("end of purpose (consent withdrawn, objection upheld, erasure requested)")


# How a period counts from its start event: (from the event, from the end of its year, immediately after it).
# Whole phrases, so that each language can decline the event as its grammar needs.
START_PHRASES = {
    StartEvent.COLLECTION: (
        _("from the collection"),
        _("from the end of the calendar year of the collection"),
        _("immediately after the collection"),
    ),
    StartEvent.CONTRACT_END: (
        _("from the end of the contract"),
        _("from the end of the calendar year in which the contract ended"),
        _("immediately after the end of the contract"),
    ),
    StartEvent.LAST_CONTACT: (
        _("from the last contact"),
        _("from the end of the calendar year of the last contact"),
        _("immediately after the last contact"),
    ),
    StartEvent.END_OF_PURPOSE: (
        _("from the end of purpose"),
        _("from the end of the calendar year in which the purpose ended"),
        _("immediately after the end of purpose"),
    ),
}


class Action(models.TextChoices):
    DELETE = "delete", _("delete")
    ANONYMISE = "anonymise", _("anonymise")
    RESTRICT = "restrict", _("restrict processing")


class DeletionRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class DeletionRule(models.Model):
    """How long the data of one category is kept, why, and what happens then (Art. 5(1)(e), Art. 30(1)(f) GDPR)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    category = models.ForeignKey(
        DataCategory, verbose_name=_("data category"), on_delete=models.PROTECT, related_name="deletion_rules"
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Exactly one rule per data category is active.")
    )
    start_event = models.CharField(_("start event"), max_length=20, choices=StartEvent.choices)
    years = models.PositiveSmallIntegerField(_("years"), default=0, validators=[MaxValueValidator(periods.MAX_YEARS)])
    months = models.PositiveSmallIntegerField(
        _("months"), default=0, validators=[MaxValueValidator(12 * periods.MAX_YEARS)]
    )
    days = models.PositiveSmallIntegerField(
        _("days"), default=0, validators=[MaxValueValidator(366 * periods.MAX_YEARS)]
    )
    from_year_end = models.BooleanField(
        _("from the end of the calendar year"),
        default=False,
        help_text=_(
            "The period starts at the end of the year in which the start event falls (§ 257(5) HGB, § 147(4) AO)."
        ),
    )
    # What happens to the data (Maßnahme), not a user's action in the audit trail.
    action = models.CharField(pgettext_lazy("retention", "action"), max_length=10, choices=Action.choices)
    retention_duty = models.BooleanField(
        _("statutory retention duty or legal claims"),
        default=False,
        help_text=_(
            "The data is kept even after its purpose ended or erasure was requested (Art. 17(3)(b), (e) GDPR): "
            "it is restricted until the period ends."
        ),
    )
    legal_reference = models.CharField(
        _("legal reference"), max_length=300, help_text=_("E.g. § 257 Abs. 1 Nr. 4, Abs. 4 HGB.")
    )
    legal_reference_en = models.CharField(
        _("legal reference (English)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. § 257(1) no. 4, (4) HGB. Empty: the reference above, in either language."),
    )
    note = models.TextField(_("what the rule covers"), blank=True)
    note_en = models.TextField(
        _("what the rule covers (English)"), blank=True, help_text=_("Empty: the note above, in either language.")
    )
    description_de = models.CharField(_("description (German)"), max_length=300)
    description_en = models.CharField(_("description (English)"), max_length=300)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DeletionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("deletion rule")
        verbose_name_plural = _("deletion rules")
        ordering = ["category__name_de", "-is_active", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(is_active=True),
                name="one_active_deletion_rule_per_category",
                violation_error_message=_(
                    "This data category already has an active deletion rule: deactivate that one first, or change it."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.describe()}"

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def period(self) -> dict[str, int]:
        return {"years": self.years, "months": self.months, "days": self.days}

    @property
    def has_no_period(self) -> bool:
        return not (self.years or self.months or self.days)

    def clean(self) -> None:
        super().clean()
        try:
            periods.check_period(years=self.years or 0, months=self.months or 0, days=self.days or 0)
        except periods.PeriodError:
            raise ValidationError(
                _("The period must be between 0 days and %(max)s years.") % {"max": periods.MAX_YEARS}
            ) from None
        if self.retention_duty and self.has_no_period:
            # A duty kept for no time would have the next sweep delete or anonymise the data it keeps at once.
            raise ValidationError(
                {
                    "years": ValidationError(
                        _(
                            "Data kept under a statutory retention duty or for legal claims needs a retention "
                            "period: enter it in years, months or days."
                        ),
                        code="duty_without_period",
                    )
                }
            )
        if self.action == Action.RESTRICT and not self.retention_duty:
            raise ValidationError(
                {
                    "action": _(
                        "Only data kept under a retention duty or for legal claims is restricted instead of erased."
                    )
                }
            )

    def deletable_from(self, event: datetime.date) -> datetime.date:
        """First deletable day for data whose start event happened on `event`."""
        return periods.deletable_from(event, from_year_end=self.from_year_end, **self.period)

    def describe(self, language: str | None = None) -> str:
        """The rule in one line, e.g. "8 Jahre ab Ende des Kalenderjahres der Erhebung (§ 257 Abs. 1 Nr. 4, Abs. 4 HGB)"."""
        with translation.override(language or translation.get_language() or "de"):
            text = self.describe_period()
            reference = self.reference_in(translation.get_language())
            return f"{text} ({reference})" if reference else text

    def describe_period(self, language: str | None = None) -> str:
        """The period alone, e.g. "8 Jahre ab Ende des Kalenderjahres der Erhebung"."""
        with translation.override(language or translation.get_language() or "de"):
            length = self.describe_length()
            from_event, from_year_end, immediately = START_PHRASES[self.start_event]
            if not length:
                # No period counted from the year end: deletable on the first day of the next year.
                return str(from_year_end if self.from_year_end else immediately)
            return f"{length} {from_year_end if self.from_year_end else from_event}"

    def describe_length(self) -> str:
        """The length of the period alone in the active language, e.g. "1 year, 6 months"; "" for none."""
        parts = []
        if self.years:
            parts.append(ngettext("%(n)d year", "%(n)d years", self.years) % {"n": self.years})
        if self.months:
            parts.append(ngettext("%(n)d month", "%(n)d months", self.months) % {"n": self.months})
        if self.days:
            parts.append(ngettext("%(n)d day", "%(n)d days", self.days) % {"n": self.days})
        return ", ".join(parts)

    @property
    def note_text(self) -> str:
        """The note in the active language (the one written where no English is given)."""
        english = (translation.get_language() or "de").startswith("en")
        return (self.note_en if english else "") or self.note

    @property
    def reference(self) -> str:
        """The legal reference in the active language."""
        return self.reference_in(translation.get_language())

    def reference_in(self, language: str | None) -> str:
        """The legal reference as a reader of `language` cites it (the German one where no English is given)."""
        return (self.legal_reference_en if (language or "de").startswith("en") else "") or self.legal_reference

    def register_line(self, language: str) -> str:
        """The line for Art. 30(1)(f) in the record of processing activities."""
        with translation.override(language):
            return _("%(category)s (%(covers)s): %(period)s, then %(action)s.") % {
                "category": localized(self.category, "name", language),
                "covers": localized(self, "description", language),
                "period": self.describe(language),
                "action": Action(self.action).label,
            }


# Rule fields whose change moves the first deletable day of the category's records.
# A retention duty counts too: without one, data goes the day after its purpose ended (registration.recompute).
TIMING_FIELDS = (
    "category_id",
    "is_active",
    "start_event",
    "years",
    "months",
    "days",
    "from_year_end",
    "retention_duty",
)

# What a rule says about the data it covers; a change of any of them starts a new DeletionRuleVersion.
VERSIONED_FIELDS = (*TIMING_FIELDS, "action", "legal_reference", "legal_reference_en")


class DeletionRuleVersion(models.Model):
    """A deletion rule as it stood from `valid_from` until its next version, written by retention.services.rule_save:
    after the DPO changed a rule, the deletion certificate still names the period a record was processed under.
    History: nobody changes it."""

    rule = models.ForeignKey(
        DeletionRule, verbose_name=_("deletion rule"), on_delete=models.PROTECT, related_name="versions"
    )
    valid_from = models.DateTimeField(_("valid from"))
    changed_by = models.CharField(_("changed by"), max_length=150, blank=True)
    category = models.ForeignKey(
        DataCategory, verbose_name=_("data category"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("active"))
    start_event = models.CharField(_("start event"), max_length=20, choices=StartEvent.choices)
    years = models.PositiveSmallIntegerField(_("years"))
    months = models.PositiveSmallIntegerField(_("months"))
    days = models.PositiveSmallIntegerField(_("days"))
    from_year_end = models.BooleanField(_("from the end of the calendar year"))
    action = models.CharField(pgettext_lazy("retention", "action"), max_length=10, choices=Action.choices)
    retention_duty = models.BooleanField(_("statutory retention duty or legal claims"))
    legal_reference = models.CharField(_("legal reference"), max_length=300)
    legal_reference_en = models.CharField(_("legal reference (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("version of the rule")
        verbose_name_plural = _("versions of the rule")
        ordering = ["rule", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["rule", "valid_from"], name="deletionruleversion_rule_from")]

    def __str__(self) -> str:
        return self.describe()

    @classmethod
    def of(cls, rule: DeletionRule, **fields) -> "DeletionRuleVersion":
        """A new version holding what `rule` says now."""
        return cls(rule=rule, **{name: getattr(rule, name) for name in VERSIONED_FIELDS}, **fields)

    @classmethod
    def in_force(cls, rule_ids, at: datetime.datetime) -> dict[int, "DeletionRuleVersion"]:
        """Per rule id, the version in force at `at` (none before a rule's first version). One query."""
        found: dict[int, DeletionRuleVersion] = {}
        versions = cls.objects.filter(rule_id__in=list(rule_ids), valid_from__lte=at).select_related("category")
        for version in versions.order_by("rule_id", "-valid_from", "-pk"):
            found.setdefault(version.rule_id, version)
        return found

    def describe_with_category(self) -> str:
        """As the rule's own name reads ("Category: period (reference)"), as it stood then."""
        return f"{self.category}: {self.describe()}"

    @property
    def changed_by_label(self) -> str:
        """Who made the change, for a reader: the user, "system" for jobs and migrations, "—" when unknown."""
        return pgettext("actor", "system") if self.changed_by == SYSTEM.name else (self.changed_by or "—")

    def as_then(self) -> DeletionRule:
        """The rule as it stood then (unsaved), for its descriptions."""
        return DeletionRule(**{name: getattr(self, name) for name in VERSIONED_FIELDS})

    def describe(self, language: str | None = None) -> str:
        return self.as_then().describe(language)
