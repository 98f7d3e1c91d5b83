from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class ContactDetails(models.Model):
    """Address and contact fields of an organisation or authority named in letters and reports."""

    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="DE")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        abstract = True

    @property
    def postal_address(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postal_code} {self.city}".strip(), self.country.name) if p)


class Organisation(ContactDetails):
    """The controller and its affiliated companies (Art. 30(1)(a) GDPR)."""

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        AFFILIATE = "affiliate", _("Affiliated company")

    name = models.CharField(_("name"), max_length=200, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    dpo_contact = models.CharField(
        _("data protection officer contact"),
        max_length=200,
        blank=True,
        help_text=_("Name or address of the data protection officer (Art. 37 GDPR)."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="affiliates",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["role", "name"]
        constraints = [
            # One controller: the register describes one company's processing.
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(role="controller"),
                name="one_controller",
                violation_error_message=_(
                    "Another organisation is already the controller: the register describes one company's processing."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def controller(cls) -> "Organisation | None":
        return cls.objects.filter(role=cls.Role.CONTROLLER).first()


class SupervisoryAuthority(ContactDetails):
    """The competent supervisory authority (Art. 77 GDPR), named in every access report."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_competent = models.BooleanField(
        _("competent for the controller"),
        default=False,
        help_text=_("The authority of the Land where the controller has its registered office."),
    )

    class Meta:
        verbose_name = _("supervisory authority")
        verbose_name_plural = _("supervisory authorities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_competent"],
                condition=models.Q(is_competent=True),
                name="one_competent_authority",
                violation_error_message=_(
                    "Another supervisory authority is already marked as competent for the controller: unmark it first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def competent(cls) -> "SupervisoryAuthority | None":
        return cls.objects.filter(is_competent=True).first()
