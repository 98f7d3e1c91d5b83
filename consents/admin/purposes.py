"""Purposes and their texts: publishing a new version, the chart, the re-consent report, exports."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import audit_export
from audit.services import audit_list_view

from .. import exports
from ..charts import consent_chart_svg
from ..models import Consent, ConsentPurpose, ConsentText, ContactChannel
from ..selectors import purpose_event_counts, reconsent_audience
from ..services import text_publish


class PublishTextForm(forms.Form):
    text_de = forms.CharField(label=capfirst(_("text (German)")), widget=forms.Textarea(attrs={"rows": 8, "cols": 90}))
    text_en = forms.CharField(label=capfirst(_("text (English)")), widget=forms.Textarea(attrs={"rows": 8, "cols": 90}))
    material_change = forms.BooleanField(
        label=capfirst(_("material change")),
        required=False,
        help_text=_("More data, another purpose or another recipient: everyone must be asked again."),
    )
    change_note = forms.CharField(label=capfirst(_("what changed")), max_length=300, required=False)


class ConsentTextInline(admin.TabularInline):
    model = ConsentText
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("version", "is_material_change", "change_note", "published_at", "text_de")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _csv(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "purpose_name",
        "basis",
        "channel_list",
        "double_opt_in",
        "reconsent_from_version",
        "is_active",
    )
    list_filter = ("basis", "double_opt_in", "is_active")
    search_fields = ("code", "name_de", "name_en")
    list_select_related = ("activity",)
    readonly_fields = ("code", "activity", "activity_name", "basis", "reconsent_from_version", "chart", "updated_at")
    fields = (
        "code",
        "activity",
        ("name_de", "name_en"),
        "basis",
        "channels",
        "double_opt_in",
        "is_active",
        "reconsent_from_version",
        "chart",
        "updated_at",
    )
    inlines = [ConsentTextInline]
    # Its object tools link the publish page, the re-consent report and the exports, each for who may use it.
    change_form_template = "admin/consents/consentpurpose/change_form.html"

    @admin.display(description=_("name"))
    def purpose_name(self, obj):
        # In the page's language: the English list shows the English names.
        return obj.name

    @admin.display(description=_("processing activity"))
    def activity_name(self, obj):
        return obj.activity.name if obj.activity_id else "—"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not request.user.has_perm("dpo_portal.view_processingactivity"):
            # Support reads the purpose but not the register: the activity's name, not a link it may not open.
            fields = ["activity_name" if f == "activity" else f for f in fields]
        if self.has_change_permission(request, obj):
            return fields
        # Read only (the auditor): the channels' names, not the stored list of codes.
        return ["channel_list" if f == "channels" else f for f in fields]

    def has_add_permission(self, request):
        return False  # purposes come from the register (load_register)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("channels"))
    def channel_list(self, obj):
        labels = dict(ContactChannel.choices)
        return ", ".join(str(labels.get(c, c)) for c in obj.channels)

    @admin.display(description=_("given / confirmed / withdrawn per month"))
    def chart(self, obj):
        return consent_chart_svg(purpose_event_counts(purpose=obj)) if obj.pk else "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name="consents_consentpurpose_publish"),
            path("<int:pk>/reconsent/", wrap(self.reconsent_view), name="consents_consentpurpose_reconsent"),
            path("<int:pk>/audience.csv", wrap(self.audience_view), name="consents_consentpurpose_audience"),
            path("<int:pk>/history.csv", wrap(self.history_csv_view), name="consents_consentpurpose_history_csv"),
            *super().get_urls(),
        ]

    def _purpose(self, request, pk, perm: str) -> ConsentPurpose:
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return get_object_or_404(ConsentPurpose, pk=pk)

    def publish_view(self, request, pk):
        purpose = self._purpose(request, pk, "consents.add_consenttext")
        current = purpose.current_text()
        initial = {"text_de": current.text_de, "text_en": current.text_en} if current else {}
        form = PublishTextForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                text = text_publish(purpose=purpose, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Version %(v)s published.") % {"v": text.version})
                return redirect("admin:consents_consentpurpose_change", purpose.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish a new text version"),
            "purpose": purpose,
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/consents/publish_text.html", context)

    def reconsent_view(self, request, pk):
        purpose = self._purpose(request, pk, "consents.view_consent")
        if request.GET.get("format") == "csv":
            if not request.user.has_perm("consents.export_audience"):
                raise PermissionDenied
            content, count = exports.reconsent_csv(purpose=purpose)
            audit_export(purpose, detail=f"re-consent list {purpose.code}: {count} rows")
            return _csv(content, f"reconsent-{purpose.code}.csv")
        audience = reconsent_audience(purpose=purpose)
        # Who is to be asked again is a list of people to contact: the names for whoever may export that list (and
        # audited as a list page), the number for everyone else who reads consents (the auditor).
        shows_people = request.user.has_perm("consents.export_audience")
        consents = audience[:500] if shows_people else []
        if consents:
            audit_list_view(Consent, (c.pk for c in consents), fields=["subject", "text", "given_at", "channel"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Re-consent report"),
            "purpose": purpose,
            "opts": self.model._meta,
            "consents": consents,
            "shows_people": shows_people,
            "count": len(audience),
        }
        return TemplateResponse(request, "admin/consents/reconsent.html", context)

    def audience_view(self, request, pk):
        purpose = self._purpose(request, pk, "consents.export_audience")
        content, count = exports.audience_csv(purpose=purpose)
        audit_export(
            purpose, detail=f"e-mail audience {purpose.code}: {count} rows", fields=["email", "first_name", "last_name"]
        )
        return _csv(content, f"audience-{purpose.code}.csv")

    def history_csv_view(self, request, pk):
        purpose = self._purpose(request, pk, "consents.export_consents")
        content, count = exports.history_csv(purpose=purpose)
        audit_export(purpose, detail=f"consent history of purpose {purpose.code}: {count} rows")
        return _csv(content, f"consent-history-{purpose.code}.csv")


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Published texts are evidence: read-only; new versions through the purpose's publish page."""

    list_display = ("purpose", "version", "is_material_change", "published_at")
    list_filter = ("purpose", "is_material_change")
    search_fields = ("purpose__code", "text_de", "text_en")
    list_select_related = ("purpose",)
    readonly_fields = ("purpose", "version", "text_de", "text_en", "is_material_change", "change_note", "published_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
