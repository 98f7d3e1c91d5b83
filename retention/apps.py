from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")
    # Support neither sees deletion rules nor erases: nothing here.
    support_permissions = ()

    def ready(self) -> None:
        from . import checks  # noqa: F401  (system checks)
