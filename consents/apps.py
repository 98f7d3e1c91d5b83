from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")
    # Support takes withdrawals and objections from callers and sees which purposes exist;
    # it does not read consent records, decide objections or touch the suppression list.
    support_permissions = (
        "view_consentpurpose",
        "record_withdrawal",
        "add_objection",
    )
