from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Sanctions screening")
    # Support sees that a person is blocked (on the person's page), not the cases themselves.
    support_permissions = ()

    def ready(self) -> None:
        from subjects.signals import identity_changed

        from .receivers import screen_on_identity_change

        identity_changed.connect(screen_on_identity_change, dispatch_uid="screening.screen_on_identity_change")
