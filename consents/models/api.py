"""Tokens of the systems that call the consents API (the website, the newsletter tool)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A client's API token. Only its SHA-256 digest is stored; the token is shown once, when created."""

    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("Which system uses it."))
    prefix = models.CharField(
        _("prefix"), max_length=8, editable=False, help_text=_("Start of the token, to recognise it.")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    may_record = models.BooleanField(
        _("may record"), default=False, help_text=_("Record consents, confirmations and withdrawals.")
    )
    may_query = models.BooleanField(
        _("may ask whether contact is allowed"),
        default=False,
        help_text=_("The API's may_contact: whether a person or an address may be contacted for a purpose."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    # DRF treats request.user as authenticated through this.
    is_authenticated = True
