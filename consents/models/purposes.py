"""What a person can consent to (or object to), and the versioned texts they are shown."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dpo_portal.models import ProcessingActivity
from dpo_portal.models.bilingual import localized


class ContactChannel(models.TextChoices):
    """How the data is used for a purpose: the channel `may_contact` is asked about."""

    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    POST = "post", _("post")
    WEB = "web", _("website (cookies, personalised content)")
    DATA = "data", _("use or transfer of the data (no contact)")


class ConsentPurpose(models.Model):
    """One consent- or opt-out-based processing of the privacy policy, tied to its register entry.

    Consent purposes (section C) need a consent before anything happens; opt-out purposes
    (section B, legitimate interest) are allowed for existing customers until they object.
    """

    class Basis(models.TextChoices):
        CONSENT = "consent", _("consent (Art. 6(1)(a) GDPR)")
        EXPLICIT_CONSENT = "explicit", _("explicit consent (Art. 9(2)(a) GDPR)")
        OPT_OUT = "opt_out", _("legitimate interest with opt-out (Art. 6(1)(f) GDPR)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    activity = models.OneToOneField(
        ProcessingActivity,
        verbose_name=_("processing activity"),
        on_delete=models.PROTECT,
        related_name="consent_purpose",
    )
    name_de = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    channels = models.JSONField(
        _("channels"), default=list, help_text=_("The channels this purpose covers, e.g. e-mail, phone, post.")
    )
    double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=False,
        help_text=_("Consents given by web form or e-mail count only once the person confirmed them (§ 7 UWG)."),
    )
    reconsent_from_version = models.PositiveIntegerField(
        _("re-consent needed from version"),
        default=1,
        help_text=_("Set by a material change of the text: consents to earlier versions must be asked again."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        ordering = ["basis", "code"]
        permissions = [
            ("export_consents", _("Can export consent histories (proof of consent)")),
            # Lists of people to contact are a tool of marketing, not proof: the auditor does not get them.
            ("export_audience", _("Can export contact lists (e-mail audiences, re-consent lists)")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def needs_consent(self) -> bool:
        return self.basis != self.Basis.OPT_OUT

    @property
    def needs_reconsent(self) -> bool:
        return self.reconsent_from_version > 1

    def clean(self) -> None:
        super().clean()
        valid = set(ContactChannel.values)
        channels = self.channels
        # The admin takes any JSON: anything but a list of channel codes is refused, not counted with.
        if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
            channels = None
        if channels is None or not set(channels) <= valid:
            raise ValidationError({"channels": _("Choose one or more of: %(valid)s.") % {"valid": ", ".join(valid)}})
        if self.basis == self.Basis.OPT_OUT and self.double_opt_in:
            raise ValidationError({"double_opt_in": _("An opt-out purpose has no consent to confirm.")})

    def covers(self, channel: str) -> bool:
        return channel in self.channels

    def current_text(self) -> "ConsentText | None":
        return self.texts.order_by("-version").first()


class ConsentText(models.Model):
    """A version of the text a person is shown when consenting, in German and English.

    Published texts never change: a consent must show exactly what the person agreed to.
    A correction is a new version; a material change (more data, another purpose, another
    recipient) also marks the purpose as needing re-consent from that version on.
    """

    purpose = models.ForeignKey(
        ConsentPurpose, verbose_name=_("consent purpose"), on_delete=models.PROTECT, related_name="texts"
    )
    version = models.PositiveIntegerField(_("version"))
    text_de = models.TextField(_("text (German)"))
    text_en = models.TextField(_("text (English)"))
    is_material_change = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Consents to earlier versions do not cover what this version adds: ask again."),
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [models.UniqueConstraint(fields=["purpose", "version"], name="one_text_per_purpose_version")]

    def __str__(self) -> str:
        return f"{self.purpose.code} v{self.version}"

    @property
    def text(self) -> str:
        return localized(self, "text")
