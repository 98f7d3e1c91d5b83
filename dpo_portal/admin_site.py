"""The portal's admin site: Django's, except that support, whose work is the desk, starts there, and that other apps
may put notices on the start page (INDEX_NOTICES)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.shortcuts import redirect

# Notices other apps put at the top of the start page, as notice(request) -> str ("": none), registered from their
# admin modules so that the core does not import them (retention: a nightly sweep that failed or did not run).
INDEX_NOTICES: list = []


def register_index_notice(notice):
    if notice not in INDEX_NOTICES:
        INDEX_NOTICES.append(notice)
    return notice


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers with people's names like a list page: audited as one (ids only), for every
    model whose admin audits its lists."""

    def serialize_result(self, obj, to_field_name):
        self.shown.append(obj.pk)
        return super().serialize_result(obj, to_field_name)

    def get(self, request, *args, **kwargs):
        from audit.admin_mixins import AuditedAdminMixin
        from audit.services import audit_list_view

        self.shown = []
        response = super().get(request, *args, **kwargs)
        if self.shown and isinstance(self.model_admin, AuditedAdminMixin):
            audit_list_view(self.model_admin.model, self.shown, fields=["__str__"])
        return response


class PortalAdminSite(admin.AdminSite):
    index_template = "admin/portal_index.html"

    def autocomplete_view(self, request):
        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        from .roles import starts_at_support_desk  # not at import: INSTALLED_APPS loads this module

        # After logging in at /admin/login/ (or following "Home"), support lands on its desk, not on a list of apps.
        if starts_at_support_desk(request.user):
            return redirect("requests_app:queue")
        notices = [text for notice in INDEX_NOTICES if (text := notice(request))]
        return super().index(request, {**(extra_context or {}), "notices": notices})


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin, with PortalAdminSite as `admin.site` (INSTALLED_APPS names this instead)."""

    default_site = "dpo_portal.admin_site.PortalAdminSite"
