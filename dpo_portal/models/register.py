"""The record of processing activities (Verzeichnis von Verarbeitungstätigkeiten, Art. 30(1) GDPR)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..countries import EEA_COUNTRIES, EEA_HELP, is_eea
from .bilingual import localized
from .organisation import Organisation


class LegalBasis(models.TextChoices):
    CONSENT = "6_1_a", _("Art. 6(1)(a) GDPR – consent")
    CONTRACT = "6_1_b", _("Art. 6(1)(b) GDPR – contract")
    LEGAL_OBLIGATION = "6_1_c", _("Art. 6(1)(c) GDPR – legal obligation")
    VITAL_INTERESTS = "6_1_d", _("Art. 6(1)(d) GDPR – vital interests")
    PUBLIC_TASK = "6_1_e", _("Art. 6(1)(e) GDPR – public task")
    LEGITIMATE_INTEREST = "6_1_f", _("Art. 6(1)(f) GDPR – legitimate interest")


class SpecialCategoryBasis(models.TextChoices):
    NONE = "", _("none (no special categories)")
    EXPLICIT_CONSENT = "9_2_a", _("Art. 9(2)(a) GDPR – explicit consent")
    EMPLOYMENT = "9_2_b", _("Art. 9(2)(b) GDPR – employment and social security law")
    LEGAL_CLAIMS = "9_2_f", _("Art. 9(2)(f) GDPR – legal claims")


class TransferBasis(models.TextChoices):
    NOT_REQUIRED = "", _("not required (within the EEA)")
    ADEQUACY = "adequacy", _("adequacy decision (Art. 45 GDPR)")
    DPF = "dpf", _("EU-U.S. Data Privacy Framework (adequacy decision, Art. 45 GDPR)")
    SCC = "scc", _("standard contractual clauses (Art. 46(2)(c) GDPR)")
    BCR = "bcr", _("binding corporate rules (Art. 47 GDPR)")
    DEROGATION = "derogation", _("derogation for specific situations (Art. 49 GDPR)")


class ThirdCountryMixin(models.Model):
    """Anything with a location: outside the EEA it needs a transfer basis (R5)."""

    country = CountryField(_("country"), help_text=EEA_HELP)
    transfer_basis = models.CharField(_("transfer basis"), max_length=20, choices=TransferBasis.choices, blank=True)
    transfer_note = models.CharField(_("transfer safeguards"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_third_country(self) -> bool:
        return bool(self.country) and not is_eea(self.country.code)

    def clean(self) -> None:
        super().clean()
        if self.is_third_country and not self.transfer_basis:
            raise ValidationError(
                {
                    "transfer_basis": _("%(country)s is outside the EEA: state the transfer basis.")
                    % {"country": self.country.name}
                }
            )


class DataCategory(models.Model):
    """A kind of personal data (Art. 30(1)(c)); the retention engine keeps one deletion rule per category."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_special = models.BooleanField(
        _("special category (Art. 9 GDPR)"),
        default=False,
        help_text=_("Health data and other special categories: encrypted, visible to the DPO only."),
    )
    is_payment = models.BooleanField(_("payment data"), default=False)

    class Meta:
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")
        ordering = ["name_de"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Recipient(ThirdCountryMixin):
    """A recipient or category of recipients (Art. 30(1)(d), Art. 4(9))."""

    class Kind(models.TextChoices):
        AFFILIATE = "affiliate", _("affiliated company")
        PROCESSOR = "processor", _("processor")
        SUPPLIER = "supplier", _("supplier")
        AUTHORITY = "authority", _("authority")
        THIRD_PARTY = "third_party", _("third party")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(
        _("name (English)"), max_length=200, blank=True, help_text=_("Empty: the name above, in either language.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("affiliated company"), null=True, blank=True, on_delete=models.PROTECT
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True, help_text=_("Where Art. 19 notifications go."))
    has_processing_agreement = models.BooleanField(_("processing agreement (Art. 28 GDPR)"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language: what a data subject reads in an access report or a letter."""
        return (self.name_en if (get_language() or "de").startswith("en") else "") or self.name


class System(ThirdCountryMixin):
    """An IT system or service where personal data is stored or processed."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(
        _("name (English)"), max_length=200, blank=True, help_text=_("Empty: the name above, in either language.")
    )
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        Recipient,
        verbose_name=_("operated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty when the controller operates the system itself."),
    )

    class Meta:
        verbose_name = _("system")
        verbose_name_plural = _("systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language, as a recipient's: what the English register and reports show."""
        return (self.name_en if (get_language() or "de").startswith("en") else "") or self.name


class ProcessingActivityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProcessingActivity.Status.ACTIVE)

    def with_third_country(self):
        """Activities with a recipient or system outside the EEA, found without loading them all."""
        eea = list(EEA_COUNTRIES)
        return self.filter(
            models.Q(recipients__in=Recipient.objects.exclude(country__in=eea))
            | models.Q(systems__in=System.objects.exclude(country__in=eea))
        ).distinct()


class ProcessingActivity(models.Model):
    """One entry of the record of processing activities, with every Art. 30(1)(a)–(g) field."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # (a) controller and joint controllers
    controller = models.ForeignKey(
        Organisation, verbose_name=_("controller"), on_delete=models.PROTECT, related_name="activities"
    )
    joint_controllers = models.ManyToManyField(
        Organisation, verbose_name=_("joint controllers / group companies"), blank=True, related_name="joint_activities"
    )
    # (b) purposes
    purpose_de = models.TextField(_("purpose (German)"))
    purpose_en = models.TextField(_("purpose (English)"))
    legal_basis = models.CharField(_("legal basis"), max_length=10, choices=LegalBasis.choices)
    special_category_basis = models.CharField(
        _("basis for special categories"), max_length=10, choices=SpecialCategoryBasis.choices, blank=True
    )
    legal_basis_note = models.CharField(
        _("legal basis, details"), max_length=300, blank=True, help_text=_("E.g. § 7 Abs. 3 UWG, § 257 HGB.")
    )
    legal_basis_note_en = models.CharField(
        _("legal basis, details (English)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. § 7(3) UWG. Empty: the details above, in either language."),
    )
    legitimate_interest_de = models.TextField(_("legitimate interest pursued (German)"), blank=True)
    legitimate_interest_en = models.TextField(_("legitimate interest pursued (English)"), blank=True)
    objection_possible = models.BooleanField(
        _("open to objection (Art. 21 GDPR)"),
        default=False,
        help_text=_("Processing on legitimate interest and direct marketing; service e-mails are not."),
    )
    is_marketing = models.BooleanField(
        _("direct marketing"), default=False, help_text=_("An objection is absolute (Art. 21(3) GDPR).")
    )
    # (c) categories of data subjects and of personal data
    data_subject_categories_de = models.CharField(_("categories of data subjects (German)"), max_length=300)
    data_subject_categories_en = models.CharField(_("categories of data subjects (English)"), max_length=300)
    data_categories = models.ManyToManyField(
        DataCategory, verbose_name=_("categories of personal data"), related_name="activities"
    )
    # (d) recipients, (e) third-country transfers via recipients and systems
    recipients = models.ManyToManyField(Recipient, verbose_name=_("recipients"), blank=True, related_name="activities")
    systems = models.ManyToManyField(System, verbose_name=_("systems"), blank=True, related_name="activities")
    # (f) time limits for erasure: written by the retention engine from its deletion rules
    retention_de = models.TextField(_("time limits for erasure (German)"), blank=True)
    retention_en = models.TextField(_("time limits for erasure (English)"), blank=True)
    # (g) technical and organisational measures
    toms_de = models.TextField(_("technical and organisational measures (German)"), blank=True)
    toms_en = models.TextField(_("technical and organisational measures (English)"), blank=True)
    source_de = models.CharField(_("source of the data (German)"), max_length=300, blank=True)
    source_en = models.CharField(_("source of the data (English)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    policy_section = models.CharField(_("section of the privacy policy"), max_length=200)
    policy_excerpt = models.TextField(_("privacy policy text"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProcessingActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["policy_section", "name_de"]
        permissions = [("export_register", _("Can export the record of processing activities"))]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def purpose(self) -> str:
        return localized(self, "purpose")

    @property
    def legal_basis_details(self) -> str:
        """The details of the basis in the active language (the German ones where no English is given)."""
        return (self.legal_basis_note_en if (get_language() or "de").startswith("en") else "") or self.legal_basis_note

    @property
    def data_subject_categories(self) -> str:
        return localized(self, "data_subject_categories")

    @property
    def retention(self) -> str:
        return localized(self, "retention")

    @property
    def toms(self) -> str:
        return localized(self, "toms")

    @property
    def source(self) -> str:
        return localized(self, "source")

    @property
    def legitimate_interest(self) -> str:
        return localized(self, "legitimate_interest")

    def third_country_parties(self) -> list:
        """Recipients and systems outside the EEA; uses prefetched relations when present."""
        return [p for p in [*self.recipients.all(), *self.systems.all()] if p.is_third_country]

    @property
    def review_overdue(self) -> bool:
        return self.next_review is not None and self.next_review < datetime.date.today()

    def clean(self) -> None:
        super().clean()
        if self.legal_basis == LegalBasis.LEGITIMATE_INTEREST and not (self.legitimate_interest_de or "").strip():
            raise ValidationError({"legitimate_interest_de": _("State the legitimate interest pursued.")})
        if self.is_marketing and not self.objection_possible and self.legal_basis != LegalBasis.CONSENT:
            raise ValidationError({"objection_possible": _("Direct marketing must always be open to objection.")})

    def validate_special_categories(self, categories) -> None:
        """Special-category data needs an Art. 9(2) basis; checked where the M2M is saved (form, loader)."""
        if any(c.is_special for c in categories) and not self.special_category_basis:
            raise ValidationError(
                {"special_category_basis": _("Special categories of personal data need a basis under Art. 9(2) GDPR.")}
            )
