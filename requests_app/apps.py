from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Data-subject requests")
    # Support logs requests at /support/ (and sees its own queue there); fulfilment is the DPO's.
    support_permissions = ("log_request",)

    def ready(self) -> None:
        from django.db.models.functions import TruncDate

        from subjects.last_contact import latest_contact, register_contact_date

        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .models import DataSubjectRequest

        # A request received is contact with the person: their contact details count from it.
        register_contact_date(
            lambda subject: latest_contact(DataSubjectRequest.objects.all(), TruncDate("received_at"), subject)
        )
