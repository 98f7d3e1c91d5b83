from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Data-subject requests")
    # Support logs requests at /support/ (and sees its own queue there); fulfilment is the DPO's.
    support_permissions = ("log_request",)

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
