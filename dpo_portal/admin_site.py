"""The portal's admin site: Django's, except that support, whose work is the desk, starts there."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect


class PortalAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        from .roles import starts_at_support_desk  # not at import: INSTALLED_APPS loads this module

        # After logging in at /admin/login/ (or following "Home"), support lands on its desk, not on a list of apps.
        if starts_at_support_desk(request.user):
            return redirect("requests_app:queue")
        return super().index(request, extra_context)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with PortalAdminSite as `admin.site` (INSTALLED_APPS names this instead)."""

    default_site = "dpo_portal.admin_site.PortalAdminSite"
