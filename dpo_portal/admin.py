from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import audit_export

from .countries import EEA_COUNTRIES
from .exports import LANGUAGES, register_context, register_csv, register_pdf
from .forms import ProcessingActivityForm
from .models import DataCategory, Organisation, ProcessingActivity, Recipient, SupervisoryAuthority, System

admin.site.site_header = _("DPO Portal")
admin.site.site_title = _("DPO Portal")
admin.site.index_title = _("Data protection back office")


def third_country_flag(obj) -> str:
    if not obj.is_third_country:
        return "—"
    return format_html(
        '<span class="third-country" title="{}">⚠ {} – {}</span>',
        _("Outside the EEA"),
        obj.country.code,
        obj.get_transfer_basis_display() or _("no transfer basis!"),
    )


class ThirdCountryFilter(admin.SimpleListFilter):
    title = _("location")
    parameter_name = "eea"

    def lookups(self, request, model_admin):
        return [("in", _("within the EEA")), ("out", _("outside the EEA (third country)"))]

    def queryset(self, request, queryset):
        if self.value() == "in":
            return queryset.filter(country__in=EEA_COUNTRIES)
        if self.value() == "out":
            return queryset.exclude(country__in=EEA_COUNTRIES)
        return queryset


class TransferFilter(admin.SimpleListFilter):
    """Processing activities with a recipient or system outside the EEA: the question a supervisory authority asks first
    about Chapter V."""

    title = _("third-country transfers")
    parameter_name = "third_country"

    def lookups(self, request, model_admin):
        return [("yes", _("outside the EEA (third country)")), ("no", _("only within the EEA"))]

    def queryset(self, request, queryset):
        outside = ProcessingActivity.objects.with_third_country().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=outside)
        if self.value() == "no":
            return queryset.exclude(pk__in=outside)
        return queryset


class ContactDetailsAdminMixin:
    """A website typed without its scheme is taken as https (Django 6's default; Django 5 warns while it assumes
    http)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Organisation)
class OrganisationAdmin(ContactDetailsAdminMixin, admin.ModelAdmin):
    list_display = ("name", "role", "city", "country", "email")
    list_filter = ("role", "country")
    search_fields = ("name", "city", "email")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(SupervisoryAuthority)
class SupervisoryAuthorityAdmin(ContactDetailsAdminMixin, admin.ModelAdmin):
    list_display = ("name", "city", "is_competent", "email", "website")
    list_filter = ("is_competent",)
    search_fields = ("name", "city")
    list_select_related = True


@admin.register(DataCategory)
class DataCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_special", "is_payment")
    list_filter = ("is_special", "is_payment")
    search_fields = ("name_de", "name_en", "code", "description_de")
    list_select_related = True
    prepopulated_fields = {"code": ("name_en",)}

    @admin.display(description=_("data category"), ordering="name_de")
    def name(self, obj):
        return obj.name


class LocatedAdmin(admin.ModelAdmin):
    list_filter = (ThirdCountryFilter, "country", "transfer_basis")

    @admin.display(description=_("third country"))
    def third_country(self, obj):
        return third_country_flag(obj)


@admin.register(Recipient)
class RecipientAdmin(LocatedAdmin):
    list_display = ("recipient_name", "kind", "country", "third_country", "has_processing_agreement")

    @admin.display(description=_("name"), ordering="name")
    def recipient_name(self, obj):
        return obj.display_name

    list_filter = ("kind", *LocatedAdmin.list_filter, "has_processing_agreement")
    search_fields = ("name", "name_en", "description")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    readonly_fields = ("third_country",)


@admin.register(System)
class SystemAdmin(LocatedAdmin):
    list_display = ("system_name", "country", "third_country", "operator_name")
    search_fields = ("name", "name_en", "description")

    @admin.display(description=_("name"), ordering="name")
    def system_name(self, obj):
        return obj.display_name

    @admin.display(description=_("operated by"), ordering="operator__name")
    def operator_name(self, obj):
        return obj.operator.display_name if obj.operator_id else "—"

    list_select_related = ("operator",)
    autocomplete_fields = ("operator",)
    readonly_fields = ("third_country",)


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    form = ProcessingActivityForm
    list_display = (
        "name",  # in the page's language: an English list shows the English names
        "legal_basis",
        "transfers",  # before the long columns: a narrow window shows it without scrolling
        "status",
        "next_review",
        "objection_possible",
        "policy_section",
    )
    list_filter = (
        "status",
        TransferFilter,
        "legal_basis",
        "special_category_basis",
        "is_marketing",
        "objection_possible",
        "policy_section",
    )
    search_fields = ("name_de", "name_en", "code", "purpose_de", "purpose_en", "policy_section")
    list_select_related = ("controller",)
    autocomplete_fields = ("controller",)
    filter_horizontal = ("data_categories", "recipients", "systems", "joint_controllers")
    readonly_fields = ("transfers", "updated_at")
    date_hierarchy = None
    fieldsets = (
        (None, {"fields": ("code", "name_de", "name_en", "status", "next_review", "policy_section", "policy_excerpt")}),
        (_("(a) Controller"), {"fields": ("controller", "joint_controllers")}),
        (
            _("(b) Purposes and legal basis"),
            {
                "fields": (
                    "purpose_de",
                    "purpose_en",
                    "legal_basis",
                    "special_category_basis",
                    "legal_basis_note",
                    "legal_basis_note_en",
                    "legitimate_interest_de",
                    "legitimate_interest_en",
                    "objection_possible",
                    "is_marketing",
                )
            },
        ),
        (
            _("(c) Data subjects and data"),
            {
                "fields": (
                    "data_subject_categories_de",
                    "data_subject_categories_en",
                    "data_categories",
                    "source_de",
                    "source_en",
                )
            },
        ),
        (_("(d) Recipients and (e) third-country transfers"), {"fields": ("recipients", "systems", "transfers")}),
        (_("(f) Time limits for erasure"), {"fields": ("retention_de", "retention_en")}),
        (_("(g) Technical and organisational measures"), {"fields": ("toms_de", "toms_en", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("recipients", "systems")

    @admin.display(description=_("processing activity"), ordering="name_de")
    def name(self, obj):
        return obj.name

    @admin.display(description=_("third-country transfers"))
    def transfers(self, obj):
        parties = obj.third_country_parties() if obj.pk else []
        if not parties:
            return "—"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308  (a constant)
            '<span class="third-country">⚠ {} ({}) – {}</span>',
            (
                (p.display_name, p.country.code, p.get_transfer_basis_display() or _("no transfer basis!"))
                for p in parties
            ),
        )

    def get_urls(self):
        return [
            path(
                "export/<str:fmt>/<str:language>/",
                self.admin_site.admin_view(self.export_view),
                name="dpo_portal_register_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, fmt: str, language: str):
        if not request.user.has_perm("dpo_portal.export_register"):
            raise PermissionDenied
        if language not in LANGUAGES or fmt not in ("csv", "pdf", "html"):
            return HttpResponse(status=404)
        audit_export(None, detail=f"register {fmt} {language}")
        if fmt == "csv":
            response = HttpResponse(register_csv(language), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="register-{language}.csv"'
            return response
        if fmt == "pdf":
            response = HttpResponse(register_pdf(language), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="register-{language}.pdf"'
            return response
        with translation.override(language):
            return TemplateResponse(request, "dpo_portal/register_print.html", register_context(language)).render()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export": request.user.has_perm("dpo_portal.export_register")}
        return super().changelist_view(request, extra_context)
