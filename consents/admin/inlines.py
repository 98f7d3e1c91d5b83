"""Inlines for the data subject's page (registered with subjects.admin)."""

from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dpo_portal.admin_mixins import ReadOnlyAdminMixin
from subjects.admin import register_subject_inline, register_subject_link

from ..models import Consent, Objection


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@register_subject_inline
class ConsentHistoryInline(ReadOnlyInline):
    """A person's consents, read-only: which text version, when, how, and what became of it."""

    model = Consent
    fk_name = "subject"
    verbose_name = _("consent")
    verbose_name_plural = _("consent history")
    fields = (
        "purpose",
        "text_version",
        "channel",
        "given_at",
        "origin",
        "status_display",
        "confirmed_at",
        "withdrawn_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("purpose", "text").order_by("-given_at", "-pk")

    @admin.display(description=_("text version"))
    def text_version(self, obj):
        return obj.text.version

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)


@register_subject_inline
class ObjectionHistoryInline(ReadOnlyInline):
    model = Objection
    fk_name = "subject"
    verbose_name = _("objection")
    verbose_name_plural = _("objections")
    fields = ("objected_activity", "channel", "received_at", "status", "decided_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objected_activity")


STATUS_LABELS = {
    "valid": _("valid"),
    "unconfirmed": _("awaiting confirmation"),
    "expired": _("confirmation expired"),
    "withdrawn": _("withdrawn"),
}


@register_subject_link
def consent_history_link(request, subject):
    """The person's consent history as CSV (every event, text version and evidence), for whoever may export it: proof
    for an auditor, which only this link leads to."""
    if not request.user.has_perm("consents.export_consents"):
        return None
    url = f"{reverse('admin:consents_consent_history_csv')}?{urlencode({'subject': subject.pk})}"
    return url, _("Consent history (CSV)")
