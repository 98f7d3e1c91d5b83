from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DpoPortalConfig(AppConfig):
    name = "dpo_portal"
    verbose_name = _("Record of processing activities")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (system checks)
        from .roles import sync_role_permissions

        # Permissions exist only after migrate: give the role groups theirs then.
        post_migrate.connect(sync_role_permissions, dispatch_uid="dpo_portal.sync_role_permissions")
